import type { WorkflowRunSummary } from '../activities/workflow-run-summary.ts';
import type { Job } from '../domain/job.ts';
import { isTerminalStatus, type JobStatus, statusRank } from '../domain/job-status.ts';
import { mapRunToJobStatus } from '../domain/run-status-mapping.ts';
import type { ManualStatusChange, WorkflowRunEvent } from '../contract/workflow-contract.ts';
import { deliveryDigest } from './delivery-digest.ts';
import { foreignRunReason, type RunBinding } from './run-binding.ts';

/** Why an event or report was not applied; `undefined` from `apply*` means it was. */
export type Rejection = 'duplicate-delivery' | 'other-run' | 'no-status' | 'job-terminal' | 'stale' | 'foreign-run' | 'unconfirmed';

/**
 * How many delivery IDs to remember for de-duplication (GitHub sends a handful of events per run), as 16-character
 * digests: at most 3.2 KB carried into continue-as-new, however many or however long the IDs that arrive.
 */
export const REMEMBERED_DELIVERIES = 200;
/** Events held until the job's run is known; GitHub sends three or four per run before it could be. */
const HELD_EVENTS = 20;

/** What a job's state carries into the next run when its workflow continues as new. */
export interface CarriedJobState {
  binding?: RunBinding;
  /** Digests (`deliveryDigest`) of the delivery IDs last seen, oldest first. */
  deliveryDigests: string[];
  held: WorkflowRunEvent[];
  heldArrivals: number;
}

/**
 * The job and the rules for changing it (docs/architecture.md "Invariants"): terminal statuses never change, progress never goes
 * backwards, a delivery is applied once, and an older event never overwrites a newer one. Pure and
 * deterministic: the workflow owns one, tests can drive one directly.
 */
export class JobState {
  readonly job: Job;
  /** Digests of the delivery IDs last seen, oldest first (at most REMEMBERED_DELIVERIES). */
  private readonly deliveries: string[] = [];
  /** Bumped on every accepted GitHub observation, so the workflow can tell that something arrived. */
  observations = 0;
  private binding: RunBinding | undefined;
  /** Events that passed the binding checks but arrived before the run was known. */
  private readonly held: WorkflowRunEvent[] = [];

  constructor(
    job: Job,
    private readonly onChange: (job: Job) => void = () => {},
    /** The state the previous run of this job's workflow left (continue-as-new). */
    carried?: CarriedJobState,
  ) {
    this.job = job;
    if (carried) {
      this.binding = carried.binding;
      this.deliveries.push(...carried.deliveryDigests.slice(-REMEMBERED_DELIVERIES));
      this.held.push(...carried.held);
      this.heldArrivals = carried.heldArrivals;
    }
  }

  /** Everything but the job itself that the next run needs to go on exactly as this one would. */
  carry(): CarriedJobState {
    return { binding: this.binding, deliveryDigests: [...this.deliveries], held: [...this.held], heldArrivals: this.heldArrivals };
  }

  /** Where the job's run must come from; set once the config is rendered, before the dispatch. */
  bind(binding: RunBinding): void {
    this.binding = binding;
  }

  /** Bumped when an event is held for confirmation (at most HELD_EVENTS times): worth one API lookup each. */
  heldArrivals = 0;

  /** Applies the held events of the run now known to be the job's; the others are dropped. */
  releaseHeld(): void {
    const events = this.held.splice(0);
    for (const event of events) if (event.runId === this.job.run?.id) this.applyBoundEvent(event);
  }

  get terminal(): boolean {
    return isTerminalStatus(this.job.status);
  }

  /** Sets the status (and timestamps); no rule checks: callers check first. */
  transition(status: JobStatus, message?: string): void {
    const now = new Date().toISOString();
    const changed = status !== this.job.status || message !== this.job.message;
    this.job.status = status;
    if (message !== undefined) this.job.message = message;
    this.job.updatedAt = now;
    if (status !== 'pending' && !this.job.startedAt) this.job.startedAt = now;
    if (isTerminalStatus(status)) this.job.completedAt = now;
    if (changed) this.onChange(this.job);
  }

  /** Ends the job unless it already ended. */
  finish(status: JobStatus, message: string): void {
    if (!this.terminal) this.transition(status, message);
  }

