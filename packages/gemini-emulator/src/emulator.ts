import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as bodies from './bodies.ts';
import {
  applyPatch,
  type ConfigPatch,
  type EmulatorConfig,
  FAULT_KINDS,
  type FaultKind,
  type KeySpec,
  limitsFor,
  parsePatch,
} from './config.ts';
import { createPrng } from './prng.ts';
import { type ProjectModelStats, QuotaTracker } from './quota.ts';
import { isErrorBody, parseGenerateRequest } from './request.ts';
import { modelResource, type SuccessKind, successBody } from './responses.ts';

export interface EmulatorStats {
  /** Emulator clock, ms. */
  now: number;
  /** Requests received on the Gemini routes (not /_emulator). */
  requests: number;
  /** Responses by HTTP status; hung requests are under "hang" until the client gives up. */
  byStatus: Record<string, number>;
  /** Responses by reason: `ok`, `API_KEY_INVALID`, `RATE_LIMIT_MINUTE`, `malformed`, ... */
  byReason: Record<string, number>;
  /** generateContent requests per key fingerprint (first 12 hex of SHA-256; never the key). */
  byKey: Record<string, number>;
  /** Requests currently held open by the `hang` fault. */
  hanging: number;
  /** Per project, per model: max requests in any rolling 60 s window, per Pacific day counts. */
  quotas: Record<string, Record<string, ProjectModelStats>>;
}

const JSON_TYPE = 'application/json; charset=UTF-8';
const GENERATE = /^\/(v1|v1beta)\/models\/([^/:]+):([A-Za-z]+)$/;
const MODELS = /^\/(v1|v1beta)\/models(?:\/([^/:]+))?$/;
const MAX_BODY = 4 * 1024 * 1024;

export const fingerprintOf = (key: string): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 12);

/** The request handling and state of one emulator; `server.ts` puts it behind node:http. */
export class Emulator {
  #config: EmulatorConfig;
  readonly #clock: () => number;
  readonly #quota = new QuotaTracker();
  readonly #fingerprints = new Map<string, string>();
  readonly #hanging = new Set<ServerResponse>();
  /** Answers waiting out their latency; cancelled on shutdown so they cannot hold the process open. */
  readonly #pending = new Set<NodeJS.Timeout>();
  #random: () => number;
  #script: (FaultKind | 'ok')[];
  #ids = 0;
  #requests = 0;
  #byStatus: Record<string, number> = {};
  #byReason: Record<string, number> = {};
  #byKey: Record<string, number> = {};

  constructor(config: EmulatorConfig, clock: () => number) {
    this.#config = config;
    this.#clock = clock;
    this.#random = createPrng(config.seed);
    this.#script = [...config.faults.script];
  }

  get config(): EmulatorConfig {
    return this.#config;
  }

  configure(input: ConfigPatch): void {
    const patch = parsePatch(input);
    this.#config = applyPatch(this.#config, patch);
    if (patch.seed !== undefined) this.#random = createPrng(patch.seed);
    if (patch.faults?.script) this.#script = [...patch.faults.script];
    for (const e of patch.exhaust ?? []) {
      const limits = limitsFor(this.#config, e.project, e.model);
      if (limits) this.#quota.exhaust(e.project, e.model, limits, e.window, this.#clock());
    }
  }

  reset(): void {
    this.#quota.reset();
    this.#requests = 0;
    this.#byStatus = {};
    this.#byReason = {};
    this.#byKey = {};
    this.#random = createPrng(this.#config.seed);
    this.#script = [...this.#config.faults.script];
  }

  stats(): EmulatorStats {
    const now = this.#clock();
    return {
      now,
      requests: this.#requests,
      byStatus: { ...this.#byStatus },
      byReason: { ...this.#byReason },
      byKey: { ...this.#byKey },
      hanging: this.#hanging.size,
      quotas: this.#quota.stats(now),
    };
  }

  /** Ends every hung response and cancels answers still waiting out their latency (server shutdown). */
  dropHanging(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      try {
        this.#route(req, res, size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        this.#send(res, {
          status: 500,
          body: JSON.stringify({ error: { code: 500, message: String(err), status: 'INTERNAL' } }),
          reason: 'EMULATOR_BUG',
        });
      }
    });
  }

