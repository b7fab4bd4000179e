import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../../src/activities/create-activities.ts';
import { createGithubClientFactory, type GithubClientFactory } from '../../../src/activities/github-client-factory.ts';
import { createLogger } from '../../../src/logging/create-logger.ts';
import type { JobStatus } from '../../../src/domain/job-status.ts';
import { jobWorkflowId } from '../../../src/domain/job-id.ts';
import { createJobWorker } from '../../../src/worker/create-job-worker.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../../support/e2e-stack.ts';
import { type PartitionProxy, startPartitionProxy } from '../../support/partition-proxy.ts';
import { spawnWorker, type SpawnedWorker } from '../../support/spawned-worker.ts';
import { expectEndedRight, waitAllTerminal } from './drill-checks.ts';

// A worker cut off from Temporal but not from GitHub, with a queue of dispatches waiting for the installation's turn
// (production spacing: one a second). Its heartbeats stop reaching the server, which times its attempts out after
// the 30 s heartbeat timeout and gives the retries to the other workers; a retry that comes before the cut-off worker
// reached the job finds no run (that request is still queued) and dispatches. The cut-off worker's queued requests
// must then never be sent. Two workers take the retries: the retries come in the order the cut-off worker queued
// them, so one worker at the same pace would never get ahead of it; two (the chart runs two replicas, and a fleet
// more) work through them twice as fast.
const JOBS = 70;
const RETRYING_WORKERS = 2;
/** Long enough for the cut-off worker to work through its whole queue (a second a dispatch) before it is reconnected. */
const PARTITION_MS = 75_000;

let env: E2eStack;
let proxy: PartitionProxy | undefined;
beforeAll(async () => {
  env = await startE2eStack({
    startWorker: false,
    // Jobs whose dispatch waits in a queue for a minute must not count as runs never found.
    jobTimeouts: { discoveryTimeout: '10 minutes', jobTimeout: '15 minutes' },
  });
  proxy = await startPartitionProxy(inject('temporalAddress'));
});
afterAll(async () => {
  await proxy?.close();
  await env?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The worker behind the proxy, in this process so the test sees how many of its mutations still wait for a turn. */
async function startProxiedWorker(address: string) {
  const connection = await NativeConnection.connect({ address });
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const github = createGithubClientFactory({ apiUrl: env.sandbox.url, app: { appId: env.sandbox.appId, privateKey: env.sandbox.privateKey }, logger });
  let waiting = 0;
  const counted: GithubClientFactory = {
    configured: github.configured,
    budget: github.budget,
    forInstallation: (id) => github.forInstallation(id),
    mutate(installationId, turn, send) {
      waiting++;
      return github.mutate(installationId, turn, send).finally(() => waiting--);
    },
  };
  const worker = await createJobWorker({
    connection,
    namespace: inject('temporalNamespace'),
    taskQueue: env.stack.taskQueue,
    activities: createActivities(counted),
    workflowBundlePath: inject('workflowBundlePath'),
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  return {
    /** Mutations queued and not yet through their turn (sent or passed). */
    waiting: () => waiting,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Whether every job's dispatch has been started by a worker (and is waiting, or done). */
async function dispatchesStarted(ids: string[]): Promise<boolean> {
  const dispatched = new Set(env.sandbox.dispatches.map((dispatch) => dispatch.inputs.job_id));
  const described = await Promise.all(ids.map((id) => env.stack.client.workflow.getHandle(jobWorkflowId(id)).describe()));
  return described.every(
    ({ raw }, i) =>
      dispatched.has(ids[i]) ||
      (raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === 'dispatchWorkflowRun' && activity.lastStartedTime),
  );
}

/** The attempt of the job's dispatch that completed, from its history. */
async function dispatchAttempt(id: string): Promise<number> {
  const history = await env.stack.client.workflow.getHandle(jobWorkflowId(id)).fetchHistory();
  const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'dispatchWorkflowRun');
  const started = history.events?.find(
    (event) => scheduled && Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
  );
  return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
}

describe('fault drill: a worker loses Temporal but still reaches GitHub', () => {
  it(`dispatches each of ${JOBS} jobs once although the cut-off worker's queued dispatches were retried elsewhere`, { timeout: 300_000 }, async () => {
    const started = Date.now();
    const cutOff = await startProxiedWorker(proxy!.address);
    const others: SpawnedWorker[] = [];
    try {
      const expected = new Map<string, JobStatus>();
      const jobs = await Promise.all(
        Array.from({ length: JOBS }, () => env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } })),
      );
      for (const job of jobs) expected.set(job.id, 'successful');
      const ids = [...expected.keys()];
      // Every dispatch waits in the cut-off worker's queue before the cut.
      while (!(await dispatchesStarted(ids))) await pause(250);
      await Promise.all(Array.from({ length: RETRYING_WORKERS }, async () => others.push(await spawnWorker(env))));
      // Refused, not silent: over a silent connection the SDK's heartbeat calls hang, and the worker cancels an attempt
      // whose heartbeats got no answer a few seconds after the server timed it out (a narrower window, the same race).
      proxy!.cut();
      const atCut = env.sandbox.dispatches.length;

      // The cut-off worker works through its queue; the server times its attempts out and the others retry them.
      const partitionEnds = Date.now() + PARTITION_MS;
      while (cutOff.waiting() > 0 && Date.now() < partitionEnds) await pause(250);
      const queuedAtRestore = cutOff.waiting();
      proxy!.restore();

      const ended = await waitAllTerminal(env.getJob, ids, 180_000);
      const retried = (await Promise.all(ids.map(dispatchAttempt))).filter((attempt) => attempt > 1).length;
      const perJob = new Map<string, number>();
      for (const dispatch of env.sandbox.dispatches) perJob.set(dispatch.inputs.job_id ?? '', (perJob.get(dispatch.inputs.job_id ?? '') ?? 0) + 1);
      console.log(
        `worker-partitioned: ${JOBS} jobs, ${env.sandbox.dispatches.length} dispatches (${atCut} before the cut), ` +
          `${ids.filter((id) => (perJob.get(id) ?? 0) > 1).length} jobs dispatched more than once, ` +
          `${retried} dispatched by a retry, ${queuedAtRestore} mutations still queued at restore, ${Math.round((Date.now() - started) / 1000)} s`,
      );
      // The cut-off worker's attempts really were timed out and retried elsewhere.
      expect(retried).toBeGreaterThan(JOBS / 2);
      expectEndedRight(ended, expected, env.sandbox);
    } finally {
      await Promise.all(others.map((other) => other.stop()));
      await cutOff.stop();
    }
  });
});
