import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort, type Spawned, spawnNodeTs } from '@mealwise/testing';
import { call, newKey } from './helpers.ts';

const cli = new URL('../src/cli.ts', import.meta.url).pathname;
let child: Spawned | undefined;
afterEach(async () => {
  child?.kill();
  if (child) await child.exited;
  child = undefined;
});

describe('gemini-emulator CLI', () => {
  it('starts from a config file and flags, prints the listening line, serves, stops on SIGTERM', async () => {
    const key = newKey();
    const dir = mkdtempSync(join(tmpdir(), 'gemini-emulator-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: { [key]: { project: 'demo' } }, models: { 'm-1': { rpm: 5, rpd: 5 } } }),
    );
    const port = await freePort();
    child = spawnNodeTs(cli, ['--port', String(port), '--config', file, '--seed', '3']);
    const line = await child.waitForLine('listening on');
    expect(line).toContain(`listening on http://127.0.0.1:${port}`);
    expect(line).not.toContain(key);
    const r = await call(`http://127.0.0.1:${port}`, key, { model: 'm-1' });
    expect(r.status).toBe(200);
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });

  it('rejects a bad flag or config with exit 2 and a message', async () => {
    child = spawnNodeTs(cli, ['--port', 'abc']);
    expect(await child.exited).toBe(2);
    expect(child.lines.join('\n')).toContain('--port must be a non-negative integer');
    const dir = mkdtempSync(join(tmpdir(), 'gemini-emulator-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ models: { m: { rpm: -1, rpd: 1 } } }));
    child = spawnNodeTs(cli, ['--config', file]);
    expect(await child.exited).toBe(2);
    expect(child.lines.join('\n')).toContain('models.m.rpm');
  });
});
