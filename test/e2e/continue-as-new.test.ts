import { afterEach, describe, expect, it } from 'vitest';
import { searchAttributes } from '../../src/contract/search-attributes.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../support/ctrlplane-jobs.ts';
import { growHistoryUntilContinued, runsOfJob } from '../support/job-runs.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

// A job whose history grows (a run that lasts, webhooks that repeat, reports by hand) continues as new before its
// history nears Temporal's limits, carrying everything: the user sees one job that goes on as if nothing happened.
const HISTORY_EVENT_LIMIT = 60;

let env: E2eStack | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const stack = (ctrlplane = false) =>
  startE2eStack({ ctrlplane, jobTimeouts: { quietPeriod: '1 second', pollInterval: '1 second', historyEventLimit: HISTORY_EVENT_LIMIT } });

/** Every run of the job's workflow, oldest first, with its history. */
async function runsWithHistories(e: E2eStack, jobId: string) {
  const { client } = e.stack;
  return Promise.all(
    (await runsOfJob(client, jobId)).map(async (run) => ({
      runId: run.runId,
      status: run.status.name,
      history: await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory(),
    })),
  );
}

describe('continue-as-new', () => {
  it('carries an API job across runs: same run, same clock, same search attributes, one dispatch, right end', async () => {
    env = await stack();
    const e = env;
    const job = await e.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const running = await e.waitForStatus(job.id, 'in_progress');
    await growHistoryUntilContinued(e, job.id, 2);

    const runs = await runsWithHistories(e, job.id);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs.slice(0, -1)) {
      expect(run.status).toBe('CONTINUED_AS_NEW');
      expect(run.history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    }
    // No run's history grows far past the limit (a continue waits only for an update in flight).
    for (const run of runs) expect(run.history.events?.length ?? 0).toBeLessThan(HISTORY_EVENT_LIMIT + 40);

    const continued = await e.getJob(job.id);
    expect(continued).toMatchObject({ status: 'in_progress', externalId: running.externalId, startedAt: running.startedAt, createdAt: running.createdAt });
    expect(continued.message).toMatch(/^step \d+$/);
    const description = await e.stack.client.workflow.getHandle(jobWorkflowId(job.id)).describe();
    expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('in_progress');
    expect(description.typedSearchAttributes.get(searchAttributes.runId)).toBe(Number(running.externalId));

    // The list shows the job once, not once per run.
    await expect
      .poll(
        async () => {
          const page = (await (await e.api(`/api/v1/jobs?limit=100&status=in_progress`)).json()) as { jobs: Array<{ id: string }> };
          return page.jobs.filter((row) => row.id === job.id).length;
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    // The genuine run's webhook still reaches the job, now in its latest run, and ends it.
    await e.sandbox.completeRun(Number(running.externalId), 'success');
    const done = await e.waitForStatus(job.id, ['successful', 'failure']);
    expect(done.status).toBe('successful');
    expect(e.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(1);
  });

  it('cancels the GitHub run of a continued job', async () => {
    env = await stack();
    const e = env;
    const job = await e.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const running = await e.waitForStatus(job.id, 'in_progress');
    await growHistoryUntilContinued(e, job.id);
    expect((await e.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' })).status).toBe(202);
    expect((await e.waitForStatus(job.id, ['cancelled'])).status).toBe('cancelled');
    await expect
      .poll(() => e.sandbox.requests.some((r) => r.method === 'POST' && r.path.endsWith(`/actions/runs/${running.externalId}/cancel`)), { timeout: 20_000 })
      .toBe(true);
  });

  it('carries a Ctrlplane job: no second claim, no repeated report, the final status reported once', async () => {
    env = await stack(true);
    const e = env;
    const queued = queueCtrlplaneJob(e.ctrlplane!, e.stack.ctrlplane!.origin.agentId, { workflowId: 103 });
    const running = await e.waitForStatus(queued.id, 'in_progress');
    await growHistoryUntilContinued(e, queued.id);
    await e.sandbox.completeRun(Number(running.externalId), 'success');
    await waitForCtrlplaneStatus(e.ctrlplane!, queued.id, 'successful');
    await e.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane')).result();
    expect(e.ctrlplane!.claimAttempts(queued.id).map((claim) => claim.status)).toEqual([200]);
    expect(reportedStatuses(e.ctrlplane!, queued.id)).toEqual(['successful']);
    expect(e.sandbox.dispatches.filter((d) => d.inputs.job_id === queued.id)).toHaveLength(1);
  });

  it('is readable without a worker after it continued: the job as the last run left it', async () => {
    env = await stack();
    const e = env;
    const job = await e.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const running = await e.waitForStatus(job.id, 'in_progress');
    await growHistoryUntilContinued(e, job.id);
    e.stack.worker!.shutdown();
    await expect.poll(() => e.stack.worker!.getState(), { timeout: 30_000 }).toBe('STOPPED');
    const read = await e.getJob(job.id);
    expect(read).toMatchObject({ id: job.id, status: 'in_progress', externalId: running.externalId, startedAt: running.startedAt, version: { tag: 'v1.2.3' } });
    expect(read).not.toHaveProperty('resume');
  });
});
