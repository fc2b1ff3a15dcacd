import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { readJson, readText, repoPath } from '../src/repo.ts';

// The Dockerfile, parsed: what each image is built from, what it holds and how it runs.

const dockerfile = DockerfileParser.parse(readText('infra/docker/Dockerfile'));
const stages = new Map(dockerfile.getFROMs().map((from) => [from.getBuildStage() ?? '', from] as const));
const args = new Map(
  dockerfile.getInitialARGs().flatMap((i) => {
    const m = /^ARG (\w+)=(\S+)/.exec(i.getTextContent());
    return m ? [[m[1] as string, m[2] as string] as const] : [];
  }),
);
const TARGETS = {
  api: 'apps/api',
  worker: 'apps/worker',
  cli: 'apps/cli',
  'gemini-emulator': 'packages/gemini-emulator',
};

/** Instructions of a stage (between its FROM and the next). */
function stage(name: string): Instruction[] {
  const all = dockerfile.getInstructions();
  const start = all.findIndex((i) => i.getKeyword() === 'FROM' && i.getTextContent().endsWith(` AS ${name}`));
  if (start < 0) throw new Error(`no stage ${name}`);
  const end = all.findIndex((i, j) => j > start && i.getKeyword() === 'FROM');
  return all.slice(start, end < 0 ? undefined : end);
}

/** A stage's instructions including those of the stages it is built FROM. */
function effective(name: string): Instruction[] {
  const own = stage(name);
  const parent = own[0]?.getTextContent().split(/\s+/)[1] ?? '';
  return stages.has(parent) ? [...effective(parent), ...own.slice(1)] : own;
}
const last = (name: string, keyword: string) =>
  effective(name)
    .filter((i) => i.getKeyword() === keyword)
    .pop();
const jsonArgs = (i: Instruction | undefined) =>
  JSON.parse(i?.getTextContent().replace(/^\w+\s+/, '') ?? 'null') as string[] | null;

