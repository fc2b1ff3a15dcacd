import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  /** The request body as sent (the prompt is in contents[0].parts[0].text). */
  body: string;
}

/** A canned generateContent answer whose text is `text` (what a model that "obeyed" would say). */
export function answerWithText(text: string): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 },
    modelVersion: 'gemini-2.5-flash-lite',
  };
}

export interface Recorder {
  url: string;
  calls: Recorded[];
  /** When set, generateContent calls whose body matches are answered with this JSON instead of forwarded. */
  override: { match: (body: string) => boolean; answer: Record<string, unknown> } | null;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

/**
 * A forwarding HTTP proxy in front of the Gemini emulator that records every request body, so a
 * test sees the exact prompt the worker sent (headers, and so the API key, are passed on, never kept).
 */
export async function startRecorder(target: string): Promise<Recorder> {
  const rec: Recorder = {
    url: '',
    calls: [],
    override: null,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      rec.calls.push({ path: req.url ?? '', body });
      if (rec.override?.match(body)) {
        const text = JSON.stringify(rec.override.answer);
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(text);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
      }
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      });
      const text = await upstream.text();
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(text);
    })().catch(() => {
      res.statusCode = 502;
      res.end();
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rec;
}

/** The prompt text of a recorded generateContent body. */
export function promptOf(call: Recorded): string {
  const body = JSON.parse(call.body) as { contents?: { parts?: { text?: string }[] }[] };
  return (body.contents ?? []).flatMap((c) => (c.parts ?? []).map((p) => p.text ?? '')).join('\n');
}
