import { randomBytes, randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WORKSPACE } from '../../src/api/default-workspace.ts';
import { mintJobToken } from '../../src/auth/job-token.ts';
import type { Job } from '../../src/domain/job.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { installRuntimeLogger } from '../../src/worker/install-runtime-logger.ts';
import { API_KEY, type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import { jobTokenRepos, TOKEN_HOLD, TOKEN_QUICK } from '../support/job-token-repos.ts';
import { getJobInputsCurrentGeneration, getJobInputsFirstGeneration } from '../support/get-job-inputs.ts';
import { captureLogs } from '../support/log-capture.ts';

const { temporal } = proto;

/** API_KEYS of the stack: the unscoped API_KEY (what `env.api()` sends), a read-only key and a create-only key. */
const READ_KEY = `read-${randomUUID()}`;
const CREATE_KEY = `create-${randomUUID()}`;
const JOB_TOKEN_SECRET = randomBytes(32).toString('hex');
/** Short, so the test sees a token expire; production defaults to 10 minutes. */
const GRACE_MS = 3000;

const tokenConfig = (workflowId: number) => ({ installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId, jobTokenInput: 'job_token' });

const logs = captureLogs('debug');
let env: E2eStack;
let bare: E2eStack;

beforeAll(async () => {
  // The SDK's logs (activity failures with their errors) go to the captured logger too, as in `gha-agent worker`.
  installRuntimeLogger(logs.logger);
  env = await startE2eStack({
    sandbox: { repos: jobTokenRepos },
    apiKeys: [API_KEY, { key: READ_KEY, scopes: ['jobs:read'] }, { key: CREATE_KEY, scopes: ['jobs:create'] }],
    jobTokenSecret: JOB_TOKEN_SECRET,
    jobTokenGracePeriodMs: GRACE_MS,
    metricsPort: 0,
    docs: false,
    logger: logs.logger,
  });
  // No JOB_TOKEN_SECRET, metrics off, docs on (the default).
  bare = await startE2eStack({ sandbox: { repos: jobTokenRepos }, metricsPort: 'off' });
}, 180_000);

afterAll(async () => {
  await env?.stop();
  await bare?.stop();
});

const TERMINAL = ['successful', 'failure', 'cancelled', 'skipped', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'] as const;

describe('scoped API keys against the running stack', () => {
  it('refuse a create without jobs:create (nothing starts), accept it with the scope, and leave the unscoped key every route', async () => {
    const body = jobBody();
    const refused = await env.api('/api/v1/jobs', { method: 'POST', json: body, apiKey: READ_KEY });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'forbidden', message: 'this API key lacks the jobs:create scope' });
    expect((await env.api(`/api/v1/jobs/${body.id as string}`)).status).toBe(404);
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === body.id)).toEqual([]);

    const created = await env.api('/api/v1/jobs', { method: 'POST', json: body, apiKey: CREATE_KEY });
    expect(created.status).toBe(201);
    // The create-only key cannot read what it created; the read key and the unscoped key can.
    expect((await env.api(`/api/v1/jobs/${body.id as string}`, { apiKey: CREATE_KEY })).status).toBe(403);
    expect((await env.api(`/api/v1/jobs/${body.id as string}`, { apiKey: READ_KEY })).status).toBe(200);
    expect((await env.waitForStatus(body.id as string, [...TERMINAL])).status).toBe('successful');
  });
});

