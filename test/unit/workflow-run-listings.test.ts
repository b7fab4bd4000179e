import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities, type LookUpWorkflowRunResult } from '../../src/activities/create-activities.ts';
import { createGithubClientFactory } from '../../src/activities/github-client-factory.ts';
import { InstallationBudget } from '../../src/activities/installation-budget.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { GithubSandbox, GithubSandboxOptions } from '../../src/sandbox/github-sandbox.ts';
import { INSTALLATION_ID, installationOctokit, OWNER, REPO, startSandbox, WORKFLOWS } from './sandbox/sandbox-fixture.ts';

let sandbox: GithubSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const target = { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: WORKFLOWS.deploy.id };
const workflowRunsPath = `/repos/${OWNER}/${REPO}/actions/workflows/${WORKFLOWS.deploy.id}/runs`;

async function withDispatchedJobs(count: number, overrides: Partial<GithubSandboxOptions> = {}) {
  sandbox = await startSandbox(overrides);
  const notBefore = new Date().toISOString();
  const jobIds = Array.from({ length: count }, () => randomUUID());
  const octokit = installationOctokit(sandbox);
  for (const jobId of jobIds) {
    await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner: OWNER,
      repo: REPO,
      workflow_id: WORKFLOWS.deploy.id,
      ref: 'main',
      inputs: { job_id: jobId },
    });
  }
  const budget = new InstallationBudget();
  const activities = createActivities(
    createGithubClientFactory({
      apiUrl: sandbox.url,
      app: { appId: sandbox.appId, privateKey: sandbox.privateKey },
      logger: createLogger({ level: 'silent' }),
      budget,
    }),
  );
  const box = sandbox;
  const requests = (method: string, path: string | RegExp) =>
    box.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
  return { sandbox: box, notBefore, jobIds, activities, budget, requests };
}

const runOf = (answer: LookUpWorkflowRunResult) => ('run' in answer ? answer.run : undefined);

describe('run look-ups of many waiting jobs', () => {
  it('cost one listing of the workflow, whether their runs are known or not, however many jobs ask', async () => {
    const { sandbox, notBefore, jobIds, activities, requests } = await withDispatchedJobs(30);
    const runIds = sandbox.dispatches.map((dispatch) => dispatch.runId);

    const found = await Promise.all(jobIds.map((jobId) => activities.lookUpWorkflowRun({ ...target, jobId, notBefore, maxAgeMs: 1000 })));
    expect(requests('GET', workflowRunsPath)).toBe(1);
    // Each job got its own run: the one dispatched with its ID.
    expect(found.map((answer) => runOf(answer)?.runId)).toEqual(runIds);

    // Later, the runs known: one listing again answers all, none is read alone.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const known = await Promise.all(jobIds.map((jobId, i) => activities.lookUpWorkflowRun({ ...target, jobId, notBefore, runId: runIds[i], maxAgeMs: 1000 })));
    expect(known.map((answer) => runOf(answer)?.runId)).toEqual(runIds);
    expect(known.every((answer) => runOf(answer)?.status === 'completed')).toBe(true);
    expect(requests('GET', workflowRunsPath)).toBe(2);
    expect(requests('GET', /\/actions\/runs\/\d+$/)).toBe(0);

    // Where a run created a moment ago must be seen (a dispatch's retry, a cancel), a listing of its own.
    await activities.findWorkflowRun({ ...target, jobId: jobIds[0] as string, notBefore });
    expect(requests('GET', workflowRunsPath)).toBe(3);
  });

  it('reads alone a known run the listing does not hold', async () => {
    const { sandbox, jobIds, activities, requests } = await withDispatchedJobs(1);
    const runId = sandbox.dispatches[0]?.runId as number;
    // A run of the workflow from before the job's time, as a rerun of an old run would be, is not in the listing.
    const answer = await activities.lookUpWorkflowRun({
      ...target,
      jobId: jobIds[0] as string,
      notBefore: new Date(Date.now() + 3_600_000).toISOString(),
      runId,
      maxAgeMs: 1000,
    });
    expect(runOf(answer)?.runId).toBe(runId);
    expect(requests('GET', workflowRunsPath)).toBe(1);
    expect(requests('GET', `/repos/${OWNER}/${REPO}/actions/runs/${runId}`)).toBe(1);
  });

  it('tells a job to come back when the installation budget is spent, without a request GitHub refuses', async () => {
    // 20 requests a window: 16 ours, 2 of them kept for dispatches; 3 dispatches already spent.
    const { sandbox, notBefore, jobIds, activities } = await withDispatchedJobs(3, { rateLimitPerHour: 20 });
    const answers: LookUpWorkflowRunResult[] = [];
    for (let i = 0; i < 30; i++) {
      answers.push(await activities.lookUpWorkflowRun({ ...target, jobId: jobIds[i % 3] as string, notBefore, maxAgeMs: 0 }));
    }
    const deferred = answers.filter((answer) => 'waitMs' in answer);
    expect(deferred.length).toBeGreaterThan(0);
    expect(deferred[0]).toMatchObject({ reason: expect.stringMatching(/request budget of installation 42/) as string });
    expect(sandbox.rateLimit(INSTALLATION_ID)).toMatchObject({ refused: 0 });
    // Look-ups left the reserve: a dispatch still goes.
    expect(sandbox.rateLimit(INSTALLATION_ID).remaining).toBeGreaterThanOrEqual(2 + 4);
  });
});

