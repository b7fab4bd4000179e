// 10,000 jobs waiting on one installation across 20 repositories with webhooks lost (a wrong webhook URL, an ingress
// outage): what their look-ups cost GitHub, with GitHub's production limit (5,000 requests an hour) and the agent's
// production budget (GITHUB_REQUEST_BUDGET 0.8) and poll schedule (a look-up after 2 minutes without an event, then
// every minute, the wait doubling up to 16 minutes while the run does not change). The jobs' look-ups are the worker's own activity
// (`lookUpWorkflowRun`, the budget, the shared listings) called on that schedule; the schedule is the job workflow's
// (`waitForFinalStatus`), driven here without Temporal because 10,000 dispatches at GitHub's one-a-second pace take
// three hours before the first job could wait. The runs were started by other installations of the App (the budget
// is per installation), held in progress, then completed at random over ten minutes.
//
// The ceiling is GitHub's: the budget's share of the limit, per hour. Rows: GitHub requests an hour (≤ the budget),
// requests refused (0), and the time from a run's completion to its job seeing it (p50/p99).
import { randomUUID } from 'node:crypto';
import type { BenchRow } from './bench-row.ts';
import { envNumber, Latencies } from './support/load.ts';
import { createActivities, type LookUpWorkflowRunResult } from '../src/activities/create-activities.ts';
import { createGithubClientFactory } from '../src/activities/github-client-factory.ts';
import { DEFAULT_GITHUB_REQUEST_BUDGET } from '../src/domain/github-limits.ts';
import { InstallationBudget } from '../src/activities/installation-budget.ts';
import { createLogger } from '../src/logging/create-logger.ts';
import { startGithubSandbox } from '../src/sandbox/github-sandbox.ts';
import { DEFAULT_INSTALLATION_REQUESTS_PER_HOUR } from '../src/sandbox/primary-rate-limit.ts';
import { DEFAULT_JOB_TIMEOUTS } from '../src/domain/job-timeouts.ts';
import { msToNumber } from '@temporalio/common';

const OWNER = 'acme';
const INSTALLATION = 1;
/** Installations of the same App that start the runs, each within its own limit. */
const STARTERS = [2, 3, 4];
const WORKFLOW_ID = 103;
const MAX_POLL_BACKOFF = 16;

