import { afterEach, describe, expect, it } from 'vitest';
import { type E2eStack, type E2eStackOptions, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

// Every test here asserts what a user sees: the job's final status and message, and what GitHub (the sandbox)
// saw — how many dispatches, cancels and token mints.

let env: E2eStack | undefined;
async function stackWith(options: E2eStackOptions = {}): Promise<E2eStack> {
  env = await startE2eStack(options);
  return env;
}
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const config = (workflowId: number | string, extra: Record<string, unknown> = {}) => ({
  jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId, ...extra },
});
const TERMINAL = ['successful', 'failure', 'cancelled', 'skipped', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'] as const;
const dispatchesOf = (e: E2eStack, jobId: string) => e.sandbox.dispatches.filter((d) => d.inputs.job_id === jobId);

describe('webhooks that arrive twice, late, out of order or not at all', () => {
  it('applies each delivery once when every delivery arrives three times', async () => {
    const e = await stackWith();
    e.relay.setMode({ duplicate: 3 });
    const job = await e.createJob(config(101));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('successful');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
    await expect.poll(() => e.relay.forwarded.filter((f) => f.runId === done.run?.id).length, { timeout: 15_000 }).toBe(9);
  });

  it('ends successful when a run’s deliveries arrive newest first', async () => {
    const e = await stackWith();
    e.relay.setMode({ reverse: true });
    const job = await e.createJob(config(101));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('successful');
    // After the completed event, the older in_progress and requested events changed nothing.
    await expect.poll(() => e.relay.forwarded.filter((f) => f.runId === done.run?.id).length, { timeout: 15_000 }).toBe(3);
    const after = await e.getJob(job.id);
    expect(after.status).toBe('successful');
    expect(after.completedAt).toBe(done.completedAt);
  });

  it('finds the outcome through the API when every webhook is lost', async () => {
    const e = await stackWith({ jobTimeouts: { quietPeriod: '1 second', pollInterval: '1 second' } });
    e.relay.setMode({ drop: true });
    const job = await e.createJob(config(102));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('failure');
    expect(e.relay.forwarded.filter((f) => f.runId === done.run?.id)).toHaveLength(0);
    expect(e.relay.dropped.length).toBeGreaterThan(0);
    // The run, known from the dispatch, is read from a listing of its workflow's runs (shared with other waiting jobs).
    expect(e.sandbox.requests.some((r) => r.method === 'GET' && r.path === `/repos/${OWNER}/${REPO}/actions/workflows/102/runs`)).toBe(true);
  });

  it('does not poll GitHub while webhooks flow', async () => {
    const e = await stackWith({ jobTimeouts: { quietPeriod: '30 seconds' } });
    const job = await e.createJob(config(101));
    expect((await e.waitForStatus(job.id, [...TERMINAL])).status).toBe('successful');
    const lookups = e.sandbox.requests.filter((r) => r.method === 'GET' && r.path.includes('/actions/'));
    expect(lookups).toHaveLength(0);
  });
});

describe('run correlation', () => {
  it('finds the run by listing workflow_dispatch runs when GitHub answers 204 without run details', async () => {
    const e = await stackWith({ sandbox: { returnRunDetails: false }, jobTimeouts: { quietPeriod: '1 second', pollInterval: '1 second' } });
    e.relay.setMode({ drop: true });
    const job = await e.createJob(config(101));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('successful');
    expect(done.externalId).toBe(String(dispatchesOf(e, job.id)[0]?.runId));
    expect(e.sandbox.requests.some((r) => r.method === 'GET' && r.path === `/repos/${OWNER}/${REPO}/actions/workflows/101/runs`)).toBe(true);
  });

  it('matches webhooks by run ID when the run name carries no job ID', async () => {
    const e = await stackWith({
      sandbox: {
        repos: [{ owner: OWNER, name: REPO, workflows: [{ id: 201, path: '.github/workflows/plain.yml', name: 'Plain deploy', runName: '', hold: true }] }],
      },
    });
    const job = await e.createJob(config(201));
    const running = await e.waitForStatus(job.id, 'in_progress');
    const runId = Number(running.externalId);
    // The run ID reaches visibility (GithubRunId) a moment after dispatch.
    await expect.poll(async () => (await e.stack.client.workflow.count(`GithubRunId = ${runId}`)).count, { timeout: 10_000 }).toBe(1);
    await e.sandbox.completeRun(runId, 'success');
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('successful');
    expect(e.relay.forwarded.filter((f) => f.runId === runId && f.action === 'completed').map((f) => f.status)).toEqual([200]);
  });
});

describe('dispatch errors: retried where a retry helps, final where it cannot', () => {
  it('retries a 500 and starts exactly one run', async () => {
    const e = await stackWith();
    e.sandbox.injectFault({ kind: 'server-error', method: 'POST', path: /\/dispatches$/, times: 2 });
    const job = await e.createJob(config(101));
    expect((await e.waitForStatus(job.id, [...TERMINAL])).status).toBe('successful');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
    expect(e.sandbox.requests.filter((r) => r.path.endsWith('/dispatches')).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('never starts a second run when the dispatch answer is lost after GitHub acted on it', async () => {
    const e = await stackWith();
    e.sandbox.injectFault({ kind: 'lost-response', method: 'POST', path: /\/dispatches$/ });
    const job = await e.createJob(config(103));
    const running = await e.waitForStatus(job.id, 'in_progress');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
    expect(running.externalId).toBe(String(dispatchesOf(e, job.id)[0]?.runId));
    await e.sandbox.completeRun(Number(running.externalId), 'success');
    expect((await e.waitForStatus(job.id, [...TERMINAL])).status).toBe('successful');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
  });

  it.each([
    ['too-many-requests', 429],
    ['secondary-rate-limit', 403],
  ] as const)('waits out a %s (%i with retry-after) and dispatches once', async (kind, status) => {
    const e = await stackWith();
    e.sandbox.injectFault({ kind, method: 'POST', path: /\/dispatches$/, retryAfterSeconds: 1 });
    const job = await e.createJob(config(101));
    expect((await e.waitForStatus(job.id, [...TERMINAL])).status).toBe('successful');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
    const answers = e.sandbox.requests.filter((r) => r.path.endsWith('/dispatches')).map((r) => r.status);
    expect(answers[0]).toBe(status);
    expect(answers.at(-1)).toBe(200);
  });

  it('hands a long retry-after back to Temporal, which retries the dispatch after it, once', async () => {
    const e = await stackWith();
    e.sandbox.injectFault({ kind: 'too-many-requests', method: 'POST', path: /\/dispatches$/, retryAfterSeconds: 12 });
    const job = await e.createJob(config(101));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('successful');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
    const calls = e.sandbox.requests.filter((r) => r.path.endsWith('/dispatches'));
    expect(calls.map((r) => r.status)).toEqual([429, 200]);
    // Temporal waited GitHub's 12 s between the two attempts (not its own 2 s backoff).
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(11_000);
  });

  it('ends invalid_integration "failed to get installation token" when the App was uninstalled', async () => {
    const e = await stackWith();
    e.sandbox.revokeInstallation(INSTALLATION_ID);
    const job = await e.createJob(config(101));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toMatch(/^failed to get installation token: /);
    expect(e.sandbox.dispatches).toHaveLength(0);
  });

  it('ends invalid_integration "failed to get installation token" when the private key is not the App’s', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const e = await stackWith({ privateKey: otherKey });
    const job = await e.createJob(config(101));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toMatch(/^failed to get installation token: .*HTTP 401/);
  });

  it.each([
    [{ ref: 'no-such-branch' }, 101, /ref not found: no-such-branch/],
    [{}, 104, /has no workflow_dispatch trigger/],
  ])('ends invalid_integration with what to fix for a bad ref or trigger (%o, workflow %i)', async (extra, workflowId, message) => {
    const e = await stackWith();
    const job = await e.createJob(config(workflowId, extra));
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toMatch(message);
    expect(e.sandbox.requests.filter((r) => r.path.endsWith('/dispatches'))).toHaveLength(1);
  });
});

describe('GitHub Enterprise Server', () => {
  it('dispatches through <GITHUB_URL>/api/v3', async () => {
    const { githubApiBaseUrl } = await import('../../src/config/env.ts');
    const e = await stackWith({ githubApiUrl: (url) => githubApiBaseUrl({ GITHUB_URL: url }) });
    const job = await e.createJob(config(101));
    expect((await e.waitForStatus(job.id, [...TERMINAL])).status).toBe('successful');
    expect(dispatchesOf(e, job.id)).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('dispatches nothing when the job is cancelled before dispatch', async () => {
    const e = await stackWith({ startWorker: false });
    const job = await e.createJob(config(101));
    // As the Temporal UI's cancel does it: the workflow is cancelled before any worker has run it.
    const { jobWorkflowId } = await import('../../src/domain/job-id.ts');
    await e.stack.client.workflow.getHandle(jobWorkflowId(job.id)).cancel();
    const worker = await e.startWorker();
    try {
      const done = await e.waitForStatus(job.id, [...TERMINAL]);
      expect(done.status).toBe('cancelled');
      expect(e.sandbox.dispatches).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  });
});

describe('cancel while the dispatch is in flight', () => {
  it('waits for the dispatch answer and cancels the run it started', async () => {
    const e = await stackWith();
    const dispatchPath = `/repos/${OWNER}/${REPO}/actions/workflows/103/dispatches`;
    e.sandbox.injectFault({ kind: 'delay', method: 'POST', path: dispatchPath, delayMs: 3000 });
    const job = await e.createJob(config(103));
    // The sandbox holds the dispatch 3 s: cancel once it has arrived, before its answer.
    await expect
      .poll(() => e.sandbox.inFlight().some((request) => request.method === 'POST' && request.path === dispatchPath), { timeout: 20_000, interval: 20 })
      .toBe(true);
    expect((await e.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' })).status).toBe(202);
    const done = await e.waitForStatus(job.id, [...TERMINAL]);
    expect(done.status).toBe('cancelled');
    // The dispatch went through after the cancel; its run is cancelled, not left deploying.
    const dispatch = dispatchesOf(e, job.id)[0];
    expect(dispatch).toBeDefined();
    await expect.poll(() => (e.sandbox.getRun(dispatch!.runId) as { conclusion?: string }).conclusion, { timeout: 20_000 }).toBe('cancelled');
  });
});
