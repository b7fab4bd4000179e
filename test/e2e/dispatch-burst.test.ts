import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, startE2eStack } from '../support/e2e-stack.ts';

// A release fanned out to many targets on one installation, with GitHub's spacing as production runs it: one
// mutating request per second per installation. The 200th dispatch waits over three minutes for its turn, far
// longer than one activity attempt; the wait must never become a second dispatch.
const JOBS = 200;

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ githubMutationIntervalMs: 'production', jobTimeouts: { jobTimeout: '15 minutes' } });
});
afterAll(async () => {
  await env?.stop();
});

describe('a burst of jobs on one installation, with the production spacing', () => {
  it(`dispatches each of ${JOBS} jobs exactly once, one second apart, and every job ends successful`, { timeout: 600_000 }, async () => {
    const jobs = await Promise.all(Array.from({ length: JOBS }, () => env.createJob()));
    for (const job of jobs) await env.waitForStatus(job.id, 'successful', 540_000);
    const perJob = new Map<string, number>();
    for (const dispatch of env.sandbox.dispatches) perJob.set(dispatch.inputs.job_id as string, (perJob.get(dispatch.inputs.job_id as string) ?? 0) + 1);
    expect(env.sandbox.dispatches).toHaveLength(JOBS);
    expect(jobs.filter((job) => perJob.get(job.id) !== 1).map((job) => [job.id, perJob.get(job.id) ?? 0])).toEqual([]);
    // One run per job: every job's run is its own.
    expect(new Set(await Promise.all(jobs.map(async (job) => (await env.getJob(job.id)).externalId))).size).toBe(JOBS);
    // The spacing held: a second apart on average as they arrived (arrival times carry each request's own jitter
    // between leaving its turn and reaching GitHub, so single gaps are not compared).
    const dispatchTimes = env.sandbox.requests
      .filter((request) => request.method === 'POST' && request.path.endsWith('/dispatches'))
      .map((request) => request.at)
      .sort((a, b) => a - b);
    expect(((dispatchTimes.at(-1) as number) - (dispatchTimes[0] as number)) / (dispatchTimes.length - 1)).toBeGreaterThanOrEqual(990);
  });
});
