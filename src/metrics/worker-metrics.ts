import type { Client } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { InstallationBudget } from '../activities/installation-budget.ts';
import { JOB_STATUSES } from '../domain/job-status.ts';
import { searchAttributes } from '../contract/search-attributes.ts';

/** The worker's own Prometheus metrics (the Temporal SDK's are served next to them, see worker-metrics-server). */
export interface WorkerMetrics {
  registry: Registry;
  activityExecutions: Counter<'activity' | 'outcome'>;
  activityRetries: Counter<'activity'>;
  githubRateLimitRemaining: Gauge<'resource'>;
}

export interface WorkerMetricsOptions {
  processMetrics?: boolean;
  /** Counts jobs by status through Temporal visibility at scrape time (cached); omitted → no `gha_agent_jobs`. */
  jobCounts?: { client: Client; taskQueue: string; cacheMs?: number };
  /** Each installation's GitHub request budget, read at scrape time; omitted → no `gha_agent_github_budget_*`. */
  githubBudget?: InstallationBudget;
}

export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'gha_agent_worker_' });
  const metrics: WorkerMetrics = {
    registry,
    activityExecutions: new Counter({
      name: 'gha_agent_activity_executions_total',
      help: 'Activity attempts by activity type and outcome (completed, failed, cancelled)',
      labelNames: ['activity', 'outcome'],
      registers: [registry],
    }),
    activityRetries: new Counter({
      name: 'gha_agent_activity_retries_total',
      help: 'Activity attempts after the first (e.g. dispatch retried after a 5xx, 429 or network error)',
      labelNames: ['activity'],
      registers: [registry],
    }),
    githubRateLimitRemaining: new Gauge({
      name: 'gha_agent_github_rate_limit_remaining',
      help: 'x-ratelimit-remaining of the last GitHub API response, by x-ratelimit-resource',
      labelNames: ['resource'],
      registers: [registry],
    }),
  };
  if (options.jobCounts) registerJobCounts(registry, options.jobCounts);
  if (options.githubBudget) registerBudget(registry, options.githubBudget);
  return metrics;
}

/** `gha_agent_github_budget_*{installation}`: each installation's request budget as this replica last saw it. */
function registerBudget(registry: Registry, budget: InstallationBudget): void {
  const gauge = (name: string, help: string, value: (snapshot: ReturnType<InstallationBudget['snapshots']>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['installation'],
      registers: [registry],
      collect() {
        for (const snapshot of budget.snapshots()) this.set({ installation: String(snapshot.installationId) }, value(snapshot));
      },
    });
  gauge(
    'gha_agent_github_budget_requests',
    "Requests per GitHub window the agent may spend: the installation's limit × GITHUB_REQUEST_BUDGET",
    (s) => s.budget,
  );
  gauge('gha_agent_github_budget_used', "Requests of the installation's current GitHub window spent (GitHub's count, every replica)", (s) => s.used);
  gauge('gha_agent_github_budget_reserve', 'Requests of the budget run look-ups leave to dispatches and cancels', (s) => s.reserve);
  new Counter({
    name: 'gha_agent_github_lookups_deferred_total',
    help: "Run look-ups told to wait for the installation's request budget (this replica)",
    labelNames: ['installation'],
    registers: [registry],
    collect() {
      this.reset();
      for (const snapshot of budget.snapshots()) this.inc({ installation: String(snapshot.installationId) }, snapshot.deferred);
    },
  });
}

/**
 * `gha_agent_jobs{status}`: job workflows on this task queue by `CtrlplaneJobStatus`, as visibility sees them
 * (within the namespace's retention). Counted at scrape time from the search attribute the workflow keeps
 * current, so every replica reports the same numbers; cached so a fast scraper does not load the cluster.
 */
function registerJobCounts(registry: Registry, { client, taskQueue, cacheMs = 30_000 }: NonNullable<WorkerMetricsOptions['jobCounts']>): void {
  let cached: { at: number; counts: Map<string, number> } | undefined;
  const count = async () => {
    const entries = await Promise.all(
      JOB_STATUSES.map(async (status) => {
        const query = `WorkflowType = "jobWorkflow" AND TaskQueue = ${JSON.stringify(taskQueue)} AND ${searchAttributes.status.name} = "${status}"`;
        return [status, (await client.workflow.count(query)).count] as const;
      }),
    );
    return new Map(entries);
  };
  new Gauge({
    name: 'gha_agent_jobs',
    help: 'Jobs on this task queue by status, from Temporal visibility (retention-bound)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      if (!cached || Date.now() - cached.at > cacheMs) {
        try {
          cached = { at: Date.now(), counts: await count() };
        } catch {
          // Visibility unreachable: keep the last numbers rather than failing the whole scrape.
          if (!cached) return;
        }
      }
      for (const [status, value] of cached.counts) this.set({ status }, value);
    },
  });
}
