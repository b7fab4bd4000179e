import type { Drill } from '../drill.ts';
import { WORKFLOW } from '../support/cluster.ts';
import { JobLedger } from '../support/job-ledger.ts';
import { ledgerOutcome } from '../support/ledger-outcome.ts';

/**
 * SIGKILL of one worker replica while jobs are in every phase (being created, dispatching, waiting for their run,
 * completing): the other replica must take over its workflows and activities. The killed replica stays down until
 * every job has ended, so nothing can wait for it to come back; then it is started again.
 */
export const workerSigkill: Drill = {
  name: 'SIGKILL of one worker replica mid-flight',
  async run(cluster, log) {
    const ledger = new JobLedger(cluster);
    const held = await ledger.createHeldJobs(16, 4);
    const inFlight = [];
    for (let i = 0; i < 12; i++) inFlight.push(ledger.createApiJob(WORKFLOW.quick));
    for (let i = 0; i < 3; i++) ledger.createCtrlplaneJob(WORKFLOW.quick);
    const victim = cluster.workers[0];
    if (!victim) throw new Error('no worker replica to kill');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await victim.kill();
    log(`${victim.spec.name} killed (SIGKILL) with ${ledger.jobs.length} jobs in flight`);
    await Promise.all(inFlight);
    await ledger.completeHeldRuns(held, 50);
    const started = Date.now();
    await ledger.waitUntilEnded();
    const tookOver = `the surviving replica ended them ${((Date.now() - started) / 1000).toFixed(1)} s after the last run completed`;
    await victim.start();
    return ledgerOutcome(await ledger.verify(), tookOver);
  },
};
