import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobWorkflow } from '../../src/client/start-job-workflow.ts';
import type { Job } from '../../src/domain/job.ts';
import { type WorkflowRunEvent, workflowRunEventSignal } from '../../src/contract/workflow-contract.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import type { jobWorkflow } from '../../src/workflows/job-workflow.ts';
import { FakeGithub, jobInput, OWNER, REPO, startJobWorker, startTimeSkippingEnvironment, WORKFLOW_ID } from '../support/time-skipping.ts';

// A job's waits at their production lengths (no overrides: a 2-minute quiet period, 1-minute polls backing off,
// 10 minutes to find the run, 24 hours to finish, a 7-day backstop), on Temporal's time-skipping test server: the
// workflow's timers fire as soon as nothing else runs, so a day of waiting takes well under a second of the test.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs `body` with the production job worker on a task queue of its own, serving `github`. */
async function withWorker<T>(github: FakeGithub, body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `deadlines-${randomUUID()}`;
  const worker: Worker = await startJobWorker(env, taskQueue, github, inject('workflowBundlePath'));
  return worker.runUntil(body(taskQueue));
}

/** Starts a job as the API does (its search attributes, its backstop), with the default deadlines. */
async function startJob(taskQueue: string): Promise<WorkflowHandle<typeof jobWorkflow>> {
  const input = jobInput(new Date());
  await startJobWorkflow(env.client, input, { taskQueue });
  return env.client.workflow.getHandle<typeof jobWorkflow>(jobWorkflowId(input.id));
}

const elapsedMs = (job: Job) => Date.parse(job.completedAt ?? '') - Date.parse(job.startedAt ?? '');

/**
 * A `workflow_run` delivery for the job's run, as the webhook endpoint signals it, stamped with the test server's
 * clock (ahead of the wall clock by every wait an earlier test skipped).
 */
async function runEvent(run: { runId: number }, deliveryId: string, fields: Partial<WorkflowRunEvent>): Promise<WorkflowRunEvent> {
  const now = await env.currentTimeMs();
  return {
    deliveryId,
    action: 'in_progress',
    runId: run.runId,
    status: 'in_progress',
    conclusion: null,
    repository: `${OWNER}/${REPO}`,
    installationId: 1,
    triggerEvent: 'workflow_dispatch',
    workflowPath: `.github/workflows/${WORKFLOW_ID}`,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    ...fields,
  };
}

describe('a job whose run never finishes and whose webhooks never come', () => {
  it('ends failure at the 24-hour deadline, having polled the unchanging run about every 16 minutes', async () => {
    const github = new FakeGithub();
    const { job, events } = await withWorker(github, async (taskQueue) => {
      const handle = await startJob(taskQueue);
      const result = await handle.result();
      return { job: result, events: (await handle.fetchHistory()).events?.length ?? 0 };
    });
    expect(job.status).toBe('failure');
    expect(job.message).toBe('no final status from GitHub within 1d of dispatch');
    expect(elapsedMs(job)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(elapsedMs(job)).toBeLessThan(24 * HOUR + 16 * MINUTE);
    // One dispatch, of the configured workflow, carrying the job's ID.
    expect(github.dispatches).toHaveLength(1);
    expect(github.dispatches[0]).toMatchObject({ owner: OWNER, repo: REPO, workflowId: WORKFLOW_ID, ref: 'main', jobId: job.id });
    // Polls back off 2, 4, 8, 16 minutes and stay at 16: some 90 in a day, not 1,440 at the 1-minute interval.
    expect(github.lookUps.length).toBeGreaterThanOrEqual(85);
    expect(github.lookUps.length).toBeLessThanOrEqual(100);
    // Each poll costs the history about 11 events (timer, activity, workflow tasks): some 16,000 at a fixed interval,
    // past Temporal's 10,240-event warning; backed off, about 1,050, and no continue-as-new needed (2,000).
    expect(events).toBeLessThan(1500);
  });
});

describe('a job whose run cannot be found', () => {
  it('ends external_run_not_found 10 minutes after the dispatch', async () => {
    const github = new FakeGithub({ returnRunDetails: false, findsRun: false });
    const job = await withWorker(github, async (taskQueue) => (await startJob(taskQueue)).result());
    expect(job.status).toBe('external_run_not_found');
    expect(job.message).toContain(`found in ${OWNER}/${REPO} within 10m of dispatch`);
    expect(job.message).toContain('run-name');
    expect(elapsedMs(job)).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(elapsedMs(job)).toBeLessThan(11 * MINUTE);
    expect(github.dispatches).toHaveLength(1);
    // Looked for after 2, 4 and 8 quiet minutes, and once more at the deadline: no answer is taken from a guess.
    expect(github.lookUps).toHaveLength(4);
  });
});

describe('the quiet period', () => {
  it('asks GitHub nothing while webhooks flow, and asks 2 minutes after they stop', async () => {
    const github = new FakeGithub();
    const job = await withWorker(github, async (taskQueue) => {
      const handle = await startJob(taskQueue);
      await expect.poll(() => github.dispatches.length, { timeout: 30_000 }).toBe(1);
      const run = github.runOf(github.dispatches[0]!.jobId)!;
      for (let minute = 0; minute < 10; minute++) {
        await handle.signal(workflowRunEventSignal, await runEvent(run, `delivery-${minute}`, {}));
        await env.sleep('1 minute');
      }
      // A delivery a minute for ten minutes: no poll. None 1 min 50 s after the last delivery; one past 2 minutes.
      expect(github.lookUps).toHaveLength(0);
      await env.sleep('50 seconds');
      expect(github.lookUps).toHaveLength(0);
      await env.sleep('20 seconds');
      await expect.poll(() => github.lookUps.length, { timeout: 30_000 }).toBe(1);
      await handle.signal(
        workflowRunEventSignal,
        await runEvent(run, 'delivery-completed', { action: 'completed', status: 'completed', conclusion: 'success' }),
      );
      return handle.result();
    });
    expect(job.status).toBe('successful');
    expect(github.lookUps).toHaveLength(1);
  });
});

describe('a job that continues as new', () => {
  it('keeps its deadline from the dispatch: it ends failure 24 hours after it, not after the continue', async () => {
    const github = new FakeGithub();
    const { job, firstRun } = await withWorker(github, async (taskQueue) => {
      const handle = await startJob(taskQueue);
      await expect.poll(() => github.dispatches.length, { timeout: 30_000 }).toBe(1);
      const firstRunId = (await handle.describe()).runId;
      const run = github.runOf(github.dispatches[0]!.jobId)!;
      // Webhooks that keep coming, 5 seconds apart (each a few history events), until the history passes the 2,000
      // events at which a job continues as new, well over 16 minutes after the dispatch (so a deadline counted from
      // the continue would show); none of them ends the run. The test server moves its clock only once the worker
      // has handled each one.
      for (let delivery = 0; (await handle.describe()).runId === firstRunId; delivery++) {
        if (delivery === 1000) throw new Error('the job did not continue as new after 1,000 deliveries');
        await handle.signal(workflowRunEventSignal, await runEvent(run, `delivery-${delivery}`, {}));
        await env.sleep('5 seconds');
      }
      const result = await handle.result();
      return { job: result, firstRun: await env.client.workflow.getHandle(handle.workflowId, firstRunId).describe() };
    });
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(job.status).toBe('failure');
    expect(job.message).toBe('no final status from GitHub within 1d of dispatch');
    expect(elapsedMs(job)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(elapsedMs(job)).toBeLessThan(24 * HOUR + 16 * MINUTE);
    expect(github.dispatches).toHaveLength(1);
  });
});
