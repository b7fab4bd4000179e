import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './repo-root.ts';

/** What the chart deploys by default (charts/github-actions-agent/values.yaml): the drill and the bench run the same. */
export interface ChartDefaults {
  apiReplicas: number;
  workerReplicas: number;
  maxCachedWorkflows: number;
  /** The worker's NODE_OPTIONS (its V8 heap limit, sized to the pod's memory limit). */
  workerNodeOptions: string;
  workerGraceSeconds: number;
}

export async function chartDefaults(): Promise<ChartDefaults> {
  const values = parse(await readFile(join(REPO_ROOT, 'charts', 'github-actions-agent', 'values.yaml'), 'utf8')) as {
    api: { replicas: number };
    worker: { replicas: number; maxCachedWorkflows: number; nodeOptions: string; terminationGracePeriodSeconds: number };
  };
  return {
    apiReplicas: values.api.replicas,
    workerReplicas: values.worker.replicas,
    maxCachedWorkflows: values.worker.maxCachedWorkflows,
    workerNodeOptions: values.worker.nodeOptions,
    workerGraceSeconds: values.worker.terminationGracePeriodSeconds,
  };
}
