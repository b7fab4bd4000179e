import { randomUUID } from 'node:crypto';
import type { Drill } from '../drill.ts';
import { WORKFLOW, type Cluster } from '../support/cluster.ts';
import { api, JobLedger, type DrillJob } from '../support/job-ledger.ts';
import { ledgerOutcome } from '../support/ledger-outcome.ts';

interface Summary {
  id: string;
  status: string;
  deployment?: string;
  environment?: string;
  resource?: string;
  repository?: string;
  externalId?: string;
}

/** Every page of `GET /api/v1/jobs?<query>`, following nextCursor. */
async function listAll(cluster: Cluster, query: string, limit: number): Promise<Summary[]> {
  const jobs: Summary[] = [];
  let cursor: string | undefined;
  do {
    const response = await api(cluster, `/api/v1/jobs?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    if (!response.ok) throw new Error(`GET /api/v1/jobs?${query} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { jobs: Summary[]; nextCursor?: string };
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

const ids = (jobs: Array<{ id: string }>) => jobs.map((job) => job.id).sort();

/**
 * The list API on PostgreSQL's SQL visibility: filters by status, deployment, environment and resource (our search
 * attributes in PostgreSQL's slots), combined, paged with a cursor, return exactly the jobs they promise, with the
 * summary fields filled. Visibility is eventually consistent, so each query is retried for a few seconds.
 */
export const visibilityList: Drill = {
  name: 'list and filter by search attribute on PostgreSQL visibility',
  async run(cluster) {
    const ledger = new JobLedger(cluster);
    const tag = randomUUID().slice(0, 8);
    const deployment = (name: string) => ({ deployment: { id: randomUUID(), name: `${name}-${tag}`, slug: `${name}-${tag}` } });
    const environment = (name: string) => ({ environment: { id: randomUUID(), name: `${name}-${tag}` } });
    const resource = (identifier: string) => ({
      resource: { id: randomUUID(), identifier: `${identifier}-${tag}`, name: identifier, kind: 'Kubernetes', config: {} },
    });
    const succeeded: DrillJob[] = [];
    for (let i = 0; i < 5; i++)
      succeeded.push(await ledger.createApiJob(WORKFLOW.quick, { ...deployment('web'), ...environment(i < 2 ? 'staging' : 'prod'), ...resource(`node-${i}`) }));
    const failing: DrillJob[] = [];
    for (let i = 0; i < 2; i++) failing.push(await ledger.createApiJob(WORKFLOW.held, { ...deployment('api'), ...environment('prod'), ...resource('node-x') }));
    const waiting: DrillJob[] = [];
    for (let i = 0; i < 3; i++)
      waiting.push(await ledger.createApiJob(WORKFLOW.held, { ...deployment('api'), ...environment('staging'), ...resource('node-y') }));
    await ledger.waitUntilDispatched();
    await ledger.completeHeldRuns(failing, 0, 'failure');

    const expectations: Array<{ query: string; want: DrillJob[]; status?: string }> = [
      { query: `deployment=web-${tag}`, want: succeeded, status: 'successful' },
      { query: `deployment=web-${tag}&environment=staging-${tag}`, want: succeeded.slice(0, 2), status: 'successful' },
      { query: `resource=node-3-${tag}`, want: succeeded.slice(3, 4), status: 'successful' },
      { query: `deployment=api-${tag}&status=failure`, want: failing, status: 'failure' },
      { query: `deployment=api-${tag}&status=in_progress,pending`, want: waiting, status: 'in_progress' },
      { query: `environment=prod-${tag}&status=successful,failure`, want: [...succeeded.slice(2), ...failing] },
      { query: `deployment=api-${tag}&resource=node-y-${tag}&status=successful`, want: [] },
    ];
    const problems: string[] = [];
    for (const { query, want, status } of expectations) {
      const deadline = Date.now() + 20_000;
      let got: Summary[];
      for (;;) {
        got = await listAll(cluster, query, 2);
        const matches = JSON.stringify(ids(got)) === JSON.stringify(ids(want)) && (!status || got.every((job) => job.status === status));
        if (matches || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      if (JSON.stringify(ids(got)) !== JSON.stringify(ids(want))) problems.push(`?${query}: ${got.length} job(s) listed, ${want.length} expected`);
      else if (status && !got.every((job) => job.status === status))
        problems.push(`?${query}: statuses ${got.map((job) => job.status).join(',')}, expected ${status}`);
      for (const job of got) {
        if (!job.repository || !job.externalId || !job.deployment || !job.environment || !job.resource)
          problems.push(`?${query}: job ${job.id} lists without its run or context`);
      }
    }
    await ledger.completeHeldRuns(waiting, 0);
    await ledger.waitUntilEnded();
    const report = await ledger.verify((job) => (failing.includes(job) ? 'failure' : 'successful'));
    report.problems.push(...problems);
    return ledgerOutcome(report, `${expectations.length} filtered, paged queries listed exactly their jobs`);
  },
};