export async function start(): Promise<{ finish: Promise<BenchRow[]> }> {
  const jobs = envNumber('BENCH_LOOKUP_JOBS', 10_000, 100);
  const repos = envNumber('BENCH_LOOKUP_REPOS', 20, 1);
  const completeOverMs = envNumber('BENCH_LOOKUP_COMPLETE_OVER_MS', 10 * 60_000, 1000);
  const sandbox = await startGithubSandbox({
    webhookSecret: `bench-${randomUUID()}`,
    installations: [INSTALLATION, ...STARTERS].map((id) => ({ id, account: OWNER })),
    repos: Array.from({ length: repos }, (_, i) => ({
      owner: OWNER,
      name: `service-${i}`,
      workflows: [{ id: WORKFLOW_ID, path: '.github/workflows/deploy.yml', name: 'Deploy', hold: true }],
    })),
    stepDelayMs: 50,
    logger: createLogger({ level: 'silent' }),
  });
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  const factory = (budget?: InstallationBudget) =>
    createGithubClientFactory({ apiUrl: sandbox.url, app: { appId: sandbox.appId, privateKey: sandbox.privateKey }, logger, budget });

  // The runs, started by the other installations, as the jobs' dispatches would have.
  const notBefore = new Date().toISOString();
  const waiting = Array.from({ length: jobs }, (_, i) => ({ jobId: randomUUID(), repo: `service-${i % repos}`, runId: 0 }));
  const starters = STARTERS.map((id) => factory().forInstallation(id));
  let next = 0;
  await Promise.all(
    starters.map(async (client) => {
      for (let i = next; i < jobs; i = next) {
        next++;
        const job = waiting[i]!;
        const { data } = await client.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
          owner: OWNER,
          repo: job.repo,
          workflow_id: WORKFLOW_ID,
          ref: 'main',
          inputs: { job_id: job.jobId },
          return_run_details: true,
        });
        job.runId = (data as { workflow_run_id: number }).workflow_run_id;
      }
    }),
  );

  const budget = new InstallationBudget(DEFAULT_GITHUB_REQUEST_BUDGET);
  const activities = createActivities(factory(budget));
  const requestsBefore = sandbox.requests.length;
  const startedAt = Date.now();
  const completedAt = new Map<number, number>();
  const latencies = new Latencies();
  let deferrals = 0;
  let failures = 0;

  // The job workflow's wait (waitForFinalStatus): first look-up after the quiet period, then the poll interval,
  // doubling while the run does not change, back to the poll interval when it does; a deferral comes back when told.
  const quietMs = msToNumber(DEFAULT_JOB_TIMEOUTS.quietPeriod);
  const pollMs = msToNumber(DEFAULT_JOB_TIMEOUTS.pollInterval);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  const waitFor = async (job: (typeof waiting)[number]) => {
    let interval = quietMs;
    let pollDelay = pollMs;
    let seen = 'requested';
    for (;;) {
      await sleep(interval);
      let answer: LookUpWorkflowRunResult;
      try {
        answer = await activities.lookUpWorkflowRun({
          installationId: INSTALLATION,
          owner: OWNER,
          repo: job.repo,
          workflowId: WORKFLOW_ID,
          jobId: job.jobId,
          runId: job.runId,
          notBefore,
          maxAgeMs: Math.floor(interval / 2),
        });
      } catch {
        failures++;
        continue;
      }
      if ('waitMs' in answer) {
        deferrals++;
        // As the job workflow does: at least a second, at most 16 minutes.
        interval = Math.min(Math.max(1000, answer.waitMs), 16 * 60_000);
        continue;
      }
      const status = answer.run?.status ?? 'missing';
      if (status === 'completed') {
        latencies.add(Date.now() - (completedAt.get(job.runId) ?? Date.now()));
        return;
      }
      pollDelay = status === seen ? Math.min(pollDelay * 2, pollMs * MAX_POLL_BACKOFF) : pollMs;
      seen = status;
      interval = pollDelay;
    }
  };
  // Completions at random over `completeOverMs`, from the first look-up on.
  const completions = waiting.map(async (job) => {
    await sleep(quietMs + Math.random() * completeOverMs);
    await sandbox.completeRun(job.runId, 'success');
    completedAt.set(job.runId, Date.now());
  });
  const finish = (async (): Promise<BenchRow[]> => {
    try {
      await Promise.all([...waiting.map(waitFor), ...completions]);
      const hours = (Date.now() - startedAt) / 3_600_000;
      const requests = sandbox.requests.slice(requestsBefore).filter((request) => request.method === 'GET' && /\/actions\//.test(request.path)).length;
      const perHour = Math.round(requests / hours);
      const budgetPerHour = Math.floor(DEFAULT_INSTALLATION_REQUESTS_PER_HOUR * DEFAULT_GITHUB_REQUEST_BUDGET);
      const refused = sandbox.rateLimit(INSTALLATION).refused;
      const name = `look-ups, ${jobs} jobs / ${repos} repos, webhooks lost`;
      const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
      return [
        { name, metric: 'GitHub requests an hour', value: perHour, unit: 'req/h', target: `≤ ${budgetPerHour} (budget)`, met: perHour <= budgetPerHour },
        { name, metric: 'requests refused (403/429)', value: refused, unit: 'requests', target: '0', met: refused === 0 },
        { name, metric: 'look-ups told to wait (budget)', value: deferrals, unit: 'look-ups' },
        { name, metric: 'look-ups failed', value: failures, unit: 'look-ups', target: '0', met: failures === 0 },
        { name, metric: 'run completed → job sees it, p50', value: minutes(latencies.percentile(50)), unit: 'min' },
        { name, metric: 'run completed → job sees it, p99', value: minutes(latencies.percentile(99)), unit: 'min' },
        { name, metric: 'duration', value: minutes(Date.now() - startedAt), unit: 'min' },
      ];
    } finally {
      await sandbox.close();
    }
  })();
  return { finish };
}

export async function run(): Promise<BenchRow[]> {
  return (await start()).finish;
}
