// Issue #26, "hostile input, round two": what the jobs API gives away to a scoped key, whether an API caller can
// take a Ctrlplane job's ID, and how large a job the API lets in. Each test is the attack as a caller makes it,
// over HTTP against the running API, worker, Temporal dev server and the GitHub and Ctrlplane sandboxes.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_INPUT_LIMITS } from '../../src/domain/job-input-limits.ts';
import type { Job } from '../../src/domain/job.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../support/ctrlplane-jobs.ts';
import { API_KEY, CTRLPLANE_WORKSPACE_ID, type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import { jobTokenRepos, TOKEN_HOLD, TOKEN_QUICK } from '../support/job-token-repos.ts';

const CREATE_KEY = `create-${randomUUID()}`;
const REPORT_KEY = `report-${randomUUID()}`;
const CANCEL_KEY = `cancel-${randomUUID()}`;
const JOB_TOKEN_SECRET = randomBytes(32).toString('hex');
/** What a job's variables may hold: a password, a Ctrlplane job's secret. Never for a caller without jobs:read. */
const SECRET = `s3cret-${randomUUID()}`;

let env: E2eStack;
let agentId: string;
beforeAll(async () => {
  env = await startE2eStack({
    sandbox: { repos: jobTokenRepos },
    ctrlplane: true,
    apiKeys: [
      API_KEY,
      { key: CREATE_KEY, scopes: ['jobs:create'] },
      { key: REPORT_KEY, scopes: ['jobs:report'] },
      { key: CANCEL_KEY, scopes: ['jobs:cancel'] },
    ],
    jobTokenSecret: JOB_TOKEN_SECRET,
  });
  agentId = env.stack.ctrlplane!.origin.agentId;
}, 180_000);
afterAll(async () => {
  await env?.stop();
});

const TERMINAL = ['successful', 'failure', 'cancelled', 'skipped', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'] as const;
const dispatchesOf = (jobId: string) => env.sandbox.dispatches.filter((d) => d.inputs.job_id === jobId);
const cancelHere = (jobId: string) => env.api(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' }).catch(() => undefined);
const post = (json: unknown, apiKey?: string) => env.api('/api/v1/jobs', { method: 'POST', json, apiKey });

describe('a scoped key receives no more than its scope may read', () => {
  it('a jobs:create-only key that creates a job gets its id and status, not the job (a configured Deployment’s settings and variables stay unread)', async () => {
    const body = jobBody({ variables: { github_org: OWNER, db_password: SECRET } });
    const created = await post(body, CREATE_KEY);
    const text = await created.text();
    expect(created.status).toBe(201);
    expect(JSON.parse(text)).toEqual({ id: body.id, status: 'pending' });
    expect(text).not.toContain(SECRET);
    expect((await env.waitForStatus(body.id as string, [...TERMINAL])).status).toBe('successful');
  });

  it('a jobs:create-only key that POSTs an existing job’s id gets 409, not the job and its variables', async () => {
    const body = jobBody({ variables: { github_org: OWNER, db_password: SECRET } });
    expect((await post(body)).status).toBe(201);

    const replayed = await post({ ...body, variables: {} }, CREATE_KEY);
    const text = await replayed.text();
    expect(replayed.status).toBe(409);
    expect(JSON.parse(text)).toEqual({ error: 'conflict', message: `job ${body.id as string} already exists` });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('jobAgentConfig');

    // A caller that may read jobs still gets the idempotent answer: the existing job, 200.
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Job).variables).toMatchObject({ db_password: SECRET });
    await env.waitForStatus(body.id as string, [...TERMINAL]);
  });

  it('a jobs:report-only key that PATCHes a job gets its id and status back, never variables, config or context', async () => {
    const job = await env.createJob({
      jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 },
      variables: { db_password: SECRET },
    });
    await env.waitForStatus(job.id, 'in_progress');
    try {
      // The status it already has (answered from the read), then a real change (an update of the workflow).
      for (const change of [{ status: 'in_progress' }, { status: 'inProgress', message: 'step 2 of 3' }]) {
        const response = await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: change, apiKey: REPORT_KEY });
        const text = await response.text();
        expect(response.status, text).toBe(200);
        expect(JSON.parse(text)).toEqual({ id: job.id, status: 'in_progress' });
        expect(text).not.toContain(SECRET);
      }
      // The unscoped key (which may read) gets the whole job, variables included.
      const full = await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: { status: 'in_progress', message: 'step 3 of 3' } });
      expect(((await full.json()) as Job).variables).toMatchObject({ db_password: SECRET });
    } finally {
      await cancelHere(job.id);
    }
  });

  it('a jobs:cancel-only key that cancels a job is told so, without the job', async () => {
    const job = await env.createJob({
      jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 },
      variables: { db_password: SECRET },
    });
    await env.waitForStatus(job.id, 'in_progress');
    const response = await env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST', apiKey: CANCEL_KEY });
    const text = await response.text();
    expect(response.status, text).toBe(202);
    expect(JSON.parse(text)).toEqual({ ok: true, message: `cancellation of job ${job.id} requested` });
    expect(text).not.toContain(SECRET);
    expect((await env.waitForStatus(job.id, [...TERMINAL])).status).toBe('cancelled');
  });
});

