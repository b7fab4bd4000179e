import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, inject } from 'vitest';
import { CTRLPLANE_API_HOME, ctrlplaneApiScript } from '../../scripts/ensure-ctrlplane-api.mjs';
import type { CtrlplaneJobStatus } from '../../src/ctrlplane/ctrlplane-job.ts';
import { INSTALLATION_ID, OWNER, REPO } from './e2e-stack.ts';

const run = promisify(execFile);

/** What ../shared/ctrlplane-api/seed.sql created: one workspace (no job agent), a release, a member's and an outsider's key. */
export interface CtrlplaneSeed {
  workspaceId: string;
  apiKey: string;
  outsiderApiKey: string;
  deploymentId: string;
  environmentId: string;
  resourceId: string;
  versionId: string;
  releaseId: string;
}

export const seed = JSON.parse(readFileSync(join(CTRLPLANE_API_HOME, 'seed-ids.json'), 'utf8')) as CtrlplaneSeed;

/** The API's root (what CTRLPLANE_URL names; the worker adds `/api`). */
export function ctrlplaneRoot(): string {
  return inject('ctrlplaneApiUrl').replace(/\/api$/, '');
}

/** The worker's Ctrlplane env vars, as a new user sets them for the seeded workspace. */
export function ctrlplaneEnv(url: string, agentName: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CTRLPLANE_URL: url,
    CTRLPLANE_API_KEY: seed.apiKey,
    CTRLPLANE_WORKSPACE_ID: seed.workspaceId,
    CTRLPLANE_AGENT_NAME: agentName,
    CTRLPLANE_POLL_INTERVAL: '1s',
    ...overrides,
  };
}

/** A request to the real API with the member's key (or `apiKey`). */
export async function ctrlplaneApi(path: string, init: { method?: string; json?: unknown; apiKey?: string } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${inject('ctrlplaneApiUrl')}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': init.apiKey ?? seed.apiKey, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body };
}

/** Runs SQL against Ctrlplane's database; `vars` are bound with psql's `:'name'` quoting. */
export async function ctrlplaneSql(sql: string, vars: Record<string, string> = {}): Promise<string> {
  const args = [
    '-X',
    '-q',
    '-t',
    '-A',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    '127.0.0.1',
    '-p',
    String(inject('ctrlplanePgPort')),
    '-U',
    'ctrlplane',
    '-d',
    'ctrlplane',
  ];
  for (const [name, value] of Object.entries(vars)) args.push('-v', `${name}=${value}`);
  const child = run('psql', args);
  child.child.stdin?.end(sql);
  const { stdout } = await child;
  return stdout.trim();
}

export interface QueuedJobOptions {
  agentId: string;
  agentName: string;
  /** The merged job agent config Ctrlplane stores on the job. */
  config?: Record<string, unknown>;
  /** Jobs of Ctrlplane's workflows belong to no release: listed and claimable, but never readable or reportable. */
  release?: boolean;
}

/**
 * Queues a job for the agent the way Ctrlplane's own e2e tests do, with SQL: the dispatch context is the example of
 * ../shared/ctrlplane-api with this agent, and by default the job belongs to the seeded release.
 */
export async function queueRealCtrlplaneJob(options: QueuedJobOptions): Promise<string> {
  const id = randomUUID();
  const context = JSON.parse(readFileSync(join(CTRLPLANE_API_HOME, 'dispatch-context.example.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const config = options.config ?? {
    installationId: '{{.variables.github_installation_id}}',
    owner: '{{.variables.github_org}}',
    repo: REPO,
    workflowId: 101,
    ref: '{{.version.jobAgentConfig.ref}}',
  };
  context.jobAgent = { ...context.jobAgent, id: options.agentId, name: options.agentName };
  context.jobAgentConfig = config;
  context.variables = { ...context.variables, github_installation_id: INSTALLATION_ID, github_org: OWNER };
  await ctrlplaneSql(
    `INSERT INTO job(id, job_agent_id, job_agent_config, status, dispatch_context)
       VALUES (:'id', :'agent', :'config'::jsonb, 'queued', :'context'::jsonb);
     ${options.release === false ? '' : `INSERT INTO release_job(job_id, release_id) VALUES (:'id', :'release');`}`,
    { id, agent: options.agentId, config: JSON.stringify(config), context: JSON.stringify(context), release: seed.releaseId },
  );
  return id;
}

/** The job's status as Ctrlplane's API shows it (camelCase); undefined when the API cannot find it. */
export async function realJobStatus(jobId: string): Promise<CtrlplaneJobStatus | undefined> {
  const { status, body } = await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/jobs/${jobId}`);
  return status === 200 ? (body as { status: CtrlplaneJobStatus }).status : undefined;
}

/** Waits until Ctrlplane's API shows the job in this status. */
export async function waitForRealStatus(jobId: string, wanted: CtrlplaneJobStatus, timeout = 90_000): Promise<void> {
  await expect.poll(() => realJobStatus(jobId), { timeout, interval: 250 }).toBe(wanted);
}

/** Ctrlplane's API process alone stops (an outage; PostgreSQL stays up) and starts again. */
export const realCtrlplaneApi = {
  stop: () => ctrlplaneApiScript('api-stop', ports()),
  start: () => ctrlplaneApiScript('start', ports()),
};

function ports() {
  return { pgPort: inject('ctrlplanePgPort'), apiPort: inject('ctrlplaneApiPort') };
}
