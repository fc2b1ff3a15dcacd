import { expect } from '@jest/globals';
import type { Stack } from '../../src/harness/index.ts';

/**
 * The pool as an operator sees it through the API (`GET /v1/admin/key-pool`, on an API started for
 * it): must answer 200; the body joins the secrets scan, since it names keys (by fingerprint only).
 */
export async function adminKeyPool(stack: Stack): Promise<string> {
  const api = await stack.startApi();
  const res = await fetch(`${api.url}/v1/admin/key-pool`, {
    headers: { authorization: `Bearer ${stack.tokens.admin}` },
  });
  const body = await res.text();
  stack.noteText('GET /v1/admin/key-pool', body);
  expect(res.status).toBe(200);
  return body;
}