describe('a job’s ID cannot be taken from its source', () => {
  it('a Ctrlplane job queued with an ID an API caller took first is still claimed and run with its own config', async () => {
    const id = randomUUID();
    // The attacker has learnt the ID (run names carry job IDs) and starts its own job under it, first, with a
    // workflow of its choosing that holds the job token it is given.
    const squat = await post(
      jobBody({
        id,
        jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: TOKEN_HOLD, jobTokenInput: 'job_token' },
        variables: {},
      }),
      CREATE_KEY,
    );
    expect(squat.status).toBe(201);
    await expect.poll(() => dispatchesOf(id).length, { timeout: 30_000 }).toBe(1);
    const attackerToken = dispatchesOf(id)[0]!.inputs.job_token as string;

    // Ctrlplane queues its job under that ID (the sandbox takes the ID Ctrlplane gave it).
    const real = env.ctrlplane!.createJob({
      id,
      workspaceId: CTRLPLANE_WORKSPACE_ID,
      jobAgentId: agentId,
      deploymentJobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: TOKEN_QUICK, ref: 'main', jobTokenInput: 'job_token' },
      dispatchContext: {
        deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
        environment: { id: randomUUID(), name: 'production' },
        resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: {} },
        version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3' },
        variables: { db_password: SECRET },
      },
    });
    try {
      await waitForCtrlplaneStatus(env.ctrlplane!, real.id, 'successful', 30_000);
      expect(env.ctrlplane!.claimAttempts(id).map((claim) => claim.status)).toEqual([200]);
      expect(reportedStatuses(env.ctrlplane!, id)).toEqual(['successful']);
      const realDispatch = dispatchesOf(id).find((d) => d.workflowId === TOKEN_QUICK);
      expect(realDispatch).toMatchObject({ owner: OWNER, repo: REPO, ref: 'main' });

      // Reads by ID find the Ctrlplane job.
      const read = await env.getJob(id);
      expect(read.ctrlplane).toMatchObject({ agentId });
      expect(read.variables).toMatchObject({ db_password: SECRET });
      // Its own run's token reads it; the squatting job's token never does, nor reports its status.
      const ownToken = realDispatch!.inputs.job_token as string;
      expect(((await (await env.api(`/api/v1/jobs/${id}`, { apiKey: ownToken })).json()) as Job).variables).toMatchObject({ db_password: SECRET });
      const stolen = await env.api(`/api/v1/jobs/${id}`, { apiKey: attackerToken });
      const stolenText = await stolen.text();
      expect(stolen.status, stolenText).toBe(200);
      expect(stolenText).not.toContain(SECRET);
      expect((JSON.parse(stolenText) as Job).ctrlplane).toBeUndefined();
      const report = await env.api(`/api/v1/jobs/${id}`, { method: 'PATCH', json: { status: 'failure', message: 'from the squatter' }, apiKey: attackerToken });
      expect(report.status).toBe(200);
      expect((await env.getJob(id)).status).toBe('successful');
      expect(reportedStatuses(env.ctrlplane!, id)).toEqual(['successful']);
    } finally {
      await env.stack.client.workflow
        .getHandle(`job-${id}`)
        .cancel()
        .catch(() => undefined);
    }
  });

  it('an API create of a Ctrlplane job’s ID is refused with 409 and starts nothing', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { variables: { db_password: SECRET } });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful');
    for (const key of [CREATE_KEY, API_KEY]) {
      const response = await post(
        jobBody({ id: queued.id, jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } }),
        key,
      );
      const text = await response.text();
      expect(response.status, text).toBe(409);
      expect(JSON.parse(text)).toEqual({ error: 'conflict', message: `job ${queued.id} already exists (from Ctrlplane)` });
      expect(text).not.toContain(SECRET);
    }
    expect(dispatchesOf(queued.id).map((d) => d.workflowId)).toEqual([101]);
  });
});

