import type { Drill } from '../drill.ts';
import { WORKFLOW } from '../support/cluster.ts';
import { JobLedger } from '../support/job-ledger.ts';
import { ledgerOutcome } from '../support/ledger-outcome.ts';

/**
 * Rolling restart of the API replicas (SIGTERM, wait, start, wait ready; one at a time, as a Deployment rolls) while
 * webhooks flow steadily: held runs complete every 100 ms and new jobs keep being created through the load balancer.
 */
export const apiRollingRestart: Drill = {
  name: 'rolling restart of the API replicas under steady webhook load',
  async run(cluster, log) {
    const ledger = new JobLedger(cluster);
    const held = await ledger.createHeldJobs(24, 4);
    let rolling = true;
    const completing = ledger.completeHeldRuns(held, 100);
    const creating = (async () => {
      while (rolling) {
        await ledger.createApiJob(WORKFLOW.quick);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    for (const replica of cluster.apis) {
      const started = Date.now();
      await replica.restart();
      log(`${replica.spec.name} restarted in ${Date.now() - started} ms`);
    }
    rolling = false;
    await Promise.all([completing, creating]);
    await ledger.waitUntilEnded();
    return ledgerOutcome(await ledger.verify(), `${cluster.lb.unreachable} request(s) found no replica`);
  },
};