  #route(req: IncomingMessage, res: ServerResponse, body: string | null) {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    if (path.startsWith('/_emulator/')) return this.#admin(req.method ?? 'GET', path, body, res);
    this.#requests++;
    if (body === null)
      return this.#send(res, bodies.badRequest('Request payload size exceeds the limit: 4194304 bytes.'));
    const key =
      (req.headers['x-goog-api-key'] as string | undefined) ?? url.searchParams.get('key') ?? undefined;
    const gen = GENERATE.exec(path);
    if (req.method === 'POST' && gen) {
      const [, version, model, method] = gen as unknown as [string, string, string, string];
      if (method !== 'generateContent') return this.#send(res, bodies.routeNotFound());
      return this.#generate(res, key, version, model, body);
    }
    const list = MODELS.exec(path);
    if (req.method === 'GET' && list) {
      const denied = this.#checkKey(key, list[1]!).error;
      if (denied) return this.#send(res, denied);
      const name = list[2];
      if (name === undefined) {
        const models = Object.keys(this.#config.models).map(modelResource);
        return this.#send(res, { status: 200, body: JSON.stringify({ models }), reason: 'ok' });
      }
      if (!this.#config.models[name]) return this.#send(res, bodies.modelNotFound(name, list[1]!));
      return this.#send(res, { status: 200, body: JSON.stringify(modelResource(name)), reason: 'ok' });
    }
    this.#send(res, bodies.routeNotFound());
  }

  #keySpec(key: string): KeySpec {
    const spec = this.#config.keys[key];
    if (spec) return spec;
    return this.#config.acceptUnknownKeys
      ? { project: `key-${this.#fingerprint(key)}`, state: 'valid' }
      : { state: 'invalid' };
  }

