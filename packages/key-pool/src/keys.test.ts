import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { fingerprint, KeyListError, parseKeyList } from './keys.ts';

const k = () => `test-key-${randomUUID()}`;

function errorOf(raw: string): KeyListError {
  try {
    parseKeyList(raw);
  } catch (err) {
    return err as KeyListError;
  }
  throw new Error('expected a KeyListError');
}

describe('fingerprint', () => {
  it('is the first 12 hex digits of SHA-256', () => {
    const key = k();
    expect(fingerprint(key)).toBe(createHash('sha256').update(key).digest('hex').slice(0, 12));
    expect(fingerprint(key)).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('parseKeyList', () => {
  it('reads labelled and unlabelled keys; an unlabelled key is its own project', () => {
    const [a, b, c] = [k(), k(), k()];
    const { keys, warnings } = parseKeyList(`projA:${a},projA:${b},${c}`);
    expect(warnings).toEqual([]);
    expect(keys).toEqual([
      { key: a, fingerprint: fingerprint(a), project: 'projA' },
      { key: b, fingerprint: fingerprint(b), project: 'projA' },
      { key: c, fingerprint: fingerprint(c), project: `key-${fingerprint(c)}` },
    ]);
  });

  it('trims spaces and newlines around entries, labels and keys, and ignores empty entries', () => {
    const [a, b] = [k(), k()];
    const { keys } = parseKeyList(` \n projA : ${a} ,, ,\n${b},`);
    expect(keys.map((x) => [x.project, x.key])).toEqual([
      ['projA', a],
      [`key-${fingerprint(b)}`, b],
    ]);
  });

  it('keeps a key listed twice once, with a warning naming positions and fingerprint only', () => {
    const a = k();
    const { keys, warnings } = parseKeyList(`p:${a},p:${a}`);
    expect(keys).toHaveLength(1);
    expect(warnings).toEqual([`entry 2 repeats key ${fingerprint(a)} (entry 1); counted once`]);
    expect(warnings.join()).not.toContain(a);
  });

  it('treats an unlabelled duplicate of an unlabelled key as the same key', () => {
    const a = k();
    expect(parseKeyList(`${a}, ${a}`).keys).toHaveLength(1);
  });

  it('rejects the same key under two projects (its budget would be counted twice)', () => {
    const a = k();
    const err = errorOf(`p1:${a},p2:${a}`);
    expect(err).toBeInstanceOf(KeyListError);
    expect(err.code).toBe('KEY_LIST_INVALID');
    expect(err.message).toBe(`entries 1 and 2 list key ${fingerprint(a)} under two projects (p1, p2)`);
  });

  it('rejects a labelled and an unlabelled copy of one key', () => {
    const a = k();
    expect(errorOf(`p1:${a},${a}`).message).toContain('under two projects');
  });

  it.each([
    ['an empty string', ''],
    ['only separators and blanks', ' , ,, '],
  ])('rejects %s', (_what, raw) => {
    expect(errorOf(raw).message).toBe('lists no API keys');
  });

  it('rejects bad project labels by position, without echoing the key', () => {
    const a = k();
    for (const raw of [`:${a}`, `-proj:${a}`, `pro j:${a}`, `${'p'.repeat(64)}:${a}`, `{tag}:${a}`]) {
      const err = errorOf(`ok:${k()},${raw}`);
      expect(err.message).toMatch(/^entry 2 has an invalid project label/);
      expect(err.message).not.toContain(a);
    }
  });

  it('rejects malformed keys by position, without echoing them', () => {
    for (const bad of [
      'short',
      'has space inside-xxxxxx',
      '"quoted-key-xxxxx"',
      'a:b:c-xxxxxxxxxxx',
      'x'.repeat(513),
    ]) {
      const err = errorOf(`${k()},${bad}`);
      expect(err.message).toMatch(/^entry 2 is not a valid API key/);
      expect(err.message).not.toContain(bad);
    }
  });

  it('accepts a project label at the 63-character limit and keys with URL-safe punctuation', () => {
    const key = `abc_DEF-123.456~+/=${randomUUID()}`;
    const { keys } = parseKeyList(`${'p'.repeat(63)}:${key}`);
    expect(keys[0]).toMatchObject({ project: 'p'.repeat(63), key });
  });

  it('is independent of order: the same keys give the same fingerprints and projects', () => {
    const [a, b] = [k(), k()];
    const one = parseKeyList(`x:${a},y:${b}`).keys;
    const two = parseKeyList(`y:${b},x:${a}`).keys;
    const byFp = (l: typeof one) => Object.fromEntries(l.map((e) => [e.fingerprint, e.project]));
    expect(byFp(one)).toEqual(byFp(two));
  });
});
