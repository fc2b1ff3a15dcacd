import { describe, expect, it } from '@jest/globals';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { parseEnv } from '@mealwise/config';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { z } from 'zod';
import {
  APP_SCHEMAS,
  allAppVariables,
  IMAGE_APP,
  looksSecret,
  SECRET_VARIABLES,
  WORKER_SCHEMA,
  workerExitMarginMs,
} from '../src/apps.ts';
import { isCliCommand } from '../src/cli.ts';
import {
  byKind,
  type Container,
  containers,
  effectiveEnv,
  find,
  matchesSelector,
  podSpec,
  probePort,
  quantity,
} from '../src/k8s.ts';
import { meta, renderKustomization, splitImage } from '../src/kustomize.ts';
import { type Obj, readText, readYamlDocs } from '../src/repo.ts';

const base = renderKustomization('infra/k8s/base');
const overlay = renderKustomization('infra/k8s/overlays/example');
const secretExamples = readYamlDocs('infra/k8s/base/secret.example.yaml');

const dataOf = (o: Obj) => (o.data ?? o.stringData ?? {}) as Record<string, string>;
const configMaps = (objects: Obj[]) =>
  new Map(byKind(objects, 'ConfigMap').map((o) => [meta(o).name!, dataOf(o)]));
const secrets = new Map(secretExamples.map((o) => [meta(o).name!, dataOf(o)]));
const workloads = (objects: Obj[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
const appOf = (c: Container) => IMAGE_APP[splitImage(c.image).name.split('/').pop() as string];
const dockerTargets = [...readText('infra/docker/Dockerfile').matchAll(/^FROM \S+ AS (\S+)/gm)].map(
  (m) => m[1],
);

const MODELS: Record<string, { validate(): void } & (new (o: never) => { validate(): void })> = {
  Namespace: Namespace as never,
  ServiceAccount: ServiceAccount as never,
  ConfigMap: ConfigMap as never,
  Secret: Secret as never,
  Service: Service as never,
  Deployment: Deployment as never,
  Job: Job as never,
  HorizontalPodAutoscaler: HorizontalPodAutoscaler as never,
  PodDisruptionBudget: PodDisruptionBudget as never,
  ScaledObject: ScaledObject as never,
  TriggerAuthentication: TriggerAuthentication as never,
};

describe.each([
  ['base', base],
  ['overlay example', overlay],
])('kubernetes manifests (%s)', (_name, objects) => {
  it('are valid objects of their kind (Kubernetes and KEDA schemas)', () => {
    expect(objects.length).toBeGreaterThan(8);
    for (const o of [...objects, ...secretExamples]) {
      const Model = MODELS[o.kind as string];
      if (!Model) throw new Error(`no schema for kind ${String(o.kind)}`);
      expect(() => new Model(o as never).validate()).not.toThrow();
    }
  });

  it('run only the images the Dockerfile builds, never :latest', () => {
    const images = workloads(objects)
      .flatMap(containers)
      .map((c) => c.image);
    expect(images.length).toBeGreaterThan(3);
    for (const image of images) {
      const { name, tag } = splitImage(image);
      const short = name.split('/').pop() as string;
      expect(Object.keys(IMAGE_APP)).toContain(short);
      expect(dockerTargets).toContain(short.replace(/^mealwise-/, ''));
      expect(tag).not.toBe('latest');
    }
  });

  it('keep secrets in Secrets: no inline value, no secret in a ConfigMap, every reference resolvable', () => {
    for (const cm of byKind(objects, 'ConfigMap')) {
      for (const key of Object.keys(dataOf(cm)))
        expect(SECRET_VARIABLES.has(key) || looksSecret(key)).toBe(false);
    }
    // The example Secret is documentation, not a resource: real secrets are created out of band.
    expect(byKind(objects, 'Secret')).toEqual([]);
    let refs = 0;
    for (const c of workloads(objects).flatMap(containers)) {
      for (const e of c.env ?? []) {
        if (SECRET_VARIABLES.has(e.name) || looksSecret(e.name)) {
          expect({ [e.name]: e.value }).toEqual({ [e.name]: undefined });
          expect(e.valueFrom?.secretKeyRef).toBeDefined();
        }
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          refs++;
          expect(Object.keys(secrets.get(ref.name) ?? {})).toContain(ref.key);
        }
      }
      for (const from of c.envFrom ?? []) expect(from.secretRef).toBeUndefined();
    }
    expect(refs).toBeGreaterThan(5);
  });

  it('give each app a complete, valid configuration (ConfigMap + Secret keys parse with its zod schema)', () => {
    const cms = configMaps(objects);
    let checked = 0;
    for (const c of workloads(objects).flatMap(containers)) {
      const schema = APP_SCHEMAS[appOf(c) as string];
      if (!schema) continue;
      const env = effectiveEnv(c, cms, secrets);
      expect(() => parseEnv(schema, env)).not.toThrow();
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('probe real routes on the app ports: /readyz and /healthz for the api, /healthz for workers', () => {
    const cms = configMaps(objects);
    const byApp = new Map<string, Container[]>();
    for (const c of workloads(objects).flatMap(containers)) {
      byApp.set(appOf(c) as string, [...(byApp.get(appOf(c) as string) ?? []), c]);
    }
    for (const c of byApp.get('worker') ?? []) {
      const env = parseEnv(WORKER_SCHEMA, effectiveEnv(c, cms, secrets));
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(probePort(c, c.livenessProbe!)).toBe(env.WORKER_METRICS_PORT);
      expect(probePort(c, c.startupProbe!)).toBe(env.WORKER_METRICS_PORT);
    }
    expect(byApp.get('worker')?.length).toBe(2);
    const [api] = byApp.get('api') ?? [];
    expect(api?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(api?.livenessProbe?.httpGet?.path).toBe('/healthz');
    const apiPort = Number(effectiveEnv(api!, cms, secrets).API_PORT);
    expect(probePort(api!, api!.readinessProbe!)).toBe(apiPort);
    expect(probePort(api!, api!.livenessProbe!)).toBe(apiPort);
  });

  it('give workers a grace period above their shutdown bound, and the api one above preStop + drain', () => {
    const cms = configMaps(objects);
    const margin = workerExitMarginMs();
    for (const d of byKind(objects, 'Deployment')) {
      const grace = (podSpec(d).terminationGracePeriodSeconds as number) * 1000;
      for (const c of containers(d)) {
        const env = effectiveEnv(c, cms, secrets);
        if (appOf(c) === 'worker') {
          const bound = parseEnv(WORKER_SCHEMA, env).WORKER_SHUTDOWN_TIMEOUT_MS + margin;
          expect(grace).toBeGreaterThan(bound);
        }
        if (appOf(c) === 'api') {
          const preStop = c.lifecycle?.preStop?.exec?.command;
          expect(preStop?.[0]).toBe('sleep');
          const drain = Number(env.API_SHUTDOWN_TIMEOUT_MS) + Number(preStop?.[1]) * 1000;
          expect(grace).toBeGreaterThan(drain);
        }
      }
    }
  });

  it('scale batch workers with KEDA while an always-on worker owns the nightly scheduler', () => {
    const cms = configMaps(objects);
    const [so] = byKind(objects, 'ScaledObject');
    const spec = so?.spec as {
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string>; authenticationRef: { name: string } }[];
    };
    expect(spec.minReplicaCount).toBe(0);
    expect(spec.maxReplicaCount).toBeGreaterThan(0);
    const target = find(objects, 'Deployment', spec.scaleTargetRef.name);
    // An autoscaled Deployment must not pin replicas (every apply would reset the scaler's choice).
    expect((target.spec as Obj).replicas).toBeUndefined();
    const schedulerOn = (d: Obj) =>
      containers(d).some(
        (c) =>
          appOf(c) === 'worker' &&
          parseEnv(WORKER_SCHEMA, effectiveEnv(c, cms, secrets)).RECS_SCHEDULER_ENABLED,
      );
    expect(schedulerOn(target)).toBe(false);
    const owners = byKind(objects, 'Deployment').filter(schedulerOn);
    expect(owners.map((d) => meta(d).name)).toEqual(['mealwise-worker-core']);
    const scaled = new Set(
      [...byKind(objects, 'ScaledObject'), ...byKind(objects, 'HorizontalPodAutoscaler')].map(
        (o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name,
      ),
    );
    // The scheduler owner never scales to zero: it has fixed replicas and no autoscaler.
    expect(scaled.has(meta(owners[0]!).name!)).toBe(false);
    expect((owners[0]!.spec as Obj).replicas).toBeGreaterThanOrEqual(1);

    const [trigger] = spec.triggers;
    expect(trigger?.type).toBe('redis');
    expect(Number(trigger?.metadata.listLength)).toBeGreaterThan(0);
    const auth = find(objects, 'TriggerAuthentication', trigger!.authenticationRef.name);
    for (const ref of (auth.spec as { secretTargetRef: { parameter: string; name: string; key: string }[] })
      .secretTargetRef) {
      expect(['address', 'host', 'port', 'username', 'password']).toContain(ref.parameter);
      expect(Object.keys(secrets.get(ref.name) ?? {})).toContain(ref.key);
    }
  });

  it('autoscale and protect the api; selectors and ports resolve', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'mealwise-api').spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
    };
    const api = find(objects, hpa.scaleTargetRef.kind, hpa.scaleTargetRef.name);
    expect((api.spec as Obj).replicas).toBeUndefined();
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    const podLabels = (d: Obj) => meta((d.spec as { template: Obj }).template).labels;
    for (const pdb of byKind(objects, 'PodDisruptionBudget')) {
      const sel = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(byKind(objects, 'Deployment').filter((d) => matchesSelector(podLabels(d), sel))).toHaveLength(1);
    }
    for (const d of byKind(objects, 'Deployment')) {
      const sel = (d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(matchesSelector(podLabels(d), sel)).toBe(true);
    }
    const svc = find(objects, 'Service', 'mealwise-api').spec as {
      selector: Record<string, string>;
      ports: { targetPort: string }[];
    };
    expect(matchesSelector(podLabels(api), svc.selector)).toBe(true);
    for (const p of svc.ports) {
      expect(containers(api)[0]?.ports?.map((x) => x.name)).toContain(p.targetPort);
    }
  });

  it('set requests and limits and run unprivileged', () => {
    for (const w of workloads(objects)) {
      const pod = podSpec(w);
      expect((pod.securityContext as Obj).runAsNonRoot).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of containers(w)) {
        for (const r of ['cpu', 'memory']) {
          const req = c.resources?.requests?.[r];
          const lim = c.resources?.limits?.[r];
          expect({ container: c.name, r, req: typeof req, lim: typeof lim }).toEqual({
            container: c.name,
            r,
            req: 'string',
            lim: 'string',
          });
          expect(quantity(req as string)).toBeLessThanOrEqual(quantity(lim as string));
        }
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
      }
    }
  });

  it('migrate with a one-shot Job running a real CLI command', () => {
    const job = find(objects, 'Job', 'mealwise-migrate');
    const [c] = containers(job);
    expect(appOf(c!)).toBe('cli');
    expect(isCliCommand(c!.args ?? [])).toBe(true);
    expect(podSpec(job).restartPolicy).toBe('Never');
  });
});

describe('configuration coverage', () => {
  const cm = dataOf(find(base, 'ConfigMap', 'mealwise-config'));
  const secretKeys = Object.keys(secrets.get('mealwise-secrets') ?? {});

  it('names every variable the apps read in the ConfigMap or the Secret, and nothing else', () => {
    const known = allAppVariables();
    expect(known.size).toBeGreaterThan(30);
    const documented = new Set([...Object.keys(cm), ...secretKeys]);
    expect([...known].filter((v) => !documented.has(v))).toEqual([]);
    expect([...documented].filter((v) => !known.has(v))).toEqual([]);
  });

  it('lists every secret-looking variable as a secret', () => {
    const secretLooking = [...allAppVariables()].filter(looksSecret);
    expect(secretLooking.length).toBeGreaterThan(2);
    for (const v of secretLooking) expect(SECRET_VARIABLES.has(v)).toBe(true);
    expect(secretKeys.sort()).toEqual([...SECRET_VARIABLES].filter((v) => allAppVariables().has(v)).sort());
  });

  it('writes the schema defaults into the base ConfigMap (an operator sees what is in force)', () => {
    const differing: string[] = [];
    for (const [key, raw] of Object.entries(cm)) {
      for (const schema of Object.values(APP_SCHEMAS)) {
        const field = schema.shape[key] as z.ZodType | undefined;
        if (!field) continue;
        // Field by field (cross-field rules aside); an empty value means unset, as in parseEnv.
        const fallback = field.safeParse(undefined);
        const given = field.safeParse(raw.trim() === '' ? undefined : raw);
        expect({ key, ok: given.success }).toEqual({ key, ok: true });
        if (!fallback.success || JSON.stringify(fallback.data) !== JSON.stringify(given.data))
          differing.push(key);
      }
    }
    // Deliberate departures, each explained in configmap.yaml: the scheduler is worker-core's
    // alone, and Bull Board gets a user (its password is in the Secret).
    expect([...new Set(differing)].sort()).toEqual(['BULL_BOARD_USER', 'RECS_SCHEDULER_ENABLED']);
  });
});

describe('tools/cli-pod.yaml', () => {
  const [pod] = readYamlDocs('infra/k8s/tools/cli-pod.yaml');

  it('is a valid Pod running the CLI image with the apps’ configuration and secrets by reference', () => {
    expect(() => new Pod(pod as never).validate()).not.toThrow();
    const spec = (pod as { spec: { containers: Container[] } }).spec;
    const [c] = spec.containers;
    expect(splitImage(c!.image).name.split('/').pop()).toBe('mealwise-cli');
    expect(c!.envFrom?.[0]?.configMapRef?.name).toBe('mealwise-config');
    for (const e of c!.env ?? []) {
      expect(e.value).toBeUndefined();
      expect(Object.keys(secrets.get(e.valueFrom!.secretKeyRef!.name) ?? {})).toContain(
        e.valueFrom!.secretKeyRef!.key,
      );
    }
  });
});
