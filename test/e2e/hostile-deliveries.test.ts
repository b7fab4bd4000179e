import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppOctokit } from '../../src/github-app/github-app-octokit.ts';
import { startJobWorkflow } from '../../src/client/start-job-workflow.ts';
import { JOB_ORIGINS, MAX_JOB_IDS_PER_RUN } from '../../src/domain/job-id.ts';
import { JOB_INPUT_LIMITS } from '../../src/domain/job-input-limits.ts';
import type { JobWorkflowInput } from '../../src/domain/job.ts';
import { MAX_CONTINUE_AS_NEW_BYTES } from '../../src/workflows/continue-as-new-size.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { growHistoryUntilContinued, runsOfJob } from '../support/job-runs.ts';
import { type E2eStack, type E2eStackOptions, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

/** The jobs API's body limit (`bodyLimit` in src/api/build-app.ts). */

// Issue #26: what an attacker holding one signed delivery, or a legal but large job, can do to a job's workflow.
// Every case ends with what the user sees: the job's final status, and its GitHub run still followed.

let env: E2eStack | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const slowJob = { jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } };

/** A delivery as GitHub shows it under `GET /app/hook/deliveries/{id}`: what was sent, signature included. */
interface CapturedDelivery {
  headers: Record<string, string>;
  body: string;
}

/** The signed `in_progress` delivery of a run, read back from GitHub's delivery log (as anyone holding the App can). */
async function captureDelivery(e: E2eStack, runId: number, action: string): Promise<CapturedDelivery> {
  const attempt = await vi.waitFor(
    () => {
      const found = e.sandbox.deliveries.find((d) => d.runId === runId && d.action === action && d.status === 200);
      if (!found) throw new Error(`no delivered ${action} delivery of run ${runId} yet`);
      return found;
    },
    { timeout: 30_000, interval: 50 },
  );
  const app = createAppOctokit(e.sandbox.url, { appId: e.sandbox.appId, privateKey: e.sandbox.privateKey });
  const { data } = await app.request('GET /app/hook/deliveries/{delivery_id}', { delivery_id: attempt.deliveryId });
  const request = (data as unknown as { request: { headers: Record<string, string>; payload: unknown } }).request;
  return { headers: request.headers, body: JSON.stringify(request.payload) };
}

/** Posts a delivery to the API's webhook endpoint as a replay would: the captured bytes, headers changed as given. */
async function replay(e: E2eStack, delivery: CapturedDelivery, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(`${e.stack.apiUrl}/api/github/webhook`, {
    method: 'POST',
    headers: { ...delivery.headers, ...headers },
    body: delivery.body,
  });
  return { status: response.status, body: await response.text() };
}