describe('per-job tokens', () => {
  let job: Job;
  let other: Job;
  let token: string;

  beforeAll(async () => {
    // The first dispatch fails with a 500: the failed attempt (logged with its error by the SDK) must not leak the token.
    const dispatchPath = `/repos/${OWNER}/${REPO}/actions/workflows/${TOKEN_HOLD}/dispatches`;
    env.sandbox.injectFault({ kind: 'server-error', method: 'POST', path: dispatchPath });
    job = await env.createJob({ jobAgentConfig: tokenConfig(TOKEN_HOLD) });
    // The 500 goes to this job's first attempt, not to the other job's dispatch.
    await vi.waitFor(() => expect(env.sandbox.requests.some((r) => r.path === dispatchPath && r.status === 500)).toBe(true), { timeout: 20_000, interval: 50 });
    other = await env.createJob({ jobAgentConfig: tokenConfig(TOKEN_HOLD) });
    await env.waitForStatus(job.id, 'in_progress');
    await env.waitForStatus(other.id, 'in_progress');
    const [dispatch] = env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id);
    token = dispatch?.inputs.job_token as string;
  });

  it('reach the GitHub workflow as the second workflow_dispatch input, job_token beside job_id', () => {
    const dispatches = env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id);
    expect(dispatches).toHaveLength(1);
    expect(Object.keys(dispatches[0]!.inputs).sort()).toEqual(['job_id', 'job_token']);
    expect(token).toMatch(new RegExp(`^gha_job_${job.id}\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    expect(env.sandbox.requests.filter((r) => r.path.endsWith(`/workflows/${TOKEN_HOLD}/dispatches`)).map((r) => r.status)).toContain(500);
    // Each job has its own token.
    const otherToken = env.sandbox.dispatches.find((d) => d.inputs.job_id === other.id)?.inputs.job_token;
    expect(otherToken).toMatch(/^gha_job_/);
    expect(otherToken).not.toBe(token);
  });

  it('read their own job through both routes, and get-job-inputs (both generations) works with one as api_key', async () => {
    const first = await env.api(`/api/v1/jobs/${job.id}`, { apiKey: token });
    expect(first.status).toBe(200);
    expect(((await first.json()) as Job).id).toBe(job.id);
    const current = await env.api(`/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/${job.id}`, { apiKey: token });
    expect(current.status).toBe(200);
    const baseUrl = env.stack.apiUrl;
    expect((await getJobInputsCurrentGeneration({ baseUrl, apiKey: token, jobId: job.id })).job_id).toBe(job.id);
    expect((await getJobInputsFirstGeneration({ baseUrl: `${baseUrl}/api`, apiKey: token, jobId: job.id })).version_tag).toBe('v1.2.3');
  });

  it('answer 403 for another job and for every route but read and report: list, create, render, cancel', async () => {
    const forbidden = [
      env.api(`/api/v1/jobs/${other.id}`, { apiKey: token }),
      env.api(`/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/${other.id}`, { apiKey: token }),
      env.api(`/api/v1/jobs/${other.id}`, { method: 'PATCH', json: { status: 'failure' }, apiKey: token }),
      env.api('/api/v1/jobs', { apiKey: token }),
      env.api('/api/v1/jobs', { method: 'POST', json: jobBody(), apiKey: token }),
      env.api('/api/v1/render', { method: 'POST', json: jobBody(), apiKey: token }),
      env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST', apiKey: token }),
      env.api(`/api/v1/jobs/${other.id}/cancel`, { method: 'POST', apiKey: token }),
    ];
    for (const response of await Promise.all(forbidden)) {
      expect(response.status, response.url).toBe(403);
      expect(((await response.json()) as { error: string }).error).toBe('forbidden');
    }
    expect((await env.getJob(other.id)).status).toBe('in_progress');
    expect((await env.getJob(job.id)).status).toBe('in_progress');
  });

  it('report their own job’s status as the PATCH step of the workflow in docs/jobs-api.md does, then expire after the grace period', async () => {
    const patched = await fetch(`${env.stack.apiUrl}/api/v1/jobs/${job.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'successful' }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Job).status).toBe('successful');
    // Right after the end (a last get-job-inputs racing the PATCH) the token still reads the job.
    expect((await env.api(`/api/v1/jobs/${job.id}`, { apiKey: token })).status).toBe(200);
    // The behaviour under test: the grace period passes (3 s here).
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 500));
    const expired = await env.api(`/api/v1/jobs/${job.id}`, { apiKey: token });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'unauthorized', message: expect.stringMatching(/^job token expired: job .* ended \(successful\)/) });
    expect((await env.api(`/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/${job.id}`, { apiKey: token })).status).toBe(401);
    expect((await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: { status: 'failure' }, apiKey: token })).status).toBe(401);
    await env.api(`/api/v1/jobs/${other.id}/cancel`, { method: 'POST' });
    await env.waitForStatus(other.id, 'cancelled');
  });

  it('never enter the job’s Temporal history', async () => {
    const history = await env.stack.client.workflow.getHandle(jobWorkflowId(job.id)).fetchHistory();
    const mac = token.split('.').pop() as string;
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(raw.length).toBeGreaterThan(1000);
    expect(raw.includes(job.id)).toBe(true);
    expect(raw.includes(token)).toBe(false);
    expect(raw.includes(mac)).toBe(false);
    // The JSON form, with every payload's bytes decoded (payloads are JSON inside base64 there).
    const json = JSON.stringify(temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.decode(raw), { bytes: String }));
    const decoded = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('\n');
    expect(decoded).toContain('job_token');
    for (const text of [raw.toString('latin1'), json, decoded]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(mac);
      // Nor the token of the attempt GitHub answered 500 (its failure is in the history too).
      expect(text).not.toMatch(/gha_job_[0-9a-f-]{36}\.\d+\./);
    }
    expect(json).toContain('Server Error');
  });

  it('never appear in the logs, not even from the failed dispatch attempt', () => {
    const raw = logs.raw();
    expect(raw).toContain('dispatchWorkflowRun');
    // The SDK logged the failed attempt with the Octokit error, which keeps the request it sent.
    const failed = logs.entries().filter((entry) => entry.activityType === 'dispatchWorkflowRun' && entry.jobId === job.id && entry.error);
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(failed)).toContain('[job token]');
    // No token at all: not this one, nor the one the failed attempt made (issued a second or more earlier).
    expect(raw).not.toMatch(/gha_job_[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{10,}/);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(token.split('.').pop() as string);
    expect(raw).not.toContain(JOB_TOKEN_SECRET);
    expect(raw).not.toContain(READ_KEY);
  });

  it('end a job invalid_integration with what to fix when the workflow does not declare the input (GitHub answers 422)', async () => {
    const undeclared = await env.createJob({ jobAgentConfig: { ...tokenConfig(101) } });
    const done = await env.waitForStatus(undeclared.id, [...TERMINAL]);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toContain('Unexpected inputs provided: ["job_token"]');
    expect(done.message).toContain('jobTokenInput');
  });

  it('leave deployments without jobTokenInput dispatching job_id alone', async () => {
    const plain = await env.createJob();
    await env.waitForStatus(plain.id, 'successful');
    expect(env.sandbox.dispatches.find((d) => d.inputs.job_id === plain.id)?.inputs).toEqual({ job_id: plain.id });
  });
});

