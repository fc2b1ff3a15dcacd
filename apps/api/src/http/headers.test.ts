import { describe, expect, it } from '@jest/globals';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { captureHelmetHeaders, saneRequestId } from './headers.ts';

describe('captureHelmetHeaders', () => {
  it('equals what helmet itself sets on a real response', async () => {
    const app = express();
    app.use(helmet());
    app.get('/', (_req, res) => {
      res.end();
    });
    const res = await request(app).get('/');
    const captured = Object.fromEntries(captureHelmetHeaders());
    const real = Object.fromEntries(
      Object.entries(res.headers).filter(
        ([k]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(k),
      ),
    );
    expect(captured).toEqual(real);
    expect(Object.keys(captured)).toContain('content-security-policy');
    expect(Object.keys(captured)).not.toContain('x-powered-by');
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
