import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../src/domain/job-status.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../../support/e2e-stack.ts';
import { spawnWorker } from '../../support/spawned-worker.ts';
import { expectEndedRight, waitAllTerminal } from './drill-checks.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
});
afterAll(async () => {
  await env?.stop();
});

const config = (workflowId: number) => ({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId } });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault drill: the worker is SIGKILLed', () => {
  it('during dispatch: the next worker finds the runs GitHub started and dispatches none twice', { timeout: 240_000 }, async () => {
    // GitHub is slow to answer dispatches, so the worker dies with requests in flight that GitHub still acts on.
    env.sandbox.injectFault({ kind: 'delay', method: 'POST', path: /\/dispatches$/, delayMs: 3000, times: 6 });
    const first = await spawnWorker(env);
    const expected = new Map<string, JobStatus>();
    for (let i = 0; i < 6; i++) {
      const job = await env.createJob(config(i % 2 === 0 ? 101 : 102));
      expected.set(job.id, i % 2 === 0 ? 'successful' : 'failure');
    }
    // The token is minted right before the first POST: from then on dispatches are in flight.
    while (env.sandbox.tokenMints(INSTALLATION_ID) === 0) await pause(50);
    await pause(500);
    await first.kill();
    const atKill = env.sandbox.dispatches.length;
    await pause(4000);
    // The kill really came mid-dispatch: GitHub started runs after the worker was gone.
    expect(env.sandbox.dispatches.length).toBeGreaterThan(atKill);
    const second = await spawnWorker(env);
    try {
      const jobs = await waitAllTerminal(env.getJob, [...expected.keys()], 180_000);
      expectEndedRight(jobs, expected, env.sandbox);
    } finally {
      await second.stop();
    }
  });

  it('while jobs wait for their runs: runs that end while no worker lives still end the jobs right', { timeout: 180_000 }, async () => {
    const first = await spawnWorker(env);
    const expected = new Map<string, JobStatus>();
    for (let i = 0; i < 8; i++) expected.set((await env.createJob(config(103))).id, i % 2 === 0 ? 'successful' : 'cancelled');
    const running = await Promise.all([...expected.keys()].map((id) => env.waitForStatus(id, 'in_progress')));
    await first.kill();
    // Half the runs end while no worker is alive, half after the new one starts.
    const ends = running.map((job, i) => () => env.sandbox.completeRun(Number(job.externalId), i % 2 === 0 ? 'success' : 'cancelled'));
    await Promise.all(ends.slice(0, 4).map((end) => end()));
    await pause(2000);
    const second = await spawnWorker(env);
    try {
      await Promise.all(ends.slice(4).map((end) => end()));
      const jobs = await waitAllTerminal(env.getJob, [...expected.keys()], 120_000);
      expectEndedRight(jobs, expected, env.sandbox);
    } finally {
      await second.stop();
    }
  });
});
