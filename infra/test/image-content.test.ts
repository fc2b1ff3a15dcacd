import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { deleteByPrefix, spawnProcess, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Redis } from 'ioredis';
import { REPO_ROOT, readText } from '../src/repo.ts';

// What goes into an image, without Docker: the Dockerfile's own build and `pnpm deploy` commands
// run here, then each deployed app is started with plain `node` (no @mealwise/source condition,
// no devDependencies, no workspace sources) and must work.

const dockerfile = readText('infra/docker/Dockerfile');
const deployCommand = /(pnpm --filter "@mealwise\/\$\{app\}" deploy [^"]*)"\/deploy\/\$\{app\}"/.exec(
  dockerfile,
)?.[1];
const out = mkdtempSync(join(tmpdir(), 'mealwise-deploy-'));
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
const prefix = uniquePrefix('image');
let db: MigratedTestDatabase;

const sh = (cmd: string) =>
  execFileSync('bash', ['-c', cmd], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function deploy(app: string): string {
  const dir = join(out, app);
  sh(`app=${app}; ${deployCommand}"${dir}"`);
  return dir;
}

beforeAll(() => {
  // `pnpm build` (turbo, cached: .ci/run has usually built everything already) for the three apps.
  sh(
    'pnpm exec turbo run build --filter=@mealwise/api... --filter=@mealwise/worker... --filter=@mealwise/cli... --output-logs=errors-only',
  );
}, 300_000);

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await deleteByPrefix(redis, `${prefix}:`);
  await redis.quit();
  await db?.dispose();
});

describe('pnpm deploy --prod output (the content of each image)', () => {
  it('is the command the Dockerfile runs', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, not a JS template
    expect(deployCommand).toBe('pnpm --filter "@mealwise/${app}" deploy --prod ');
  });

  it('holds no devDependencies and no test helpers', () => {
    const dir = deploy('worker');
    const modules = readdirSync(join(dir, 'node_modules', '@mealwise'));
    expect(modules).toContain('key-pool');
    expect(modules).not.toContain('testing');
    expect(readdirSync(join(dir, 'node_modules'))).not.toContain('jest');
  }, 120_000);

  it('runs the worker from dist with plain node: /healthz and /metrics answer', async () => {
    const dir = join(out, 'worker');
    db = await createMigratedTestDatabase();
    const worker = spawnProcess(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: {
        NODE_OPTIONS: '',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        BULL_PREFIX: prefix,
        GEMINI_KEY_POOL_PREFIX: `${prefix}:gemini:`,
        GEMINI_API_KEYS: `p:test-key-${randomUUID()}`,
        WORKER_METRICS_PORT: '0',
        RECS_SCHEDULER_ENABLED: 'false',
      },
    });
    try {
      const line = await worker.waitForLine('"worker started"', 60_000);
      const port = (JSON.parse(line) as { metricsPort: number }).metricsPort;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The key-pool gauges need the Lua scripts: they come from the deployed package's dist/lua.
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(
        /^mealwise_key_pool_up 1$/m,
      );
    } finally {
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  }, 120_000);

  it('runs the CLI from dist: `db migrate` on a fresh database', async () => {
    const dir = deploy('cli');
    const name = `t_image_${randomBytes(5).toString('hex')}`;
    const url = db.url.replace(/\/[^/]+$/, `/${name}`);
    const cli = spawnProcess(process.execPath, ['dist/main.js', 'db', 'migrate', '--json'], {
      cwd: dir,
      env: { NODE_OPTIONS: '', DATABASE_URL: url },
    });
    expect(await cli.exited).toBe(0);
    expect(JSON.parse(cli.lines.join('\n')).applied.length).toBeGreaterThan(0);
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }, 120_000);

  it('runs the API from dist: /healthz answers', async () => {
    const dir = deploy('api');
    const api = spawnProcess(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: {
        NODE_OPTIONS: '',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        BULL_PREFIX: prefix,
        API_PORT: '0',
        API_HOST: '127.0.0.1',
        API_TOKENS: randomBytes(16).toString('hex'),
      },
    });
    try {
      const line = await api.waitForLine('"listening"', 60_000);
      const port = (JSON.parse(line) as { port: number }).port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/openapi.json`)).status).toBe(200);
    } finally {
      api.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    }
  }, 120_000);
});
