// The secrets scan: every configured key and token is looked for (verbatim, and base64 /
// URL-encoded, which is how a leak usually looks in a header dump) in every file of the artifacts
// (process logs), every key and value of the scenario's own Redis, /metrics bodies, and any text a
// scenario noted (HTTP bodies, error messages). A hit names the secret by its label, never by value.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from '@mealwise/redis';
import { dumpValues } from '@mealwise/testing';

export interface SecretSpec {
  /** How a hit is reported, e.g. `GEMINI key chaosA (fingerprint 1a2b…)`; never the secret. */
  label: string;
  value: string;
}

export interface SecretHit {
  secret: string;
  where: string;
}

function variants(value: string): string[] {
  const out = new Set([value, Buffer.from(value).toString('base64'), encodeURIComponent(value)]);
  return [...out].filter((v) => v.length >= 8);
}

function* files(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* files(p);
    else if (st.isFile()) yield p;
  }
}

/** Finds `secrets` in `texts` (labelled); returns the hits, never the secrets themselves. */
export function scanTexts(secrets: SecretSpec[], texts: { where: string; text: string }[]): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const s of secrets) {
    const forms = variants(s.value);
    for (const t of texts) {
      if (forms.some((f) => t.text.includes(f))) hits.push({ secret: s.label, where: t.where });
    }
  }
  return hits;
}

export async function scanSecrets(o: {
  secrets: SecretSpec[];
  /** Directories whose files are scanned (logs, Redis AOF, anything the scenario wrote). */
  dirs?: string[];
  redis?: Redis;
  texts?: { where: string; text: string }[];
}): Promise<SecretHit[]> {
  const texts = [...(o.texts ?? [])];
  for (const dir of o.dirs ?? []) {
    for (const f of files(dir)) texts.push({ where: f, text: readFileSync(f).toString('latin1') });
  }
  if (o.redis) {
    const values = await dumpValues(o.redis, '');
    texts.push({ where: 'Redis (every key and value)', text: values.join('\n') });
  }
  return scanTexts(o.secrets, texts);
}