/** `gha_agent_webhook_temporal_calls_total` of the API, by call. */
async function webhookTemporalCalls(e: E2eStack): Promise<Record<string, number>> {
  const text = await (await fetch(`${e.stack.apiUrl}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^gha_agent_webhook_temporal_calls_total\{call="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

async function runningJob(e: E2eStack): Promise<{ jobId: string; runId: number }> {
  const job = await e.createJob(slowJob);
  const running = await e.waitForStatus(job.id, 'in_progress');
  return { jobId: job.id, runId: Number(running.externalId) };
}

/** The job's workflow runs that ended other than by continuing as new or completing (terminated, failed, timed out). */
async function abnormalRuns(e: E2eStack, jobId: string): Promise<string[]> {
  return (await runsOfJob(e.stack.client, jobId)).map((run) => run.status.name).filter((s) => !['CONTINUED_AS_NEW', 'COMPLETED', 'RUNNING'].includes(s));
}

async function stack(options: E2eStackOptions = {}): Promise<E2eStack> {
  env = await startE2eStack(options);
  return env;
}

describe('replayed signed deliveries', () => {
  it('refuses a replay with a 15,000-character X-GitHub-Delivery; the job goes on and ends right', { timeout: 300_000 }, async () => {
    // The production history limit (2,000 events): the job continues as new only when that many events have come.
    const e = await stack();
    const { jobId, runId } = await runningJob(e);
    const captured = await captureDelivery(e, runId, 'in_progress');

    // 600 replays, each with a new 15,000-character delivery ID (the header is not signed).
    const answers = new Map<number, number>();
    let sample = '';
    for (let i = 0; i < 600; i++) {
      const answer = await replay(e, captured, { 'x-github-delivery': `${i}-`.padEnd(15_000, 'x') });
      answers.set(answer.status, (answers.get(answer.status) ?? 0) + 1);
      if (answer.status !== 200) sample ||= answer.body;
    }
    expect(Object.fromEntries(answers)).toEqual({ 400: 600 });
    expect(JSON.parse(sample)).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/X-GitHub-Delivery/) });

    // The job still follows its run: GitHub's real completion ends it, successful.
    await e.sandbox.completeRun(runId, 'success');
    const done = await e.waitForStatus(jobId, ['successful', 'failure', 'cancelled', 'external_run_not_found']);
    expect(done.status).toBe('successful');
    expect(await abnormalRuns(e, jobId)).toEqual([]);
  });

  it('replays with new well-formed delivery IDs grow nothing: the job continues as new and ends right', { timeout: 300_000 }, async () => {
    const e = await stack({ jobTimeouts: { historyEventLimit: 300 } });
    const { jobId, runId } = await runningJob(e);
    const captured = await captureDelivery(e, runId, 'in_progress');
    // New GUIDs, as long as GitHub's own (36), until the job has continued as new twice.
    let replays = 0;
    while ((await runsOfJob(e.stack.client, jobId)).length < 3) {
      expect(replays++).toBeLessThan(2_000);
      const answer = await replay(e, captured, { 'x-github-delivery': randomUUID() });
      expect(answer.status).toBe(200);
    }
    await e.sandbox.completeRun(runId, 'success');
    const done = await e.waitForStatus(jobId, ['successful', 'failure', 'cancelled', 'external_run_not_found']);
    expect(done.status).toBe('successful');
    expect(done.externalId).toBe(String(runId));
    expect(await abnormalRuns(e, jobId)).toEqual([]);
  });
});

describe('a large job', () => {
  it('as large as the jobs API accepts survives continue-as-new and ends right', { timeout: 300_000 }, async () => {
    const e = await stack({ jobTimeouts: { quietPeriod: '1 second', pollInterval: '1 second', historyEventLimit: 60 } });
    // Every context field just under its own limit, up to the body limit: the largest legal job, carried at each
    // continue-as-new beside the job it became.
    const near = (reserve: number) => 'v'.repeat(JOB_INPUT_LIMITS.fieldBytes - reserve);
    const overrides = { ...slowJob, variables: { github_org: OWNER, notes: near(200) }, release: { notes: near(200) }, inputs: { notes: near(200) } };
    const filler = near(Math.max(400, JSON.stringify(jobBody(overrides)).length + 64 - (JOB_INPUT_LIMITS.bodyBytes - JOB_INPUT_LIMITS.fieldBytes)));
    const body = { ...overrides, resource: { ...(jobBody(overrides).resource as object), notes: filler } };
    expect(JSON.stringify(jobBody(body)).length).toBeGreaterThan(JOB_INPUT_LIMITS.bodyBytes - 1024);
    const job = await e.createJob(body);
    const running = await e.waitForStatus(job.id, 'in_progress');
    await growHistoryUntilContinued(e, job.id);
    await e.sandbox.completeRun(Number(running.externalId), 'success');
    const done = await e.waitForStatus(job.id, ['successful', 'failure', 'cancelled', 'external_run_not_found']);
    expect(done.status).toBe('successful');
    expect(done.variables).toMatchObject({ notes: overrides.variables.notes });
    expect(await abnormalRuns(e, job.id)).toEqual([]);
    await e.stack.client.workflow.getHandle(jobWorkflowId(job.id)).result();
  });
});

describe('a job too large to carry', () => {
  it('does not continue as new, goes on in its run, and ends right', { timeout: 300_000 }, async () => {
    const timeouts = { quietPeriod: '1 second', pollInterval: '1 second', historyEventLimit: 60 };
    const e = await stack({ jobTimeouts: timeouts });
    // Started the way the Ctrlplane poller starts a job (no API body limit in between): Temporal takes the input,
    // which is larger than MAX_CONTINUE_AS_NEW_BYTES.
    const input = jobBody({ ...slowJob, variables: { github_org: OWNER, notes: 'v'.repeat(MAX_CONTINUE_AS_NEW_BYTES + 64 * 1024) } });
    const jobId = input.id as string;
    expect(
      (
        await startJobWorkflow(
          e.stack.client,
          { ...(input as unknown as JobWorkflowInput), createdAt: new Date().toISOString() },
          { taskQueue: e.stack.taskQueue, timeouts },
        )
      ).started,
    ).toBe(true);
    const running = await e.waitForStatus(jobId, 'in_progress');
    // Reports by hand until the history is well past the point where the job would have continued.
    const handle = e.stack.client.workflow.getHandle(jobWorkflowId(jobId));
    for (let step = 1; (await handle.describe()).historyLength < 2 * timeouts.historyEventLimit; step++) {
      expect(step).toBeLessThan(200);
      const response = await e.api(`/api/v1/jobs/${jobId}`, { method: 'PATCH', json: { status: 'in_progress', message: `step ${step}` } });
      expect(response.status).toBe(200);
    }
    await e.sandbox.completeRun(Number(running.externalId), 'success');
    expect((await e.waitForStatus(jobId, ['successful', 'failure', 'cancelled', 'external_run_not_found'])).status).toBe('successful');
    expect((await runsOfJob(e.stack.client, jobId)).map((run) => run.status.name)).toEqual(['COMPLETED']);
  });
});

describe('a run title full of job IDs', () => {
  it('costs at most the cap of look-ups, however many IDs it carries', { timeout: 120_000 }, async () => {
    const e = await stack();
    const { jobId, runId } = await runningJob(e);
    const captured = await captureDelivery(e, runId, 'in_progress');
    // The attacker's workflow titles its run with 1,000 IDs; GitHub signs what the run says.
    const payload = JSON.parse(captured.body) as { workflow_run: { id: number; display_title: string; name: string } };
    const ids = Array.from({ length: 1_000 }, () => randomUUID().toUpperCase());
    payload.workflow_run.display_title = ids.join(' ');
    payload.workflow_run.id += 1_000_000;
    const body = JSON.stringify(payload);
    const secret = e.sandbox.webhookConfig.secret as string;
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

    const before = await webhookTemporalCalls(e);
    const answer = await replay(e, { headers: captured.headers, body }, { 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature });
    const after = await webhookTemporalCalls(e);
    expect(answer.status).toBe(202);
    const describes = (after.describe ?? 0) - (before.describe ?? 0);
    // At most MAX_JOB_IDS_PER_RUN IDs are taken from a title, each looked up as written and in lower case, in each origin.
    expect(describes).toBeLessThanOrEqual(2 * MAX_JOB_IDS_PER_RUN * JOB_ORIGINS.length);
    expect(describes).toBeGreaterThan(0);

    // The job is untouched and still follows its run.
    await e.sandbox.completeRun(runId, 'success');
    expect((await e.waitForStatus(jobId, ['successful', 'failure'])).status).toBe('successful');
  });
});
