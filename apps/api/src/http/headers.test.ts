import { describe, expect, it } from '@jest/globals';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { API_HELMET, captureHelmetHeaders, PAGE_HELMET, saneRequestId } from './headers.ts';

describe('captureHelmetHeaders', () => {
  it.each([
    ['API', API_HELMET],
    ['page', PAGE_HELMET],
  ])('equals what helmet itself sets on a real response (%s options)', async (_label, options) => {
    const app = express();
    app.use(helmet(options));
    app.get('/', (_req, res) => {
      res.end();
    });
    const res = await request(app).get('/');
    const captured = Object.fromEntries(captureHelmetHeaders(options));
    const real = Object.fromEntries(
      Object.entries(res.headers).filter(
        ([k]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(k),
      ),
    );
    expect(captured).toEqual(real);
    expect(Object.keys(captured)).toContain('content-security-policy');
    expect(Object.keys(captured)).not.toContain('x-powered-by');
  });

  it('gives JSON responses a deny-all CSP and no framing', () => {
    const api = Object.fromEntries(captureHelmetHeaders(API_HELMET));
    expect(api['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(api['x-frame-options']).toBe('DENY');
    expect(api['x-content-type-options']).toBe('nosniff');
    expect(api['strict-transport-security']).toMatch(/^max-age=\d+/);
  });
});

describe('saneRequestId', () => {
  it('keeps short plain ids only', () => {
    expect(saneRequestId('abc-123_x.y:z@w')).toBe('abc-123_x.y:z@w');
    for (const bad of ['', 'a b', 'x'.repeat(129), 'a\nb', '<script>', undefined, ['a', 'b']]) {
      expect(saneRequestId(bad as string)).toBeUndefined();
    }
  });
});