  #fingerprint(key: string): string {
    let fp = this.#fingerprints.get(key);
    if (!fp) {
      fp = fingerprintOf(key);
      this.#fingerprints.set(key, fp);
    }
    return fp;
  }

  #projectNumber(project: string): string {
    return (
      this.#config.projects[project]?.number ??
      String(Number.parseInt(fingerprintOf(project).slice(0, 10), 16))
    );
  }

  /** Key checks come first, as at Google's front end: a bad key never reaches a project or model. */
  #checkKey(key: string | undefined, version: string): { project?: string; error?: bodies.ErrorBody } {
    if (!key) return { error: bodies.missingKey() };
    const spec = this.#keySpec(key);
    const project = spec.project ?? `key-${this.#fingerprint(key)}`;
    const number = this.#projectNumber(project);
    switch (spec.state) {
      case 'invalid':
      case 'expired':
      case 'not_found':
        return { error: bodies.invalidKey(spec.state) };
      case 'unauthenticated':
        return { error: bodies.unauthenticated(version) };
      case 'suspended':
        return { error: bodies.consumerSuspended(number) };
      case 'service_blocked':
        return { error: bodies.serviceBlocked(number, version) };
      case 'service_disabled':
        return { error: bodies.serviceDisabled(number) };
      case 'leaked':
        return { error: bodies.leakedKey() };
      case 'location_unsupported':
        return { error: bodies.locationUnsupported() };
      case 'valid':
        break;
    }
    switch (this.#config.projects[project]?.state ?? 'active') {
      case 'suspended':
        return { error: bodies.consumerSuspended(number) };
      case 'service_disabled':
        return { error: bodies.serviceDisabled(number) };
      case 'location_unsupported':
        return { error: bodies.locationUnsupported() };
      default:
        return { project };
    }
  }

  #generate(res: ServerResponse, key: string | undefined, version: string, model: string, raw: string) {
    if (key) {
      const fp = this.#fingerprint(key);
      this.#byKey[fp] = (this.#byKey[fp] ?? 0) + 1;
    }
    const { project, error } = this.#checkKey(key, version);
    if (error || project === undefined) return this.#send(res, error ?? bodies.missingKey());
    const request = parseGenerateRequest(raw);
    if (isErrorBody(request)) return this.#send(res, request);
    const limits = limitsFor(this.#config, project, model);
    if (!limits) return this.#send(res, bodies.modelNotFound(model, version));
    const admission = this.#quota.admit(project, model, limits, this.#clock(), request.promptTokens);
    if (!admission.admitted) {
      return this.#send(
        res,
        bodies.quotaExceeded(
          admission.window,
          model,
          admission.limit,
          admission.retryDelayMs,
          this.#config.fractionalRetryDelay,
        ),
      );
    }
    const fault = this.#pickFault();
    if (fault === 'hang') {
      this.#count('hang', 'hang');
      this.#hanging.add(res);
      res.on('close', () => this.#hanging.delete(res));
      return;
    }
    const reply = () => {
      if (fault === 'unavailable') return this.#send(res, bodies.unavailable());
      if (fault === 'internal') return this.#send(res, bodies.internal());
      const body = successBody(request, fault as SuccessKind, model, this.#responseId());
      this.#send(res, { status: 200, body, reason: fault });
    };
    const { baseMs, jitterMs } = this.#config.latency;
    const delay = baseMs + (jitterMs > 0 ? this.#random() * jitterMs : 0);
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        reply();
      }, delay);
      this.#pending.add(timer);
    } else reply();
  }

  #pickFault(): FaultKind | 'ok' {
    const scripted = this.#script.shift();
    if (scripted) return scripted;
    const rates = this.#config.faults.rates;
    for (const kind of FAULT_KINDS) {
      const rate = rates[kind];
      if (rate > 0 && this.#random() < rate) return kind;
    }
    return 'ok';
  }

  #responseId(): string {
    // Google's ids are 20-odd base64url characters; a counter plus PRNG bits keeps them unique and replayable.
    const bits = Math.floor(this.#random() * 2 ** 48).toString(36);
    return `emu${(++this.#ids).toString(36)}${bits}`.padEnd(22, '0').slice(0, 22);
  }

  #count(status: string, reason: string): void {
    this.#byStatus[status] = (this.#byStatus[status] ?? 0) + 1;
    this.#byReason[reason] = (this.#byReason[reason] ?? 0) + 1;
  }

  #send(res: ServerResponse, reply: bodies.ErrorBody): void {
    this.#count(String(reply.status), reply.reason);
    if (res.destroyed) return;
    res.writeHead(reply.status, {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(reply.body),
    });
    res.end(reply.body);
  }

  #admin(method: string, path: string, body: string | null, res: ServerResponse) {
    const json = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (method === 'GET' && path === '/_emulator/stats') return json(200, this.stats());
    if (method === 'POST' && path === '/_emulator/reset') {
      this.reset();
      return json(200, { ok: true });
    }
    if (path === '/_emulator/config' && method === 'GET') return json(200, this.publicConfig());
    if (path === '/_emulator/config' && method === 'POST') {
      try {
        this.configure(body ? JSON.parse(body) : {});
        return json(200, this.publicConfig());
      } catch (err) {
        return json(400, {
          error: {
            code: 400,
            message: err instanceof Error ? err.message : String(err),
            status: 'INVALID_ARGUMENT',
          },
        });
      }
    }
    json(404, { error: { code: 404, message: 'Unknown emulator route.', status: 'NOT_FOUND' } });
  }

  /** The config with keys replaced by their fingerprints (keys never leave the process). */
  publicConfig(): Omit<EmulatorConfig, 'keys'> & { keys: Record<string, KeySpec> } {
    const keys: Record<string, KeySpec> = {};
    for (const [k, spec] of Object.entries(this.#config.keys)) keys[this.#fingerprint(k)] = spec;
    return { ...this.#config, keys };
  }
}
