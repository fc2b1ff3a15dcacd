import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root (this file is infra/src/repo.ts). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);

export const readText = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

export type Obj = Record<string, unknown>;

/** Every document of a YAML file (YAML 1.1 merge keys `<<` resolved, as compose does). */
export function readYamlDocs(...parts: string[]): Obj[] {
  return parseAllDocuments(readText(...parts), { merge: true }).map((doc) => {
    if (doc.errors.length) throw new Error(`${parts.join('/')}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Obj;
  });
}

export function readYaml<T = Obj>(...parts: string[]): T {
  return parse(readText(...parts), { merge: true }) as T;
}

export function readJson<T = Obj>(...parts: string[]): T {
  return JSON.parse(readText(...parts)) as T;
}
