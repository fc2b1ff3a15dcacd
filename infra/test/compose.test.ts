import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseEnv } from '@mealwise/config';
import {
  APP_SCHEMAS,
  allAppVariables,
  looksSecret,
  SECRET_VARIABLES,
  WORKER_SCHEMA,
  workerExitMarginMs,
} from '../src/apps.ts';
import { isCliCommand } from '../src/cli.ts';
import { readText, readYaml, repoPath } from '../src/repo.ts';

// docker compose cannot run here: the file is parsed (merge keys resolved, as compose does) and
// its invariants checked; GitHub's runners build and run it (infra/scripts/compose-smoke.sh).

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  deploy?: { replicas?: number };
  restart?: string;
  stop_grace_period?: string;
  volumes?: string[];
}

const compose = readYaml<{ services: Record<string, Service> }>('infra/docker-compose.yml');
const s = compose.services;
const dockerfile = readText('infra/docker/Dockerfile');
const targetHasHealthcheck = (target: string) => {
  const block = dockerfile.split(/^FROM /m).find((b) => b.includes(` AS ${target}\n`)) ?? '';
  return /^HEALTHCHECK (?!NONE)/m.test(block);
};
/** `${VAR:-default}` → default (what compose substitutes when the variable is unset). */
const defaultOf = (v: string) => v.replace(/\$\{\w+:-([^}]*)\}/g, '$1');
const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1]);

describe('docker-compose.yml', () => {
  it('has the services of the stack, the emulator under the demo profile', () => {
    for (const name of ['postgres', 'redis', 'migrate', 'api', 'worker']) {
      expect({ name, profiles: s[name]?.profiles }).toEqual({ name, profiles: undefined });
    }
    expect(s['gemini-emulator']?.profiles).toEqual(['demo']);
  });

  it('runs Redis with AOF and noeviction (BullMQ loses jobs under eviction)', () => {
    const cmd = s.redis?.command ?? [];
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
  });

  it('migrates once, with a real CLI command, before the api and workers start', () => {
    expect(isCliCommand(s.migrate?.command ?? [])).toBe(true);
    expect(s.migrate?.command).toEqual(['db', 'migrate']);
    expect(s.migrate?.restart).toBe('no');
    for (const app of ['api', 'worker']) {
      expect(s[app]?.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(s[app]?.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(s[app]?.depends_on?.redis?.condition).toBe('service_healthy');
    }
  });

  it('waits only on services that can report health', () => {
    for (const [name, svc] of Object.entries(s)) {
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        if (cond.condition !== 'service_healthy') continue;
        const target = s[dep];
        const healthy =
          Boolean(target?.healthcheck) || (target?.build ? targetHasHealthcheck(target.build.target) : false);
        expect({ name, dep, healthy }).toEqual({ name, dep, healthy: true });
      }
    }
    // The optional emulator dependency must not make the stack need the demo profile.
    expect(s.worker?.depends_on?.['gemini-emulator']?.required).toBe(false);
  });

  it('runs two worker replicas with a stop grace period above their shutdown bound', () => {
    expect(s.worker?.deploy?.replicas).toBe(2);
    const env = parseEnv(WORKER_SCHEMA, {
      ...Object.fromEntries(Object.entries(s.worker?.environment ?? {}).map(([k, v]) => [k, defaultOf(v)])),
      GEMINI_API_KEYS: 'p:placeholder-key',
    });
    expect(seconds(s.worker?.stop_grace_period ?? '') * 1000).toBeGreaterThan(
      env.WORKER_SHUTDOWN_TIMEOUT_MS + workerExitMarginMs(),
    );
  });

  it('builds every app image from a Dockerfile target', () => {
    const targets = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)/gm)].map((m) => m[1]);
    for (const svc of Object.values(s).filter((x) => x.build)) {
      expect(targets).toContain(svc.build?.target);
      expect(svc.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(existsSync(join(repoPath('infra'), svc.build?.context ?? '', svc.build?.dockerfile ?? ''))).toBe(
        true,
      );
      expect(svc.image?.split(':')[0]).toBe(`mealwise-${svc.build?.target}`);
    }
  });

  it('passes the apps only variables they know, and secrets only from the environment', () => {
    const known = allAppVariables();
    for (const app of ['api', 'worker', 'migrate', 'cli']) {
      for (const [name, value] of Object.entries(s[app]?.environment ?? {})) {
        expect({ app, name, known: known.has(name) }).toEqual({ app, name, known: true });
        if (SECRET_VARIABLES.has(name) || looksSecret(name)) {
          // Keys and tokens come from the environment; connection URLs may be literal without a password.
          const safe =
            /^\$\{\w+:-\}$/.test(value) || (name.endsWith('_URL') && new URL(value).password === '');
          expect({ app, name, safe }).toEqual({ app, name, safe: true });
        }
      }
    }
    // With the variables unset the defaults parse (except what the operator must supply).
    for (const app of ['api', 'worker'] as const) {
      const env = Object.fromEntries(
        Object.entries(s[app]?.environment ?? {}).map(([k, v]) => [k, defaultOf(v)]),
      );
      const schema = APP_SCHEMAS[app]!;
      const supplied = {
        GEMINI_API_KEYS: 'p:placeholder-key',
        API_TOKENS: 'x'.repeat(16),
        ADMIN_TOKEN: 'y'.repeat(16),
      };
      expect(() => parseEnv(schema, { ...env, ...supplied })).not.toThrow();
    }
  });

  it('mounts files that exist', () => {
    for (const svc of Object.values(s)) {
      for (const v of svc.volumes ?? []) {
        const src = v.split(':')[0] as string;
        if (src.startsWith('.'))
          expect({ v, exists: existsSync(join(dirname(repoPath('infra/docker-compose.yml')), src)) }).toEqual(
            { v, exists: true },
          );
      }
    }
  });

  it("uses the emulator's keys in the smoke test, the revoked one included", () => {
    const config = JSON.parse(readText('infra/docker/emulator.compose.json')) as {
      keys: Record<string, { project: string; state?: string }>;
    };
    const smoke = readText('infra/scripts/compose-smoke.sh');
    const keys = /GEMINI_API_KEYS="([^"]+)"/.exec(smoke)?.[1]?.split(',') ?? [];
    expect(keys.sort()).toEqual(
      Object.entries(config.keys)
        .map(([k, v]) => `${v.project}:${k}`)
        .sort(),
    );
    expect(Object.values(config.keys).some((k) => k.state === 'invalid')).toBe(true);
    const commands = [...smoke.matchAll(/run --rm -T cli ([a-z0-9 -]+?)(?: \||$)/gm)].map((m) =>
      (m[1] as string).trim(),
    );
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const cmd of commands)
      expect({ cmd, real: isCliCommand(cmd.split(/\s+/)) }).toEqual({ cmd, real: true });
  });
});