  /** Records the GitHub run the job is tied to (from the dispatch answer, a lookup, or the first event). */
  attachRun(run: Pick<WorkflowRunSummary, 'runId' | 'htmlUrl' | 'workflowUrl'>): void {
    const known = this.job.run;
    if (known && known.id !== run.runId) return;
    this.job.run = { ...known, id: run.runId, htmlUrl: run.htmlUrl ?? known?.htmlUrl };
    this.job.externalId = String(run.runId);
    if (run.htmlUrl) this.job.links.run = run.htmlUrl;
    if (run.workflowUrl) this.job.links.workflow = run.workflowUrl;
    this.onChange(this.job);
  }

  /**
   * A `workflow_run` webhook delivery, bound to the job (docs/architecture.md): only events of the dispatched
   * repository, installation and workflow, started by workflow_dispatch after the dispatch, and only once the run is
   * known (from the dispatch answer or an API lookup on the job's repository).
   */
  applyRunEvent(event: WorkflowRunEvent): Rejection | undefined {
    const digest = deliveryDigest(event.deliveryId);
    if (this.deliveries.includes(digest)) return 'duplicate-delivery';
    this.deliveries.push(digest);
    if (this.deliveries.length > REMEMBERED_DELIVERIES) this.deliveries.shift();
    if (this.terminal) return 'job-terminal';
    if (this.binding && foreignRunReason(event, this.binding)) return 'foreign-run';
    if (!this.binding || !this.job.run) {
      // Before the dispatch answer (or on a server that answers 204): the run is confirmed first.
      if (this.held.length < HELD_EVENTS) {
        this.held.push(event);
        if (this.binding) this.heldArrivals++;
      }
      return 'unconfirmed';
    }
    return this.applyBoundEvent(event);
  }

  private applyBoundEvent(event: WorkflowRunEvent): Rejection | undefined {
    if (this.binding && foreignRunReason(event, this.binding)) return 'foreign-run';
    return this.applyObservation({
      runId: event.runId,
      status: event.status ?? null,
      conclusion: event.conclusion ?? null,
      runAttempt: event.runAttempt,
      htmlUrl: event.htmlUrl,
      updatedAt: event.updatedAt,
      workflowUrl: event.workflowUrl,
    });
  }

  /** What GitHub says of the run, from a webhook or from polling the API. */
  applyObservation(run: WorkflowRunSummary): Rejection | undefined {
    if (this.job.run && this.job.run.id !== run.runId) return 'other-run';
    const status = mapRunToJobStatus(run);
    if (!status) return 'no-status';
    if (this.terminal) return 'job-terminal';
    const current = this.job.run;
    if (statusRank(status) < statusRank(this.job.status)) return 'stale';
    if (current?.attempt !== undefined && run.runAttempt !== undefined && run.runAttempt < current.attempt) return 'stale';
    if (
      statusRank(status) === statusRank(this.job.status) &&
      current?.updatedAt &&
      run.updatedAt &&
      Date.parse(run.updatedAt) < Date.parse(current.updatedAt)
    ) {
      return 'stale';
    }
    this.attachRun(run);
    this.job.run = {
      id: run.runId,
      status: run.status ?? undefined,
      conclusion: run.conclusion,
      attempt: run.runAttempt ?? current?.attempt,
      updatedAt: run.updatedAt ?? current?.updatedAt,
      htmlUrl: run.htmlUrl ?? current?.htmlUrl,
    };
    this.observations++;
    this.transition(status, describeRun(run));
    return undefined;
  }

  /** Why a manual status report cannot be applied, or undefined when it can (the API answers 409/400). */
  checkManualChange(change: ManualStatusChange): string | undefined {
    if (this.terminal) return `job ${this.job.id} is already ${this.job.status}; a finished job never changes status`;
    if (statusRank(change.status) < statusRank(this.job.status)) {
      return `job ${this.job.id} is ${this.job.status}; it cannot go back to ${change.status}`;
    }
    return undefined;
  }

  /** A status reported by hand (`PATCH /api/v1/jobs/{id}`); check with `checkManualChange` first. */
  applyManualChange(change: ManualStatusChange): void {
    if (change.externalId) this.job.externalId = change.externalId;
    this.observations++;
    this.transition(change.status, change.message ?? `status set to ${change.status} through the API`);
  }
}

/** The job's message for a run observation; the run's link is in `links.run`, not repeated here. */
function describeRun(run: WorkflowRunSummary): string {
  return run.conclusion ? `GitHub run ${run.runId} concluded ${run.conclusion}` : `GitHub run ${run.runId} is ${run.status}`;
}
