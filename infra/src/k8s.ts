import { containersOf, meta, podSpecOf } from './kustomize.ts';
import type { Obj } from './repo.ts';

export interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
  };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvEntry[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Obj;
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
}

export const byKind = (objects: Obj[], kind: string): Obj[] => objects.filter((o) => o.kind === kind);

export function find(objects: Obj[], kind: string, name: string): Obj {
  const o = objects.find((x) => x.kind === kind && meta(x).name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
}

export const containers = (o: Obj): Container[] => containersOf(o) as unknown as Container[];
export const podSpec = (o: Obj): Obj => podSpecOf(o) ?? {};

/**
 * The environment a container starts with: its ConfigMaps (`envFrom`), then its own `env` entries;
 * secretKeyRef values are taken from `secrets` (the example Secret), or left out when missing.
 */
export function effectiveEnv(
  c: Container,
  configMaps: Map<string, Record<string, string>>,
  secrets: Map<string, Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, configMaps.get(from.configMapRef.name) ?? {});
    if (from.secretRef) Object.assign(env, secrets.get(from.secretRef.name) ?? {});
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (ref) {
      const source = e.valueFrom?.secretKeyRef ? secrets : configMaps;
      const v = source.get(ref.name)?.[ref.key];
      if (v !== undefined) env[e.name] = v;
    }
  }
  return env;
}

/** Resolves a probe's port (a number or a container port name) to a number. */
export function probePort(c: Container, probe: Probe): number {
  const port = probe.httpGet?.port;
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`container ${c.name}: probe port "${String(port)}" is not a named port`);
  return named.containerPort;
}

export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: Record<string, string>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Kubernetes quantities → numbers (cores, bytes) for comparisons. */
export function quantity(q: string): number {
  const m = /^([\d.]+)(m|Ki|Mi|Gi|k|M|G)?$/.exec(q);
  if (!m) throw new Error(`unsupported quantity ${q}`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factor: Record<string, number> = {
    '': 1,
    m: 1e-3,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return n * (factor[unit] as number);
}