describe('a listing reaching back for one long job', () => {
  it('still answers new jobs without a listing each: it holds every run newer than theirs', async () => {
    const now = Date.now();
    // 1,200 runs of a busy workflow over the last 6 hours, newest first, served as GitHub pages them (1,000 at most).
    const runs = Array.from({ length: 1200 }, (_, i) => ({
      id: 10_000 - i,
      display_title: `old-${i}`,
      name: 'deploy',
      status: 'completed',
      conclusion: 'success',
      created_at: new Date(now - i * 17_000).toISOString(),
    }));
    let requests = 0;
    const client = {
      rest: {
        actions: {
          listWorkflowRuns: {},
          getWorkflowRun: ({ run_id }: { run_id: number }) => {
            requests++;
            return Promise.resolve({ data: runs.find((run) => run.id === run_id) });
          },
        },
      },
      paginate: {
        async *iterator(_route: unknown, params: { created: string }) {
          const since = Date.parse(params.created.slice(2));
          const all = runs.filter((run) => Date.parse(run.created_at) >= since).slice(0, 1000);
          for (let page = 0; page * 100 < Math.max(all.length, 1); page++) {
            requests++;
            await Promise.resolve();
            yield { data: all.slice(page * 100, page * 100 + 100), headers: { link: (page + 1) * 100 < all.length ? '<next>; rel="next"' : undefined } };
          }
        },
      },
    };
    const factory = { configured: true, forInstallation: () => client } as unknown as Parameters<typeof createActivities>[0];
    const activities = createActivities(factory);
    const where = { installationId: 1, owner: 'acme', repo: 'busy', workflowId: 7 };
    // A job whose run started 6 hours ago looks up: the workflow's listings reach back 6 hours (10 pages).
    const old = await activities.lookUpWorkflowRun({
      ...where,
      jobId: 'old-1199',
      runId: runs[1199]!.id,
      notBefore: new Date(now - 6 * 3_600_000).toISOString(),
      maxAgeMs: 60_000,
    });
    expect(runOf(old)?.runId).toBe(runs[1199]!.id);
    requests = 0;
    // 30 jobs dispatched a moment ago, their runs not created yet: the shared listing answers them all.
    const fresh = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        activities.lookUpWorkflowRun({ ...where, jobId: `new-${i}`, notBefore: new Date(now).toISOString(), maxAgeMs: 60_000 }),
      ),
    );
    expect(fresh.map(runOf)).toEqual(Array.from({ length: 30 }, () => null));
    expect(requests).toBe(0);
  });
});
