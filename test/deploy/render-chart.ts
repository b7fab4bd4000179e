import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT } from './ensure-tool.ts';

export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'github-actions-agent');
export const VALUES_DIR = path.join(REPO_ROOT, 'test', 'deploy', 'values');
/** Matches the Kubernetes JSON schemas the manifests are validated against. */
export const KUBERNETES_VERSION = '1.37.0';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm and returns its exit code and output (a failing helm is a result here, not an exception). */
export async function runHelm(helm: string, args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(helm, args, { cwd: REPO_ROOT, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export interface RenderOptions {
  /** File names under test/deploy/values. */
  valuesFiles?: string[];
  /** `--set` pairs (typed as YAML would type them). */
  set?: Record<string, string>;
  /** Values given as an object, written to a values file after `valuesFiles`. */
  values?: Record<string, unknown>;
  releaseName?: string;
}

function templateArgs(chartDir: string, options: RenderOptions): string[] {
  const args = ['template', options.releaseName ?? 'agent', chartDir, '--namespace', 'deploy', '--kube-version', KUBERNETES_VERSION];
  for (const file of options.valuesFiles ?? []) args.push('--values', path.join(VALUES_DIR, file));
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  return args;
}

/** `helm template` of the chart, parsed into manifests. */
export async function renderChart(helm: string, options: RenderOptions = {}): Promise<Manifest[]> {
  const dir = options.values ? await mkdtemp(path.join(os.tmpdir(), 'chart-values-')) : undefined;
  const args = templateArgs(CHART_DIR, options);
  let result: HelmResult;
  try {
    if (dir) {
      await writeFile(path.join(dir, 'values.yaml'), stringify(options.values));
      args.push('--values', path.join(dir, 'values.yaml'));
    }
    result = await runHelm(helm, args);
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${document.errors[0]?.message}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

export function findManifest(manifests: Manifest[], kind: string, nameSuffix = ''): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && manifest.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} named *${nameSuffix}, found ${found.map((m) => m.metadata.name).join(', ') || 'none'}`);
  }
  return found[0] as Manifest;
}

/**
 * NOTES.txt as `helm install` would print it. `helm template` skips NOTES.txt and `helm install --dry-run` needs a
 * cluster, so a copy of the chart gets one more template that embeds the rendered notes in YAML.
 */
export async function renderNotes(helm: string, options: RenderOptions = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chart-notes-'));
  try {
    const chartDir = path.join(dir, 'chart');
    await cp(CHART_DIR, chartDir, { recursive: true });
    await writeFile(
      path.join(chartDir, 'templates', 'notes-preview.yaml'),
      'notes: |\n  {{- include (print $.Template.BasePath "/NOTES.txt") . | nindent 2 }}\n',
    );
    const result = await runHelm(helm, [...templateArgs(chartDir, options), '--show-only', 'templates/notes-preview.yaml']);
    if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    const [manifest] = parseAllDocuments(result.stdout).map((document) => document.toJS() as { notes: string } | null);
    if (!manifest) throw new Error('NOTES.txt rendered nothing');
    return manifest.notes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
