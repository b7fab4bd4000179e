import { Counter, Gauge, type Registry } from 'prom-client';

/** What the Ctrlplane connection does (docs/ctrlplane.md, "Metrics", lists them). */
export interface CtrlplaneMetrics {
  polls: Counter<'outcome'>;
  lastSuccessfulPoll: Gauge;
  jobsPulled: Counter;
  jobsClaimed: Counter;
  claimConflicts: Counter;
  reportsSent: Counter<'status'>;
  reportsFailed: Counter;
  reportsPending: Gauge;
  jobsWithoutRelease: Gauge;
}

export function createCtrlplaneMetrics(registry: Registry): CtrlplaneMetrics {
  const registers = [registry];
  return {
    polls: new Counter({
      name: 'gha_agent_ctrlplane_polls_total',
      help: 'Polls of Ctrlplane for queued jobs, by outcome (ok, error)',
      labelNames: ['outcome'],
      registers,
    }),
    lastSuccessfulPoll: new Gauge({
      name: 'gha_agent_ctrlplane_last_successful_poll_timestamp_seconds',
      help: 'Unix time of the last poll Ctrlplane answered (alert when it falls behind by several poll intervals)',
      registers,
    }),
    jobsPulled: new Counter({
      name: 'gha_agent_ctrlplane_jobs_pulled_total',
      help: 'Queued Ctrlplane jobs this replica started a job workflow for',
      registers,
    }),
    jobsClaimed: new Counter({ name: 'gha_agent_ctrlplane_jobs_claimed_total', help: 'Ctrlplane jobs claimed (now inProgress in Ctrlplane)', registers }),
    claimConflicts: new Counter({
      name: 'gha_agent_ctrlplane_claim_conflicts_total',
      help: 'Claims refused because the job was no longer queued (claimed elsewhere or changed by hand): not run here',
      registers,
    }),
    reportsSent: new Counter({
      name: 'gha_agent_ctrlplane_reports_sent_total',
      help: 'Status reports Ctrlplane accepted, by status',
      labelNames: ['status'],
      registers,
    }),
    reportsFailed: new Counter({ name: 'gha_agent_ctrlplane_reports_failed_total', help: 'Status report attempts that failed (each is retried)', registers }),
    reportsPending: new Gauge({
      name: 'gha_agent_ctrlplane_reports_pending',
      help: 'Ctrlplane jobs that ended here but whose final status Ctrlplane has not accepted yet (from Temporal visibility)',
      registers,
    }),
    jobsWithoutRelease: new Gauge({
      name: 'gha_agent_ctrlplane_jobs_without_release',
      help: 'Queued Ctrlplane jobs of this agent that belong to no release, at the last poll: left queued and not run (Ctrlplane cannot take their status)',
      registers,
    }),
  };
}