describe('without JOB_TOKEN_SECRET', () => {
  it('ends a job that asks for a token invalid_integration, naming JOB_TOKEN_SECRET, without dispatching', async () => {
    const job = await bare.createJob({ jobAgentConfig: tokenConfig(TOKEN_QUICK) });
    const done = await bare.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toContain('JOB_TOKEN_SECRET');
    expect(done.message).toContain('jobTokenInput');
    expect(bare.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toEqual([]);
  });

  it('accepts no job token at all (401)', async () => {
    const job = await bare.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const response = await bare.api(`/api/v1/jobs/${job.id}`, { apiKey: mintJobToken(randomBytes(32).toString('hex'), job.id) });
    expect(response.status).toBe(401);
    await bare.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    await bare.waitForStatus(job.id, 'cancelled');
  });
});

describe('metrics and docs settings', () => {
  it('serve /metrics on its own port when API_METRICS_PORT is set, and not on the API port; API_DOCS=off removes the docs', async () => {
    expect(env.stack.metricsUrl).toBeDefined();
    expect(env.stack.metricsUrl).not.toBe(env.stack.apiUrl);
    const metrics = await fetch(`${env.stack.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^gha_agent_jobs_created_total [1-9]/m);
    for (const path of ['/metrics', '/docs', '/api/openapi.json']) {
      expect((await fetch(`${env.stack.apiUrl}${path}`)).status, path).toBe(404);
    }
  });

  it('serve no /metrics at all with API_METRICS_PORT=off, and the docs by default', async () => {
    expect(bare.stack.metricsUrl).toBeUndefined();
    expect((await fetch(`${bare.stack.apiUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${bare.stack.apiUrl}/api/openapi.json`)).status).toBe(200);
  });
});
