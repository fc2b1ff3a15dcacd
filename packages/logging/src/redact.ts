// Secret redaction applied inside the log format itself, so no call site can leak a key or token
// by accident: field names that carry credentials are masked whatever their value, and any
// registered secret (API keys, bearer tokens, the bot token) is masked wherever it appears in a
// string — messages, error texts, nested fields.

export const REDACTED = '[REDACTED]';

// Normalised (lower case, no '-'/'_') names of fields whose string values are credentials.
const SENSITIVE_FIELDS = new Set([
  'authorization',
  'apikey',
  'xgoogapikey',
  'key',
  'rawkey',
  'token',
  'accesstoken',
  'bottoken',
  'admintoken',
  'apitokens',
  'password',
  'secret',
  'cookie',
  'setcookie',
  'initdata',
]);

// Google API keys have a recognisable shape: mask them even when nobody registered them.
const GOOGLE_KEY_PATTERN = /AIza[0-9A-Za-z_-]{35}/g;

const normalise = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

export function isSensitiveField(name: string): boolean {
  return SENSITIVE_FIELDS.has(normalise(name));
}

export class Redactor {
  readonly #secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.addSecrets(secrets);
  }

  /** Registers more values to mask (ignores short strings that would mask ordinary words). */
  addSecrets(secrets: Iterable<string>): void {
    for (const s of secrets) {
      if (typeof s === 'string' && s.length >= 8 && !this.#secrets.includes(s)) this.#secrets.push(s);
    }
    // Longest first so a secret containing another one is masked whole.
    this.#secrets.sort((a, b) => b.length - a.length);
  }

  redactString(value: string): string {
    let out = value;
    for (const s of this.#secrets) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    return out.replace(GOOGLE_KEY_PATTERN, REDACTED);
  }

  /** Returns a redacted deep copy of `value` (depth-limited; cycles cut). */
  redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 8 || seen.has(value)) return '[Truncated]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => this.redact(v, depth + 1, seen));
    if (value instanceof Error) {
      const out: Record<string, unknown> = {
        name: value.name,
        message: this.redactString(value.message),
      };
      if (value.stack) out.stack = this.redactString(value.stack);
      for (const [k, v] of Object.entries(value)) out[k] = this.#field(k, v, depth, seen);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.#field(k, v, depth, seen);
    return out;
  }

  #field(name: string, value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string' && isSensitiveField(name)) return REDACTED;
    return this.redact(value, depth + 1, seen);
  }
}