describe('Dockerfile', () => {
  it('builds every image on Node 22, the version package.json asks for', () => {
    const base = args.get('NODE_IMAGE');
    expect(base).toMatch(/^node:22-bookworm-slim$/);
    const engines = readJson<{ engines: { node: string } }>('package.json').engines.node;
    expect(engines).toMatch(/^>=22\./);
    for (const s of ['toolchain', 'runtime'])
      expect(stage(s)[0]?.getTextContent()).toBe(`FROM \${NODE_IMAGE} AS ${s}`);
  });

  it('installs the pnpm version pinned in package.json', () => {
    const pinned = readJson<{ devEngines: { packageManager: { version: string } } }>('package.json')
      .devEngines.packageManager.version;
    expect(readText('infra/docker/Dockerfile')).toContain(`ARG PNPM_VERSION=${pinned}`);
  });

  it('builds from the lockfile and deploys each app with only its production dependencies', () => {
    const run = stage('build')
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getTextContent())
      .join('\n');
    expect(run).toContain('pnpm install --frozen-lockfile');
    expect(run).toContain('pnpm build');
    expect(run).toMatch(/pnpm --filter "@mealwise\/\$\{app\}" deploy --prod/);
    const loop = /for app in ([\w\s-]+); do/.exec(run)?.[1]?.trim().split(/\s+/);
    expect(loop?.sort()).toEqual(Object.keys(TARGETS).sort());
  });

  it.each(Object.entries(TARGETS))(
    'target %s copies only its own deploy output and runs dist with plain node',
    (target, dir) => {
      const copies = stage(target).filter((i) => i.getKeyword() === 'COPY');
      expect(copies.length).toBe(3);
      for (const c of copies) expect(c.getTextContent()).toContain(`--from=build /deploy/${target}/`);
      // The entry point is the compiled one, and its source exists (tsc maps src/x.ts to dist/x.js).
      const cmd = jsonArgs(last(target, 'CMD'));
      const entry = jsonArgs(last(target, 'ENTRYPOINT'));
      const script = [...(entry ?? []), ...(cmd ?? [])].find((a) => a.startsWith('dist/'));
      expect(script).toMatch(/^dist\/\w+\.js$/);
      expect(existsSync(repoPath(dir, script!.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(
        true,
      );
      // Never the TypeScript sources through the @mealwise/source condition.
      expect([...(entry ?? []), ...(cmd ?? [])].join(' ')).not.toContain('conditions');
    },
  );

  it.each(Object.keys(TARGETS))('target %s runs as a non-root user under tini', (target) => {
    const user = last(target, 'USER')?.getTextContent().split(/\s+/)[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(jsonArgs(last(target, 'ENTRYPOINT'))?.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
  });

  it('gives every long-running image a HEALTHCHECK on a health route, and the one-shot CLI none', () => {
    for (const target of ['api', 'worker', 'gemini-emulator']) {
      const hc = last(target, 'HEALTHCHECK')?.getTextContent() ?? '';
      expect(hc).toMatch(
        /CMD \["node", "\/usr\/local\/lib\/mealwise\/healthcheck\.mjs", "\w+", "\d+", "\/\S+"\]/,
      );
    }
    expect(last('cli', 'HEALTHCHECK')?.getTextContent()).toBe('HEALTHCHECK NONE');
    expect(existsSync(repoPath('infra/docker/healthcheck.mjs'))).toBe(true);
  });

  it('exposes the ports the apps listen on by default', () => {
    expect(last('api', 'EXPOSE')?.getTextContent()).toBe('EXPOSE 3000');
    expect(last('worker', 'EXPOSE')?.getTextContent()).toBe('EXPOSE 9464');
  });

  it('keeps the build context small and secret-free', () => {
    const ignore = readText('infra/docker/Dockerfile.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.env', '.env.*', '.toolchain']) {
      expect(ignore).toContain(entry);
    }
  });
});

describe('workspace packages in the images', () => {
  // A deployed app imports its workspace dependencies by their package.json `exports` — without the
  // `@mealwise/source` condition, so `default` must be the compiled file, and files read at run
  // time (Lua scripts) must be copied into dist by the build.
  // Every package a deployed app depends on, directly or through another package (the
  // reliability suite, packages/chaos, is a test harness that no image carries).
  const workspaceDeps = (path: string) =>
    Object.entries(readJson<{ dependencies?: Record<string, string> }>(path).dependencies ?? {})
      .filter(([name, version]) => name.startsWith('@mealwise/') && version.startsWith('workspace:'))
      .map(([name]) => name.slice('@mealwise/'.length));
  const pkgs: string[] = [];
  const visit = (name: string) => {
    if (pkgs.includes(name)) return;
    pkgs.push(name);
    workspaceDeps(`packages/${name}/package.json`).forEach(visit);
  };
  for (const app of readdirSync(repoPath('apps')).filter((d) =>
    existsSync(repoPath('apps', d, 'package.json')),
  ))
    workspaceDeps(`apps/${app}/package.json`).forEach(visit);
  // The emulator is an image of its own (target gemini-emulator) though no app depends on it.
  visit('gemini-emulator');
  pkgs.sort();

  it('are all checked', () => expect(pkgs.length).toBeGreaterThanOrEqual(10));

  it.each(pkgs)('@mealwise/%s exports dist by default (and ships its Lua scripts)', (name) => {
    const pkg = readJson<{
      exports: Record<string, Record<string, string>>;
      files?: string[];
      scripts: { build: string };
    }>(`packages/${name}/package.json`);
    for (const entry of Object.values(pkg.exports)) {
      expect(entry.default).toMatch(/^\.\/dist\/.+\.js$/);
      expect(entry['@mealwise/source']).toMatch(/^\.\/src\/.+\.ts$/);
    }
    expect(pkg.files).toEqual(['dist']);
    if (existsSync(repoPath(`packages/${name}/src/lua`)))
      expect(pkg.scripts.build).toMatch(/cp .*lua.* dist/);
  });
});
