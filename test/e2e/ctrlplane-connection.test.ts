import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/create-logger.ts';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../support/ctrlplane-jobs.ts';
import { type E2eStack, OWNER, startE2eStack } from '../support/e2e-stack.ts';
import { sandboxGithubEnv, startTestStack, TEST_JOB_TIMEOUTS } from '../support/test-stack.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';

let env: E2eStack;
let agentId: string;
beforeAll(async () => {
  env = await startE2eStack({ ctrlplane: true });
  agentId = env.stack.ctrlplane!.origin.agentId;
});
afterAll(async () => {
  await env?.stop();
});

const dispatchesOf = (jobId: string) => env.sandbox.dispatches.filter((d) => d.inputs.job_id === jobId);
const claimsOf = (jobId: string) => env.ctrlplane!.claimAttempts(jobId).map((claim) => claim.status);

describe('Ctrlplane http-pull connection', () => {
  it('registers the agent as http-pull under a stable ID', () => {
    const agent = env.ctrlplane!.jobAgent(env.ctrlplaneSettings!.workspaceId, agentId);
    expect(agent).toMatchObject({ name: 'github-actions-agent', type: 'http-pull' });
  });

  it('takes a queued job, claims it, dispatches it once with the rendered config and reports successful', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId);
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful');
    expect(claimsOf(queued.id)).toEqual([200]);
    // The claim set inProgress in Ctrlplane; the only report is the final status, in camelCase.
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['successful']);
    const dispatches = dispatchesOf(queued.id);
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({
      owner: OWNER,
      repo: 'deploy-demo',
      workflowId: 101,
      ref: 'main',
      installationId: 4242,
      inputs: { job_id: queued.id },
    });
    // The same job is readable through our own API, with its origin.
    const job = await env.getJob(queued.id);
    expect(job).toMatchObject({ status: 'successful', ctrlplane: { workspaceId: env.ctrlplaneSettings!.workspaceId, agentId, reportedStatus: 'successful' } });
    expect(job.renderedJobAgentConfig).toMatchObject({ installationId: 4242, owner: OWNER, ref: 'main' });
    // The Ctrlplane key stays in the worker: not in the job's history.
    const history = await env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).fetchHistory();
    const historyText = JSON.stringify(history);
    expect(historyText).toContain(queued.id);
    expect(historyText).not.toContain(env.ctrlplaneSettings!.apiKey);
  });

  it('reports failure when the GitHub run fails', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 102 });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'failure');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['failure']);
    expect(dispatchesOf(queued.id)).toHaveLength(1);
  });

  it('reports invalidJobAgent without dispatching when the config does not render', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { deploymentConfig: { owner: '{{ .variables.github_org | nosuchfunction }}' } });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'invalidJobAgent');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['invalidJobAgent']);
    expect(claimsOf(queued.id)).toEqual([200]);
    expect(dispatchesOf(queued.id)).toHaveLength(0);
    expect((await env.getJob(queued.id)).message).toContain('function "nosuchfunction" not defined');
  });

  it('runs a job whose dispatch context lacks parts (no deployment, no environment) and serves it through our API', async () => {
    const queued = env.ctrlplane!.createJob({
      workspaceId: env.ctrlplaneSettings!.workspaceId,
      jobAgentId: agentId,
      deploymentJobAgentConfig: { installationId: 4242, owner: OWNER, repo: 'deploy-demo', workflowId: 101 },
      dispatchContext: { resource: { id: 'r1', identifier: 'cluster-1' } },
    });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful');
    const response = await env.api(`/api/v1/jobs/${queued.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'successful', resource: { identifier: 'cluster-1' }, deployment: {}, environment: {} });
    const list = await env.api(`/api/v1/jobs?resource=cluster-1`);
    expect(list.status).toBe(200);
  });

  it('runs a job once when the claim answer is lost, and still reports it', async () => {
    env.ctrlplane!.injectFault({ kind: 'lost-response', method: 'POST', path: /\/claim$/ });
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId);
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful');
    // The first claim took effect but its answer never came; the retry met 409 and knew the claim was its own.
    expect(claimsOf(queued.id)).toEqual([200, 409]);
    expect(dispatchesOf(queued.id)).toHaveLength(1);
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['successful']);
  });

  it('leaves alone a job that was no longer queued when it tried to claim it', async () => {
    // Claimed by someone else between our list and our claim: simulated by a job Ctrlplane already moved on.
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId);
    env.ctrlplane!.injectFault({ kind: 'delay', method: 'POST', path: new RegExp(`/jobs/${queued.id}/claim$`), delayMs: 2000 });
    // The job's workflow exists (pulled) and its claim is on its way, held up for 2 s; another process claims first.
    await env.waitForStatus(queued.id, 'pending', 20_000);
    env.ctrlplane!.setJobStatus(queued.id, 'inProgress');
    const job = await env.waitForStatus(queued.id, 'skipped', 30_000);
    expect(job.message).toContain('no longer queued');
    expect(claimsOf(queued.id)).toEqual([409]);
    expect(dispatchesOf(queued.id)).toHaveLength(0);
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual([]);
  });

  it('reports every status change in order: actionRequired, back to inProgress, then the final status once', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    const running = await env.waitForStatus(queued.id, 'in_progress');
    const patch = (status: string) => env.api(`/api/v1/jobs/${queued.id}`, { method: 'PATCH', json: { status } });
    expect((await patch('action_required')).status).toBe(200);
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'actionRequired');
    expect((await patch('in_progress')).status).toBe(200);
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'inProgress');
    await env.sandbox.completeRun(Number(running.externalId), 'success');
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['actionRequired', 'inProgress', 'successful']);
    // Terminal never changes: a late PATCH is refused here and nothing more reaches Ctrlplane.
    expect((await patch('failure')).status).toBe(409);
    // Once the workflow has closed, no report can follow.
    await expect
      .poll(async () => (await env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).describe()).status.name, { timeout: 10_000 })
      .toBe('COMPLETED');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['actionRequired', 'inProgress', 'successful']);
  });

  it('delays reports while Ctrlplane is down, loses none, and keeps other jobs going', { timeout: 120_000 }, async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    const running = await env.waitForStatus(queued.id, 'in_progress');
    await env.ctrlplane!.goDown();
    try {
      await env.sandbox.completeRun(Number(running.externalId), 'success');
      await env.waitForStatus(queued.id, 'successful');
      // A job from our own API is not held up by the outage.
      const other = await env.createJob();
      await env.waitForStatus(other.id, 'successful');
      // Reports are being retried, not dropped: the workflow stays open until Ctrlplane accepts the final status.
      const handle = env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane'));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      // …and the pending-report gauge shows it (polls go on against visibility while Ctrlplane is down).
      await expect
        .poll(async () => Number(/^gha_agent_ctrlplane_reports_pending (\S+)$/m.exec(await env.ctrlplaneMetrics!.metrics())?.[1]), { timeout: 15_000 })
        .toBe(1);
      // The outage lasts a while (the behaviour under test): the final report fails and is retried meanwhile.
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await env.ctrlplane!.comeBack();
    }
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful', 90_000);
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['successful']);
    await expect
      .poll(async () => (await env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).describe()).status.name, { timeout: 10_000 })
      .toBe('COMPLETED');
  });

  it('cancels the GitHub run when the job is cancelled in Ctrlplane, without reading each running job every poll', { timeout: 90_000 }, async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    const running = await env.waitForStatus(queued.id, 'in_progress');
    const jobReads = () => env.ctrlplane!.requests().filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${queued.id}`)).length;
    // Several polls (500 ms apart) while the job runs: none reads the job itself.
    const listings = () => env.ctrlplane!.requests().filter((r) => r.method === 'GET' && /\/job-agents\/[^/]+\/jobs$/.test(r.path)).length;
    const listedBefore = listings();
    await expect.poll(listings, { timeout: 15_000 }).toBeGreaterThanOrEqual(listedBefore + 4);
    expect(jobReads()).toBe(0);
    env.ctrlplane!.setJobStatus(queued.id, 'cancelled');
    const job = await env.waitForStatus(queued.id, 'cancelled', 30_000);
    expect(job.status).toBe('cancelled');
    await expect.poll(() => (env.sandbox.getRun(Number(running.externalId)) as { conclusion?: string }).conclusion, { timeout: 10_000 }).toBe('cancelled');
    expect(jobReads()).toBeLessThanOrEqual(2);
    expect(env.ctrlplane!.job(queued.id)?.status).toBe('cancelled');
  });

  it('with two worker replicas polling the same agent, dispatches each job once', { timeout: 120_000 }, async () => {
    const logger = createLogger({ level: 'silent' });
    const second = await startTestStack({
      env: { TEMPORAL_TASK_QUEUE: env.stack.taskQueue, ...sandboxGithubEnv(env.sandbox), API_KEYS: 'unused', ...env.ctrlplaneEnv },
      ctrlplanePollIntervalMs: 300,
      jobTimeouts: TEST_JOB_TIMEOUTS,
      logger,
    });
    try {
      const jobs = Array.from({ length: 12 }, () => queueCtrlplaneJob(env.ctrlplane!, agentId));
      for (const job of jobs) await waitForCtrlplaneStatus(env.ctrlplane!, job.id, 'successful', 90_000);
      for (const job of jobs) {
        expect(dispatchesOf(job.id)).toHaveLength(1);
        expect(claimsOf(job.id)).toEqual([200]);
        expect(reportedStatuses(env.ctrlplane!, job.id)).toEqual(['successful']);
      }
    } finally {
      await second.stop();
    }
  });

  it('reports failure to Ctrlplane for a job whose workflow was terminated in Temporal before it ended', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    await env.waitForStatus(queued.id, 'in_progress');
    await env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).terminate('stuck; cleaning up');
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'failure', 30_000);
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['failure']);
    expect((await env.getJob(queued.id)).status).toBe('failure');
  });

  it('reports the final status a job reached when its workflow was terminated while that report was being retried', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 101 });
    // Ctrlplane refuses the next status reports for this job with 500: the final one is retried.
    env.ctrlplane!.injectFault({ kind: 'server-error', method: 'PUT', path: new RegExp(`/jobs/${queued.id}/status$`), times: 3 });
    await env.waitForStatus(queued.id, 'successful');
    await expect
      .poll(() => env.ctrlplane!.requests().filter((r) => r.method === 'PUT' && r.path.endsWith(`/jobs/${queued.id}/status`)).length)
      .toBeGreaterThan(0);
    await env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).terminate('stuck on a report');
    // The poller reports what the job reached, retrying past the remaining refusals; not `failure`.
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful', 30_000);
    expect(reportedStatuses(env.ctrlplane!, queued.id)).not.toContain('failure');
  });

  it('counts what it does in Prometheus metrics', async () => {
    const text = await env.ctrlplaneMetrics!.metrics();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('gha_agent_ctrlplane_jobs_pulled_total')).toBeGreaterThanOrEqual(6);
    expect(value('gha_agent_ctrlplane_jobs_claimed_total')).toBeGreaterThanOrEqual(6);
    expect(value('gha_agent_ctrlplane_claim_conflicts_total')).toBe(1);
    expect(value('gha_agent_ctrlplane_reports_sent_total{status="successful"}')).toBeGreaterThanOrEqual(3);
    expect(value('gha_agent_ctrlplane_reports_sent_total{status="invalidJobAgent"}')).toBe(1);
    expect(value('gha_agent_ctrlplane_reports_failed_total')).toBeGreaterThanOrEqual(1);
    expect(value('gha_agent_ctrlplane_polls_total{outcome="ok"}')).toBeGreaterThan(10);
    expect(value('gha_agent_ctrlplane_last_successful_poll_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 30);
    // Counted from visibility at each poll: every job here has had its final status accepted.
    await expect
      .poll(async () => Number(/^gha_agent_ctrlplane_reports_pending (\S+)$/m.exec(await env.ctrlplaneMetrics!.metrics())?.[1]), { timeout: 10_000 })
      .toBe(0);
  });
});
