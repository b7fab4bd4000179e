import type { Drill } from '../drill.ts';
import { WORKFLOW } from '../support/cluster.ts';
import { JobLedger } from '../support/job-ledger.ts';
import { ledgerOutcome } from '../support/ledger-outcome.ts';
import type { ManagedProcess } from '../support/managed-process.ts';

/**
 * Restarts a dependency (the Temporal server, or PostgreSQL under it) while jobs wait for their runs and runs keep
 * completing: deliveries that arrive while it is down must be answered non-2xx (GitHub keeps them as failed and
 * the workers' redelivery loop sends them again), and every job must still end right.
 */
export function dependencyRestartDrill(name: string, target: (cluster: Parameters<Drill['run']>[0]) => ManagedProcess, downMs: number): Drill {
  return {
    name,
    async run(cluster, log) {
      const ledger = new JobLedger(cluster);
      const held = await ledger.createHeldJobs(16, 4);
      await ledger.completeHeldRuns(held.slice(0, 6), 50);
      const process = target(cluster);
      await process.stop();
      log(`${process.spec.name} stopped`);
      const down = Date.now();
      await ledger.completeHeldRuns(held.slice(6, 12), 50);
      const answered = cluster.github.deliveries.filter((delivery) => delivery.at >= down).map((delivery) => delivery.status);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, downMs - (Date.now() - down))));
      await process.start();
      log(
        `${process.spec.name} back after ${((Date.now() - down) / 1000).toFixed(1)} s; deliveries meanwhile were answered ${[...new Set(answered)].join(', ')}`,
      );
      if (answered.some((status) => typeof status === 'number' && status >= 200 && status < 300)) {
        // Not a problem by itself (a delivery may have been applied just before the stop took effect): verify() checks each one.
        log('some deliveries during the outage were answered 2xx');
      }
      await ledger.completeHeldRuns(held.slice(12), 50);
      for (let i = 0; i < 6; i++) await ledger.createApiJob(WORKFLOW.quick);
      await ledger.waitUntilEnded();
      return ledgerOutcome(await ledger.verify());
    },
  };
}

export const temporalServerRestart = dependencyRestartDrill('Temporal server restart', (cluster) => cluster.temporal.process, 5000);
export const postgresRestart = dependencyRestartDrill(
  'PostgreSQL restart',
  (cluster) => {
    if (!cluster.postgres) throw new Error('this cluster runs no PostgreSQL');
    return cluster.postgres.process;
  },
  5000,
);
