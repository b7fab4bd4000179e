import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobStatus } from '../../../src/domain/job-status.ts';
import { defaultSandboxRepos, type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../../support/e2e-stack.ts';
import { expectEndedRight, waitAllTerminal } from './drill-checks.ts';

// A release to 40 targets in 8 organizations, each with its own installation of the App. GitHub's one dispatch a
// second per installation (production's spacing) then starts runs of several jobs each second, so each second's
// deliveries mix runs; on one installation the runs would start a second apart and hardly mix.
const ORGS = Array.from({ length: 8 }, (_, i) => ({ id: INSTALLATION_ID + i, owner: i === 0 ? OWNER : `${OWNER}-${i + 1}` }));

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({
    sandbox: {
      installations: ORGS.map(({ id, owner }) => ({ id, account: owner })),
      repos: ORGS.map(({ owner }) => ({ ...defaultSandboxRepos[0]!, owner })),
    },
  });
});
afterAll(async () => {
  await env?.stop();
});

describe('fault drill: deliveries arrive three times each and out of order, under load', () => {
  it('every job ends with its run’s conclusion and one dispatch', { timeout: 180_000 }, async () => {
    // Each second's deliveries (all runs mixed) are released in random order, every one three times.
    env.relay.setMode({ duplicate: 3, shuffleWindowMs: 1000 });
    const expected = new Map<string, JobStatus>();
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        env
          .createJob({
            jobAgentConfig: { installationId: ORGS[i % ORGS.length]!.id, owner: ORGS[i % ORGS.length]!.owner, repo: REPO, workflowId: i % 4 === 3 ? 102 : 101 },
          })
          .then((job) => [job.id, i % 4 === 3 ? 'failure' : 'successful'] as const),
      ),
    );
    for (const [id, status] of created) expected.set(id, status);
    const jobs = await waitAllTerminal(env.getJob, [...expected.keys()], 150_000);
    expectEndedRight(jobs, expected, env.sandbox);
    // Every copy reached the API and was accepted (duplicates are no errors to GitHub).
    await vi.waitFor(() => expect(env.relay.forwarded.length).toBeGreaterThanOrEqual(3 * env.sandbox.deliveries.length), { timeout: 30_000, interval: 200 });
    expect(env.sandbox.deliveries.length).toBeGreaterThanOrEqual(3 * expected.size);
    expect(env.relay.forwarded.length).toBe(3 * env.sandbox.deliveries.length);
    expect(env.relay.forwarded.filter((f) => f.status !== 200 && f.status !== 202)).toEqual([]);
    env.relay.setMode({});
  });
});
