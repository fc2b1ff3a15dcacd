import crypto from 'node:crypto';

// `crypto` is used through its default export (not a named import) so that tests can observe
// the constant-time comparison with a spy on `crypto.timingSafeEqual`.

/** SHA-256 of a credential: what SecretSet compares. One-shot hash(), no Hash object per call. */
export const digest = (value: string): Buffer => crypto.hash('sha256', value, 'buffer');

/**
 * A set of secrets (bearer tokens, a password) checked in constant time. Both sides are hashed
 * first, so the comparison always runs over 32 bytes: neither the candidate's length nor how many
 * leading characters it shares with a secret changes the timing. Every entry is compared (no early
 * exit), so neither does which entry matched.
 */
export class SecretSet {
  readonly #digests: Buffer[];

  constructor(secrets: Iterable<string>) {
    this.#digests = [...new Set(secrets)].map(digest);
  }

  get size(): number {
    return this.#digests.length;
  }

  has(candidate: string): boolean {
    return this.hasDigest(digest(candidate));
  }

  /** For a candidate already hashed with `digest` (checked against several sets, hashed once). */
  hasDigest(candidateDigest: Buffer): boolean {
    let found = false;
    for (const secret of this.#digests) {
      if (crypto.timingSafeEqual(candidateDigest, secret)) found = true;
    }
    return found;
  }
}

/** Constant-time equality of two byte strings of any length (hash-then-compare). */
export function safeEqual(a: string, b: string): boolean {
  return crypto.timingSafeEqual(digest(a), digest(b));
}
