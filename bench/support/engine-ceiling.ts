// The engine's own ceiling on the server a bench module already runs, measured in the same run with the same SDK:
// raw signals into live workflows, raw workflow starts, and the minimal job shape end to end. Every Temporal-bound row divides by these.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { workflowRunEventSignal, type WorkflowRunEvent } from '../../src/contract/workflow-contract.ts';
import { closedLoop, openLoop, type ClosedLoopResult } from './load.ts';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Signals sent straight through the SDK client to the given live job workflows, `concurrency` at a time for
 * `seconds`: the same payloads the API sends for a delivery, each with a new delivery ID, with no HTTP, no
 * signature check and no routing. What the webhook path can at best reach on this server.
 */
export async function rawSignalRate(
  client: Client,
  targets: Array<{ workflowId: string; event: WorkflowRunEvent }>,
  seconds: number,
  concurrency: number,
): Promise<ClosedLoopResult> {
  return closedLoop({
    concurrency,
    seconds,
    okStatuses: [200],
    send: async (i) => {
      const target = targets[i % targets.length] as (typeof targets)[number];
      await client.workflow.getHandle(target.workflowId).signal(workflowRunEventSignal, { ...target.event, deliveryId: randomUUID() });
      return 200;
    },
  });
}

/**
 * Workflows started straight through the SDK client, `concurrency` at a time for `seconds`: the minimal job shape
 * on a task queue no worker polls, so each is a start and nothing more, and each ends by itself a few seconds
 * later (its execution timeout). What creating a job through the API can at best reach on this server.
 */
export async function rawStartRate(client: Client, seconds: number, concurrency: number): Promise<ClosedLoopResult> {
  const taskQueue = `ceiling-starts-${randomUUID()}`;
  return closedLoop({
    concurrency,
    seconds,
    okStatuses: [200],
    send: async () => {
      await client.workflow.start('minimalJob', { taskQueue, workflowId: `ceiling-${randomUUID()}`, workflowExecutionTimeout: '5 seconds' });
      return 200;
    },
  });
}

/** A worker for the minimal job shape, kept for the measurements of one phase. */
export interface MinimalShape {
  /**
   * `count` minimal jobs offered at `rate` per second, each started and then signalled three times by the client:
   * jobs per second from the first start until the last one completed.
   */
  rate(count: number, rate: number): Promise<{ perSecond: number }>;
  stop(): Promise<void>;
}

/**
 * The minimal job shape (bench/support/minimal-job-workflow.ts: start, one no-op activity, three signals,
 * complete), run by a worker of its own on a task queue of its own on the given server.
 */
export async function startMinimalShape(address: string, namespace: string, client: Client): Promise<MinimalShape> {
  const taskQueue = `ceiling-${randomUUID()}`;
  const { code } = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./minimal-job-workflow.ts', import.meta.url)), logger: quiet });
  const connection = await NativeConnection.connect({ address });
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowBundle: { code },
      activities: { dispatch: async () => undefined },
    });
  } catch (error) {
    await connection.close();
    throw error;
  }
  // A worker that fails is reported by the next measurement asked of it, not as an unhandled rejection that would
  // end the bench process and lose every module's results.
  let failure: unknown;
  const running = worker.run().catch((error: unknown) => {
    failure = error;
  });
  return {
    async rate(count, rate) {
      if (failure) throw failure;
      const started = performance.now();
      await openLoop(count, rate, async () => {
        const handle = await client.workflow.start('minimalJob', { taskQueue, workflowId: `ceiling-${randomUUID()}` });
        for (let s = 0; s < 3; s++) await handle.signal('runEvent', 'event');
        await handle.result();
      });
      return { perSecond: count / ((performance.now() - started) / 1000) };
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** A row's share of its ceiling, in percent (one decimal). */
export function percentOf(value: number, ceiling: number): number {
  return Math.round((value / ceiling) * 1000) / 10;
}