describe('every job input is bounded when it enters', () => {
  it('refuses a 1.05 MB job body with 413 naming the limit, before anything starts', async () => {
    const body = jobBody({ variables: { github_org: OWNER, blob: 'x'.repeat(1_044_000) } });
    const size = Buffer.byteLength(JSON.stringify(body));
    expect(size).toBeGreaterThan(1_040_000);
    expect(size).toBeLessThan(1024 * 1024);
    const response = await post(body);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: 'payload_too_large',
      message: `the request body is over ${JOB_INPUT_LIMITS.bodyBytes} bytes (${JOB_INPUT_LIMITS.bodyBytes / 1024} KiB), the limit for a job`,
    });
    expect((await env.api(`/api/v1/jobs/${body.id as string}`)).status).toBe(404);
  });

  it.each(['variables', 'deployment', 'environment', 'resource', 'version', 'release', 'inputs'] as const)(
    'refuses %s over its limit with 413 naming the field and the limit',
    async (field) => {
      const base = jobBody();
      const big = 'x'.repeat(JOB_INPUT_LIMITS.fieldBytes + 10);
      const value = field === 'variables' || field === 'release' || field === 'inputs' ? { blob: big } : { ...(base[field] as object), blob: big };
      const response = await post({ ...base, [field]: value });
      const answer = (await response.json()) as { error: string; message: string };
      expect(response.status, answer.message).toBe(413);
      expect(answer.error).toBe('payload_too_large');
      expect(answer.message).toMatch(new RegExp(`^body\\.${field} is \\d+ bytes; the limit is ${JOB_INPUT_LIMITS.fieldBytes} bytes \\(64 KiB\\)$`));
      expect((await env.api(`/api/v1/jobs/${base.id as string}`)).status).toBe(404);
    },
  );

  it('ends a Ctrlplane job whose variables are over the limit invalidJobAgent, saying why, without dispatching or carrying them', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { variables: { blob: 'x'.repeat(JOB_INPUT_LIMITS.fieldBytes + 10) } });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'invalidJobAgent');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['invalidJobAgent']);
    // Ctrlplane takes the status alone; the reason is the job's message here.
    expect((await env.getJob(queued.id)).message).toMatch(
      new RegExp(`variables is \\d+ bytes; the limit is ${JOB_INPUT_LIMITS.fieldBytes} bytes \\(64 KiB\\)`),
    );
    expect(dispatchesOf(queued.id)).toEqual([]);
    const history = JSON.stringify(await env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).fetchHistory());
    expect(history.length).toBeLessThan(JOB_INPUT_LIMITS.fieldBytes);
  });

  it('accepts a job whose every field is just under its limit, and runs it', async () => {
    const near = 'x'.repeat(JOB_INPUT_LIMITS.fieldBytes - 200);
    const job = await env.createJob({ variables: { github_org: OWNER, notes: near }, release: { notes: near } });
    expect((await env.waitForStatus(job.id, [...TERMINAL])).status).toBe('successful');
  });
});
