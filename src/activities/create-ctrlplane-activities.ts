import { ApplicationFailure, Context } from '@temporalio/activity';
import { CtrlplaneRequestError, type CtrlplaneClient } from '../ctrlplane/ctrlplane-client.ts';
import { type CtrlplaneJobStatus, isFinalCtrlplaneStatus } from '../ctrlplane/ctrlplane-job.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import type { CtrlplaneOrigin } from '../domain/job.ts';
import { FailureType } from '../contract/workflow-contract.ts';

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
 * `reported`: Ctrlplane shows the status; `gone`: Ctrlplane no longer has the job; `ended`: Ctrlplane shows a final
 * status set elsewhere (e.g. cancelled in its UI), left as it is.
 */
export type ReportCtrlplaneJobStatusResult = { outcome: 'reported' | 'gone' } | { outcome: 'ended'; ctrlplaneStatus: CtrlplaneJobStatus };

/**
 * Retried until it works: Ctrlplane down, 5xx, timeouts, even 401/403 (an operator can fix the key while the job
 * waits). Only an answer that no retry can change (400/422) is final.
 */
function toFailure(error: unknown): unknown {
  if (!(error instanceof CtrlplaneRequestError)) return error;
  const final = error.status === 400 || error.status === 422;
  return ApplicationFailure.create({
    type: final ? FailureType.CtrlplaneRejected : FailureType.CtrlplaneUnavailable,
    message: error.message,
    nonRetryable: final,
  });
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
     * retry after an attempt that may have reached Ctrlplane (no answer, 5xx), with the job `inProgress`, is our own
     * earlier claim whose answer was lost; a 409 after nothing of ours can have claimed it (first attempt, or only
     * definite refusals before) is someone else's, or a change by hand, and the job is left alone.
     */
    async claimCtrlplaneJob(input: ClaimCtrlplaneJobInput): Promise<ClaimCtrlplaneJobResult> {
      const ctrlplane = configured();
      const context = Context.current();
      const earlier = context.info.heartbeatDetails as { mayHaveClaimed?: boolean } | undefined;
      // Without a record (the earlier attempt's worker died mid-request) assume it may have claimed: a job
      // claimed with nothing running it is the worse outcome.
      const mayHaveClaimed = context.info.attempt > 1 && (earlier?.mayHaveClaimed ?? true);
      let outcome;
      try {
        outcome = await ctrlplane.claimJob(input.workspaceId, input.agentId, input.jobId);
      } catch (error) {
        const definite = error instanceof CtrlplaneRequestError && error.status !== undefined && error.status < 500;
        context.heartbeat({ mayHaveClaimed: mayHaveClaimed || !definite });
        throw toFailure(error);
      }
      if (outcome.outcome === 'claimed') {
        metrics?.jobsClaimed.inc();
        return { claimed: true, recovered: false };
      }
      if (outcome.outcome === 'not-found') {
        return {
          claimed: false,
          reason: `Ctrlplane has no job ${input.jobId} for agent ${input.agentId} any more (deleted, or given to another agent); not run here`,
        };
      }
      // 409. What Ctrlplane shows now decides only when our own lost claim is possible; the read is best-effort.
      const now = await ctrlplane.getJob(input.workspaceId, input.jobId).catch(() => undefined);
      if (mayHaveClaimed && now?.status === 'inProgress') {
        metrics?.jobsClaimed.inc();
        return { claimed: true, recovered: true };
      }
      if (mayHaveClaimed && now === undefined) {
        // Could not tell: try again rather than abandon a claim that may be ours.
        throw ApplicationFailure.create({
          type: FailureType.CtrlplaneUnavailable,
          message: `Ctrlplane answered 409 to the claim of job ${input.jobId} and could not be read to tell whether the claim was ours`,
        });
      }
      metrics?.claimConflicts.inc();
      context.log.warn('Ctrlplane job was no longer queued when claimed; not running it', { jobId: input.jobId, ctrlplaneStatus: now?.status });
      return {
        claimed: false,
        reason:
          `Ctrlplane job ${input.jobId} was ${now?.status ?? 'no longer queued'} when this agent claimed it ` +
          `(no longer queued: claimed by another process using agent ${input.agentId}, or changed by hand); not run here`,
      };
    },

    /**
     * Sets the job's status in Ctrlplane, unless Ctrlplane already shows a final status this workflow did not send
     * (cancelled or ended by hand there): that one is never overwritten, and the workflow learns of it. Two requests
     * per report (read, then write), a handful of reports per job.
     */
    async reportCtrlplaneJobStatus(input: ReportCtrlplaneJobStatusInput): Promise<ReportCtrlplaneJobStatusResult> {
      const ctrlplane = configured();
      try {
        const now = await ctrlplane.getJob(input.workspaceId, input.jobId);
        if (!now) return { outcome: 'gone' };
        if (now.status === input.status) return { outcome: 'reported' };
        if (isFinalCtrlplaneStatus(now.status)) return { outcome: 'ended', ctrlplaneStatus: now.status };
        const found = await ctrlplane.reportStatus(input.workspaceId, input.jobId, input.status);
        if (!found) return { outcome: 'gone' };
        metrics?.reportsSent.inc({ status: input.status });
        return { outcome: 'reported' };
      } catch (error) {
        metrics?.reportsFailed.inc();
        throw toFailure(error);
      }
    },
  };
}

export type CtrlplaneActivities = ReturnType<typeof createCtrlplaneActivities>;
