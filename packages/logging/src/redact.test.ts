import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.ts';
import { REDACTED, Redactor } from './redact.ts';

const fakeKey = `AIza${'x'.repeat(35)}`;

describe('Redactor', () => {
  it('masks registered secrets anywhere in strings', () => {
    const r = new Redactor(['s3cret-token-value']);
    expect(r.redactString('Bearer s3cret-token-value failed')).toBe(`Bearer ${REDACTED} failed`);
  });

  it('masks Google-shaped keys even when not registered', () => {
    expect(new Redactor().redactString(`key=${fakeKey}&x=1`)).toBe(`key=${REDACTED}&x=1`);
  });

  it('masks credential fields by name but keeps numbers and fingerprints', () => {
    const out = new Redactor().redact({
      authorization: 'tma abc',
      headers: { 'x-goog-api-key': 'whatever', accept: 'json' },
      keyFingerprint: 'a1b2c3d4e5f6',
      tokens: 508,
    });
    expect(out).toEqual({
      authorization: REDACTED,
      headers: { 'x-goog-api-key': REDACTED, accept: 'json' },
      keyFingerprint: 'a1b2c3d4e5f6',
      tokens: 508,
    });
  });

  it('redacts error messages and stacks, survives cycles', () => {
    const err = new Error(`bad key ${fakeKey}`);
    const cyclic: Record<string, unknown> = { err };
    cyclic.self = cyclic;
    const out = new Redactor().redact(cyclic) as { err: { message: string; stack: string }; self: unknown };
    expect(out.err.message).toBe(`bad key ${REDACTED}`);
    expect(out.err.stack).not.toContain(fakeKey);
    expect(out.self).toBe('[Truncated]');
  });
});

describe('createLogger', () => {
  it('writes JSON lines with service and time, never a secret', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const logger = createLogger({ service: 'test', stream, secrets: ['very-secret-admin-token'] });
    logger.child({ module: 'm' }).info('call failed very-secret-admin-token', {
      tgid: 1,
      error: new Error(`key ${fakeKey} rejected`),
    });
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'info', service: 'test', module: 'm', tgid: 1 });
    expect(typeof line.time).toBe('string');
    expect(lines[0]).not.toContain('very-secret-admin-token');
    expect(lines[0]).not.toContain(fakeKey);
  });
});
