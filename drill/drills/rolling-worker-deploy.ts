import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Drill } from '../drill.ts';
import { WORKFLOW, type Cluster } from '../support/cluster.ts';
import { JobLedger, type DrillJob } from '../support/job-ledger.ts';
import { ledgerOutcome } from '../support/ledger-outcome.ts';
import { DRILL_PATCH_ID, withNextReleaseChange } from '../support/next-release-change.ts';
import { REPO_ROOT } from '../support/repo-root.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';

const run = promisify(execFile);

/**
 * The next release's workflow bundle: today's built workflow code with one change behind `patched()`, as a real
 * release ships one: new jobs record the patch and a memo; jobs already running replay without it. Built from a
 * copy of dist/ inside the checkout (so the bundler resolves node_modules) with the production `bundle` command.
 */
async function buildNextBundle(cluster: Cluster): Promise<string> {
  const dir = join(REPO_ROOT, '.data', 'drill', 'next-release');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(join(REPO_ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  await writeFile(join(dir, 'package.json'), await readFile(join(REPO_ROOT, 'package.json')));
  const file = join(dir, 'dist', 'workflows', 'job-workflow.js');
  const source = await readFile(file, 'utf8');
  const changed = withNextReleaseChange(source);
  await writeFile(file, changed);
  const bundle = join(dir, 'workflow-bundle.js');
  await run(cluster.node.path, [join(dir, 'dist', 'cli', 'main.js'), 'bundle', '--out', bundle], { cwd: dir });
  return bundle;
}

interface HistoryFacts {
  patched: boolean;
  memo: boolean;
  nondeterminism: number;
}

async function historyFacts(cluster: Cluster, job: DrillJob): Promise<HistoryFacts> {
  const handle = cluster.client.workflow.getHandle(jobWorkflowId(job.id, job.origin));
  const history = await handle.fetchHistory();
  let patched = false;
  let nondeterminism = 0;
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch' && JSON.stringify(marker.details ?? {}).length > 0) {
      const text = Object.values(marker.details ?? {})
        .flatMap((payloads) => payloads.payloads ?? [])
        .map((payload) => Buffer.from(payload.data ?? []).toString('utf8'))
        .join(' ');
      if (text.includes(DRILL_PATCH_ID)) patched = true;
    }
    if (event.workflowTaskFailedEventAttributes?.failure?.message?.toLowerCase().includes('nondetermin')) nondeterminism++;
  }
  const memo = (await handle.describe()).memo?.release === 'next';
  return { patched, memo, nondeterminism };
}

/**
 * A rolling worker deploy with a workflow code change behind `patched()`: one new replica starts beside the old
 * ones, an old one stops (SIGTERM, graceful), the second new one starts, the last old one stops, while jobs run
 * across the change and new ones are created during and after it. Jobs started on the old code finish on the new
 * code without the patch; jobs started after it carry it; every job ends right.
 */
export const rollingWorkerDeploy: Drill = {
  name: 'rolling worker deploy with a workflow change behind patched()',
  async run(cluster, log) {
    const bundle = await buildNextBundle(cluster);
    const ledger = new JobLedger(cluster);
    const before = await ledger.createHeldJobs(12, 3);
    const during: Array<Promise<DrillJob>> = [];
    const old = [...cluster.workers];
    for (const [index, replica] of old.entries()) {
      const next = await cluster.workerProcess(`worker-next-${index + 1}`, bundle);
      await next.start();
      during.push(ledger.createApiJob(WORKFLOW.quick), ledger.createApiJob(WORKFLOW.quick));
      await replica.stop();
      cluster.workers[index] = next;
      log(`${next.spec.name} (next release) replaced ${replica.spec.name}`);
    }
    await Promise.all(during);
    const after: DrillJob[] = [];
    for (let i = 0; i < 6; i++) after.push(await ledger.createApiJob(WORKFLOW.quick));
    for (let i = 0; i < 2; i++) after.push(ledger.createCtrlplaneJob(WORKFLOW.quick));
    await ledger.completeHeldRuns(before, 50);
    await ledger.waitUntilEnded();
    const report = await ledger.verify();
    let nondeterminism = 0;
    for (const job of before) {
      const facts = await historyFacts(cluster, job);
      nondeterminism += facts.nondeterminism;
      if (facts.patched || facts.memo) report.problems.push(`job ${job.id}, started on the old release, took the new code path`);
    }
    for (const job of after) {
      const facts = await historyFacts(cluster, job);
      nondeterminism += facts.nondeterminism;
      if (!facts.patched || !facts.memo) report.problems.push(`job ${job.id}, started after the deploy, did not take the new code path`);
    }
    return ledgerOutcome(
      report,
      `${before.length} jobs crossed the deploy without the patch, ${after.length} started after it carry it; ${nondeterminism} nondeterminism failure(s) retried`,
    );
  },
};
