import { createHash } from 'node:crypto';

/**
 * One configured API key. `key` is the secret: it lives in process memory only and is never
 * written to Redis, logs, metrics or errors — everything else refers to the key by `fingerprint`.
 */
export interface PoolKey {
  /** First 12 hex digits of SHA-256 of the key: stable whatever the key's position in the config. */
  readonly fingerprint: string;
  /** Google Cloud project the key belongs to; quotas are per (project, model). */
  readonly project: string;
  readonly key: string;
}

export function fingerprint(rawKey: string): string {
  return createHash('sha256').update(rawKey).digest('hex').slice(0, 12);
}

/** A problem with the key list, worded for the operator (never contains a key). */
export class KeyListError extends Error {
  readonly code = 'KEY_LIST_INVALID';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ParsedKeyList {
  keys: PoolKey[];
  /** Non-fatal oddities worth a log line (duplicates dropped), worded without secrets. */
  warnings: string[];
}

const PROJECT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const KEY = /^[A-Za-z0-9._~+/=-]{10,512}$/;

/**
 * Parses `GEMINI_API_KEYS`: comma-separated entries, each `key` or `project:key`. An unlabelled
 * key is its own project (named `key-<fingerprint>`), which is what Google does for a key created
 * in its own project. Spaces around entries are trimmed and empty entries ignored; the same key
 * listed twice is kept once; the same key under two projects, a malformed entry or an empty list
 * is an error naming the entry's position and fingerprint — never the key.
 */
export function parseKeyList(raw: string): ParsedKeyList {
  const keys: PoolKey[] = [];
  const warnings: string[] = [];
  const byFingerprint = new Map<string, { project: string; position: number }>();
  const entries = raw.split(',');
  entries.forEach((entry, index) => {
    const position = index + 1;
    const text = entry.trim();
    if (text === '') return;
    const colon = text.indexOf(':');
    const label = colon === -1 ? undefined : text.slice(0, colon).trim();
    const key = colon === -1 ? text : text.slice(colon + 1).trim();
    if (label !== undefined && !PROJECT.test(label)) {
      throw new KeyListError(
        `entry ${position} has an invalid project label (letters, digits, '.', '_', '-'; up to 63 characters)`,
      );
    }
    if (!KEY.test(key)) {
      throw new KeyListError(
        `entry ${position} is not a valid API key (no spaces or quotes inside a key; 10-512 characters)`,
      );
    }
    const fp = fingerprint(key);
    const project = label ?? `key-${fp}`;
    const seen = byFingerprint.get(fp);
    if (seen) {
      if (seen.project !== project) {
        throw new KeyListError(
          `entries ${seen.position} and ${position} list key ${fp} under two projects (${seen.project}, ${project})`,
        );
      }
      warnings.push(`entry ${position} repeats key ${fp} (entry ${seen.position}); counted once`);
      return;
    }
    byFingerprint.set(fp, { project, position });
    keys.push({ fingerprint: fp, project, key });
  });
  if (keys.length === 0) throw new KeyListError('lists no API keys');
  return { keys, warnings };
}
