import { ApplicationFailure, Context } from '@temporalio/activity';
import { CtrlplaneRequestError, type CtrlplaneClient } from '../ctrlplane/ctrlplane-client.ts';
import type { CtrlplaneJobStatus } from '../ctrlplane/ctrlplane-job.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import type { CtrlplaneOrigin } from '../shared/job.ts';
import { FailureType } from '../shared/workflow-contract.ts';

export interface ClaimCtrlplaneJobInput extends CtrlplaneOrigin {
  jobId: string;
}

/** `claimed: false` → the job is not ours to run (and nothing may be reported for it). */
export type ClaimCtrlplaneJobResult = { claimed: true; recovered: boolean } | { claimed: false; reason: string };

export interface ReportCtrlplaneJobStatusInput extends CtrlplaneOrigin {
  jobId: string;
  status: CtrlplaneJobStatus;
}

/**
 * Retried until it works: Ctrlplane down, 5xx, timeouts, even 401/403 (an operator can fix the key while the job
 * waits). Only an answer that no retry can change (400/422) is final.
 */
function toFailure(error: unknown): unknown {
  if (!(error instanceof CtrlplaneRequestError)) return error;
  const final = error.status === 400 || error.status === 422;
  return ApplicationFailure.create({ type: final ? FailureType.CtrlplaneRejected : FailureType.CtrlplaneUnavailable, message: error.message, nonRetryable: final });
}

/**
 * All I/O to Ctrlplane made on behalf of a job (docs/architecture.md "Ctrlplane connection"). They run on the
 * Ctrlplane task queue. The client holds URL and key (worker memory); inputs and results carry neither.
 */
export function createCtrlplaneActivities(client: CtrlplaneClient | undefined, metrics?: CtrlplaneMetrics) {
  const configured = (): CtrlplaneClient => {
    if (client) return client;
    // Retryable: a job pulled while Ctrlplane was configured waits for a worker that has the connection again.
    throw ApplicationFailure.create({
      type: FailureType.CtrlplaneUnavailable,
      message: 'this worker has no Ctrlplane connection (CTRLPLANE_URL unset) but the job came from Ctrlplane; configure it on every worker replica',
    });
  };

  return {
    /**
     * Claims the job in Ctrlplane. Only the job's own workflow claims it (one workflow per job ID), so a 409 on a
     * retry, with the job `inProgress`, is our own earlier claim whose answer was lost; a 409 on the first attempt
     * is someone else's (or a change by hand) and the job is left alone.
     */
    async claimCtrlplaneJob(input: ClaimCtrlplaneJobInput): Promise<ClaimCtrlplaneJobResult> {
      const ctrlplane = configured();
      try {
        const outcome = await ctrlplane.claimJob(input.workspaceId, input.agentId, input.jobId);
        if (outcome.outcome === 'claimed') {
          metrics?.jobsClaimed.inc();
          return { claimed: true, recovered: false };
        }
        if (outcome.outcome === 'not-found') {
          return { claimed: false, reason: `Ctrlplane has no job ${input.jobId} for agent ${input.agentId} any more (deleted, or given to another agent); not run here` };
        }
        const now = await ctrlplane.getJob(input.workspaceId, input.jobId);
        if (Context.current().info.attempt > 1 && now?.status === 'inProgress') {
          metrics?.jobsClaimed.inc();
          return { claimed: true, recovered: true };
        }
        metrics?.claimConflicts.inc();
        Context.current().log.warn('Ctrlplane job was no longer queued when claimed; not running it', { jobId: input.jobId, ctrlplaneStatus: now?.status });
        return {
          claimed: false,
          reason: `Ctrlplane job ${input.jobId} was ${now?.status ?? 'gone'}, no longer queued, when this agent claimed it ` +
            `(claimed by another process using agent ${input.agentId}, or changed by hand); not run here`,
        };
      } catch (error) {
        throw toFailure(error);
      }
    },

    /** Sets the job's status in Ctrlplane. `false` when Ctrlplane no longer has the job (nothing left to tell). */
    async reportCtrlplaneJobStatus(input: ReportCtrlplaneJobStatusInput): Promise<boolean> {
      const ctrlplane = configured();
      try {
        const found = await ctrlplane.reportStatus(input.workspaceId, input.jobId, input.status);
        if (found) metrics?.reportsSent.inc({ status: input.status });
        return found;
      } catch (error) {
        metrics?.reportsFailed.inc();
        throw toFailure(error);
      }
    },
  };
}

export type CtrlplaneActivities = ReturnType<typeof createCtrlplaneActivities>;
