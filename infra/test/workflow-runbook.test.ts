import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { allAppVariables } from '../src/apps.ts';
import { isCliCommand } from '../src/cli.ts';
import { readText, readYaml, repoPath } from '../src/repo.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  'timeout-minutes'?: number;
  needs?: string;
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, string[]> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

const wf = readYaml<Workflow>('.github/workflows/images.yml');
const jobs = Object.entries(wf.jobs);
const steps = jobs.flatMap(([, j]) => j.steps);
const runs = steps.map((s) => s.run ?? '').join('\n');
const dockerTargets = [...readText('infra/docker/Dockerfile').matchAll(/^FROM \S+ AS (\S+)/gm)]
  .map((m) => m[1] as string)
  .filter((t) => !['toolchain', 'build', 'runtime'].includes(t));

describe('images workflow', () => {
  it('runs on pushes to main and pull requests, never on pull_request_target', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(wf.on).not.toHaveProperty('pull_request_target');
  });

  it('has least-privilege permissions: read-only by default, packages:write only where it publishes', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of jobs) {
      const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v === 'write');
      if (writes.length) {
        expect({ name, writes }).toEqual({ name, writes: [['packages', 'write']] });
        // Only after the smoke test passed, and only for main.
        expect(job.needs).toBe('smoke');
        expect(job.if).toContain("github.ref == 'refs/heads/main'");
        expect(job.if).toContain("github.event_name == 'push'");
      }
    }
  });

  it('cancels superseded runs of the same ref', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
    expect(wf.concurrency.group).toContain('${{ github.ref }}');
    expect(wf.concurrency['cancel-in-progress']).toBe(true);
  });

  it('checks out without persisting credentials, bounds every job in time, pins action versions', () => {
    for (const [, job] of jobs) {
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      expect(job['runs-on']).toMatch(/^ubuntu-\d/);
    }
    for (const s of steps.filter((x) => x.uses)) {
      expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
      if (s.uses?.startsWith('actions/checkout')) expect(s.with?.['persist-credentials']).toBe(false);
    }
  });

  it('builds every image target, checks the manifests with the real tools and runs the smoke test', () => {
    expect(runs).toContain('kubectl kustomize infra/k8s/base');
    expect(runs).toContain('kubectl kustomize infra/k8s/overlays/example');
    expect(runs).toMatch(/promtool\s+\\?\s*.*check rules \/rules\/alerts\.yml/s);
    expect(runs).toContain('bash infra/scripts/compose-smoke.sh');
    expect(existsSync(repoPath('infra/scripts/compose-smoke.sh'))).toBe(true);
    const publish = wf.jobs.publish;
    expect(publish?.strategy?.matrix.target?.sort()).toEqual([...dockerTargets].sort());
    const push = publish?.steps.find((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(push?.with?.file).toBe('infra/docker/Dockerfile');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
    expect(push?.with?.target).toBe('${{ matrix.target }}');
  });

  it('leaves ci.yml as it is: the same install and test as .ci/run', () => {
    expect(readText('.github/workflows/ci.yml')).toContain('bash .ci/run');
  });
});

describe('runbook (docs/operations.md)', () => {
  const doc = readText('docs/operations.md');

  it('uses only CLI commands that exist', () => {
    const commands = [
      ...doc.matchAll(/(?:pnpm mealwise|node dist\/main\.js|run --rm cli) ([a-z][a-z0-9 <>[\]-]*)/g),
    ].map((m) =>
      (m[1] as string)
        .replace(/<[^>]+>/g, '123')
        .replace(/\[[^\]]+\]/g, '')
        .trim()
        .split(/\s+/)
        .filter((w) => !['or', 'for', 'and'].includes(w)),
    );
    expect(commands.length).toBeGreaterThan(15);
    for (const words of commands) {
      // The longest prefix that forms a command (prose may follow it).
      const ok = words.some((_, i) => isCliCommand(words.slice(0, words.length - i)));
      expect({ command: words.join(' '), ok }).toEqual({ command: words.join(' '), ok: true });
    }
  });

  it('names only variables the apps read (and error codes their code or READMEs have)', () => {
    const known = allAppVariables();
    const named = new Set(
      [...doc.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)].map((m) => m[1] as string),
    );
    const inCode = new Set<string>();
    for (const dir of ['apps', 'packages']) {
      for (const file of readdirSync(repoPath(dir), { recursive: true, encoding: 'utf8' })) {
        if (!/(\/src\/.*\.ts|^[\w-]+\/README\.md)$/.test(file) || file.includes('node_modules')) continue;
        for (const m of readText(dir, file).matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)) inCode.add(m[0]);
      }
    }
    expect([...named].filter((v) => known.has(v)).length).toBeGreaterThan(10);
    expect([...named].filter((v) => !known.has(v) && !inCode.has(v))).toEqual([]);
  });

  it('covers what the issue asks for', () => {
    for (const heading of [
      '### All keys exhausted',
      '### Invalid keys',
      '### Slow generation or errors',
      '## Adding keys and projects',
      '## Scaling workers',
      '## Redis Cluster prefixes',
      '## Upgrading the model when Google retires one',
      '## Restoring after a Redis loss',
    ]) {
      expect(doc).toContain(heading);
    }
    for (const prefix of ['{bull}', '{gemini}:']) expect(doc).toContain(prefix);
    for (const v of ['GEMINI_MODEL', 'GEMINI_FALLBACK_MODELS']) expect(doc).toContain(v);
  });
});
