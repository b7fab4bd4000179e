import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSandboxRepos, type E2eStack, INSTALLATION_ID, OWNER, startE2eStack } from '../support/e2e-stack.ts';

// A release fanned out to 200 targets in 4 repositories of one installation, as production runs it: one mutating
// request per second per installation, GitHub's rate limit counted, webhooks lost (a wrong webhook URL), so every job
// learns of its run through look-ups. GitHub's limit is shrunk to 100 requests a minute: 200 dispatches alone are
// twice that, and 200 jobs each looking up their own run every few seconds would be refused within seconds.
const JOBS = 200;
const REPOS = ['api', 'web', 'worker', 'jobs'];
const LIMIT = 100;
const WINDOW_MS = 60_000;

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({
    sandbox: {
      rateLimitPerHour: LIMIT,
      rateLimitWindowMs: WINDOW_MS,
      repos: REPOS.map((name) => ({ ...defaultSandboxRepos[0]!, name })),
    },
    // The production discovery timeout: a job waiting for the budget must not count as a run never found.
    jobTimeouts: { discoveryTimeout: '10 minutes', jobTimeout: '15 minutes' },
  });
  env.relay.setMode({ drop: true });
});
afterAll(async () => {
  await env?.stop();
});

describe('a burst of jobs on one installation, within its rate limit', () => {
  it(`dispatches each of ${JOBS} jobs exactly once, a second apart, and every job ends right without a refused request`, { timeout: 900_000 }, async () => {
    const jobs = await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPOS[i % REPOS.length], workflowId: 101, ref: 'main' } }),
      ),
    );
    for (const job of jobs) await env.waitForStatus(job.id, 'successful', 840_000);

    // Exactly one dispatch and one run per job.
    const perJob = new Map<string, number>();
    for (const dispatch of env.sandbox.dispatches) perJob.set(dispatch.inputs.job_id as string, (perJob.get(dispatch.inputs.job_id as string) ?? 0) + 1);
    expect(env.sandbox.dispatches).toHaveLength(JOBS);
    expect(jobs.filter((job) => perJob.get(job.id) !== 1).map((job) => [job.id, perJob.get(job.id) ?? 0])).toEqual([]);
    expect(new Set(await Promise.all(jobs.map(async (job) => (await env.getJob(job.id)).externalId))).size).toBe(JOBS);

    // One installation token served the whole burst, dispatches and look-ups alike (auth-app's cache, per installation).
    expect(env.sandbox.tokenMints(INSTALLATION_ID)).toBe(1);

    // GitHub refused nothing, and never more than the limit was asked of a window.
    expect(env.sandbox.rateLimit(INSTALLATION_ID).refused).toBe(0);
    // Look-ups cost listings of the 4 workflows, not a request per job: far fewer than the jobs' polls would be.
    const lookUps = env.sandbox.requests.filter((request) => request.method === 'GET' && /\/actions\/(workflows\/\d+\/)?runs/.test(request.path));
    expect(lookUps.length).toBeLessThan(JOBS);

    // The spacing held: a second apart on average as they arrived.
    const dispatchTimes = env.sandbox.requests
      .filter((request) => request.method === 'POST' && request.path.endsWith('/dispatches'))
      .map((request) => request.at)
      .sort((a, b) => a - b);
    expect(((dispatchTimes.at(-1) as number) - (dispatchTimes[0] as number)) / (dispatchTimes.length - 1)).toBeGreaterThanOrEqual(990);
  });
});
