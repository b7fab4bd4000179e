// The production topology (the chart's API and worker replicas from dist/ on the image's Node, behind a load
// balancer, with both sandboxes) in front of each Temporal in one run: the CLI dev server the other rows use, and
// the real server on PostgreSQL that `npm run drill:cluster` drills. BENCH_TARGET=dev or cluster runs one of them.
// Each target's jobs end to end are set beside the engine's ceiling on that same server: as many minimal job shapes
// (bench/support/engine-ceiling.ts), offered at BENCH_JOB_RATE, once the topology's jobs are done and the memory
// read. The workers run with production's GitHub limits (one dispatch a second per installation, per replica), so the
// jobs are spread over BENCH_INSTALLATIONS installations (organizations), round-robin, as such a load would be.
import { readdir, readFile } from 'node:fs/promises';
import type { BenchRow } from './bench-row.ts';
import { concurrently, envNumber, Latencies } from './support/load.ts';
import { percentOf, startMinimalShape } from './support/engine-ceiling.ts';
import { startCluster, WORKFLOW, type Cluster, type TemporalBackend } from '../drill/support/cluster.ts';
import { JobLedger } from '../drill/support/job-ledger.ts';
import { JOB_WORKFLOW_TYPE } from '../src/contract/workflow-contract.ts';

const TARGETS: Record<string, { backend: TemporalBackend; label: string }> = {
  dev: { backend: 'dev', label: 'dev server' },
  cluster: { backend: 'postgres', label: 'Temporal server + PostgreSQL' },
};

/**
 * Memory of a process and all its descendants (PostgreSQL forks a backend per connection), in MiB: the sum of their
 * proportional set sizes, so pages they share (PostgreSQL's shared buffers) count once, not once per backend.
 */
async function treePssMiB(root: number | undefined): Promise<number> {
  if (root === undefined) return Number.NaN;
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(entry), ppid);
  }
  const inTree = (pid: number): boolean => pid === root || (parents.has(pid) && pid !== 1 && inTree(parents.get(pid) as number));
  let kb = 0;
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    kb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return Math.round(kb / 1024);
}

async function completedJobs(cluster: Cluster): Promise<number> {
  const { count } = await cluster.client.workflow.count(`WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`);
  return count;
}

async function measure(cluster: Cluster, jobs: number, concurrency: number): Promise<{ perSecond: number; create: Latencies; deliveriesPerSecond: number }> {
  const ledger = new JobLedger(cluster);
  const baseline = await completedJobs(cluster);
  const deliveriesBefore = cluster.github.deliveries.length;
  const create = new Latencies();
  const started = performance.now();
  await concurrently(jobs, concurrency, async () => {
    const sent = performance.now();
    await ledger.createApiJob(WORKFLOW.quick);
    create.add(performance.now() - sent);
  });
  const deadline = Date.now() + 15 * 60_000;
  while ((await completedJobs(cluster)) < baseline + jobs) {
    if (Date.now() > deadline) throw new Error(`${jobs} jobs did not complete in 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const seconds = (performance.now() - started) / 1000;
  const report = await ledger.verify();
  if (report.problems.length > 0) throw new Error(`jobs ended wrong: ${report.problems.slice(0, 5).join('; ')}`);
  return { perSecond: jobs / seconds, create, deliveriesPerSecond: (cluster.github.deliveries.length - deliveriesBefore) / seconds };
}

export async function run(): Promise<BenchRow[]> {
  const jobs = envNumber('BENCH_TOPOLOGY_JOBS', 300, 20);
  const concurrency = envNumber('BENCH_TOPOLOGY_CONCURRENCY', 16, 1);
  const ceilingRate = envNumber('BENCH_JOB_RATE', 100);
  const installations = envNumber('BENCH_INSTALLATIONS', 200);
  const wanted = (process.env.BENCH_TARGET ?? 'dev,cluster').split(',').map((name) => name.trim());
  const rows: BenchRow[] = [];
  const rates = new Map<string, number>();
  for (const name of wanted) {
    const target = TARGETS[name];
    if (!target) throw new Error(`BENCH_TARGET: unknown target "${name}" (dev, cluster)`);
    const cluster = await startCluster(() => undefined, target.backend, { installations });
    try {
      await measure(cluster, 10, 4); // warm-up: connections, caches, the bundle in each worker
      const result = await measure(cluster, jobs, concurrency);
      rates.set(name, result.perSecond);
      // Memory once the topology's jobs are done, before the ceiling adds workflows of its own.
      const temporalPss = await treePssMiB(cluster.temporal.process.pid);
      const postgresPss = cluster.postgres ? await treePssMiB(cluster.postgres.process.pid) : undefined;
      const shape = await startMinimalShape(cluster.temporal.address, cluster.temporal.namespace, cluster.client);
      let ceiling: { perSecond: number };
      try {
        await shape.rate(10, 4); // warm-up, as the topology had
        ceiling = await shape.rate(jobs, ceilingRate);
      } finally {
        await shape.stop();
      }
      const row = `topology on ${target.label}`;
      const round = (n: number) => Math.round(n * 10) / 10;
      rows.push(
        {
          name: `engine ceiling on ${target.label}: minimal job shape`,
          metric: `jobs/s end to end (${jobs} offered at ${ceilingRate}/s)`,
          value: round(ceiling.perSecond),
          unit: '/s',
        },
        {
          name: row,
          metric: `${jobs} jobs end to end (2 API + 2 worker replicas, concurrency ${concurrency}, ${installations} installations)`,
          value: round(result.perSecond),
          unit: 'jobs/s',
        },
        { name: row, metric: 'fraction of the minimal-shape ceiling', value: percentOf(result.perSecond, ceiling.perSecond), unit: '%' },
        { name: row, metric: 'webhook deliveries handled', value: round(result.deliveriesPerSecond), unit: 'deliveries/s' },
        { name: row, metric: 'create job p50 (through the load balancer)', value: round(result.create.percentile(50)), unit: 'ms' },
        { name: row, metric: 'create job p99', value: round(result.create.percentile(99)), unit: 'ms' },
        { name: row, metric: 'Temporal server memory (PSS) after its jobs', value: temporalPss, unit: 'MiB' },
      );
      if (postgresPss !== undefined) rows.push({ name: row, metric: 'PostgreSQL memory (PSS, all backends) after its jobs', value: postgresPss, unit: 'MiB' });
    } finally {
      await cluster.stop();
    }
  }
  const dev = rates.get('dev');
  const real = rates.get('cluster');
  if (dev && real) rows.push({ name: 'topology', metric: 'real server / dev server, jobs end to end', value: Math.round((real / dev) * 100), unit: '%' });
  return rows;
}
