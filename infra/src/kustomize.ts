import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type Obj, REPO_ROOT, readText } from './repo.ts';

/**
 * A small kustomize renderer for the subset infra/k8s uses — `resources` (files and directories),
 * `namespace`, `images`, `patches` (strategic-merge files, optional `target`) — so tests check the
 * objects an overlay really produces without a kubectl binary. Any other kustomization field fails
 * loudly instead of being ignored. (CI on GitHub also runs the real `kubectl kustomize`.)
 */

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path: string; target?: { kind?: string; name?: string } }[];
}

const rel = (abs: string) => relative(REPO_ROOT, abs);

function loadDocs(abs: string): Obj[] {
  return parseAllDocuments(readText(rel(abs))).map((d) => {
    if (d.errors.length) throw new Error(`${rel(abs)}: ${d.errors[0]?.message}`);
    return d.toJS() as Obj;
  });
}

export function renderKustomization(dir: string): Obj[] {
  const abs = dir.startsWith('/') ? dir : join(REPO_ROOT, dir);
  const file = join(abs, 'kustomization.yaml');
  const [k] = loadDocs(file) as [Kustomization & Obj];
  for (const field of Object.keys(k)) {
    if (!SUPPORTED.has(field))
      throw new Error(`${rel(file)}: kustomization field "${field}" is not supported here`);
  }
  let objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const target = join(abs, r);
    if (!existsSync(target)) throw new Error(`${rel(file)}: resource ${r} does not exist`);
    objects.push(...(statSync(target).isDirectory() ? renderKustomization(target) : loadDocs(target)));
  }
  for (const p of k.patches ?? []) {
    for (const patch of loadDocs(join(abs, p.path))) {
      const kind = p.target?.kind ?? (patch.kind as string);
      const name = p.target?.name ?? meta(patch).name;
      const hits = objects.filter((o) => o.kind === kind && meta(o).name === name);
      if (hits.length !== 1)
        throw new Error(`${rel(file)}: patch ${p.path} matches ${hits.length} objects (${kind}/${name})`);
      objects = objects.map((o) => (o === hits[0] ? (strategicMerge(o, patch) as Obj) : o));
    }
  }
  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind as string)) meta(o).namespace = k.namespace;
  }
  for (const img of k.images ?? []) {
    for (const c of objects.flatMap(containersOf)) {
      const { name, tag } = splitImage(c.image as string);
      if (name !== img.name) continue;
      c.image = `${img.newName ?? name}${img.digest ? `@${img.digest}` : `:${img.newTag ?? tag ?? 'latest'}`}`;
    }
  }
  return objects;
}

export function meta(o: Obj): { name?: string; namespace?: string; labels?: Record<string, string> } {
  o.metadata ??= {};
  return o.metadata as { name?: string };
}

export function splitImage(image: string): { name: string; tag: string | undefined } {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/')
    ? { name: base.slice(0, colon), tag: base.slice(colon + 1) }
    : { name: base, tag: undefined };
}

/** The pod spec of a workload (Deployment, Job, CronJob), or undefined. */
export function podSpecOf(o: Obj): Obj | undefined {
  const spec = o.spec as Obj | undefined;
  if (!spec) return undefined;
  const template = (
    o.kind === 'CronJob' ? ((spec.jobTemplate as Obj)?.spec as Obj)?.template : spec.template
  ) as Obj | undefined;
  return template?.spec as Obj | undefined;
}

export function containersOf(o: Obj): Obj[] {
  const pod = podSpecOf(o);
  return pod ? [...((pod.initContainers as Obj[]) ?? []), ...((pod.containers as Obj[]) ?? [])] : [];
}

// Lists merged by key, as Kubernetes' strategic merge patch does for these fields.
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
};

function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(base)) return patch;
    const out = [...base];
    for (const item of patch as Obj[]) {
      const i = out.findIndex((b) => (b as Obj)[key] === item[key]);
      if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(item);
    }
    return out;
  }
  if (patch && typeof patch === 'object' && base && typeof base === 'object' && !Array.isArray(base)) {
    const out: Obj = { ...(base as Obj) };
    for (const [k, v] of Object.entries(patch)) {
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return patch;
}
