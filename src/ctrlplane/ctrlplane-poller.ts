import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { startJobWorkflow } from '../client/start-job-workflow.ts';
import { quoteVisibilityValue } from '../client/visibility-query.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import { type CtrlplaneOrigin, ctrlplaneProblemInput, type JobWorkflowInput } from '../domain/job.ts';
import { isJobId } from '../domain/job-id.ts';
import { JOB_STATUSES, type JobStatus, isTerminalStatus, parseJobStatus } from '../domain/job-status.ts';
import { searchAttributes } from '../contract/search-attributes.ts';
import { JOB_WORKFLOW_TYPE } from '../contract/workflow-contract.ts';
import { jobIdOfWorkflowId, jobWorkflowId } from '../domain/job-id.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { CtrlplaneRequestError, type CtrlplaneClient, type ListingBudget, MAX_RESPONSE_BYTES } from './ctrlplane-client.ts';
import { ctrlplaneJobToWorkflowInput } from './ctrlplane-job-input.ts';
import { belongsToNoRelease, type CtrlplaneJob } from './ctrlplane-job.ts';
import { toCtrlplaneStatus } from '../domain/ctrlplane-status.ts';
import { endedOutsideWorkflow } from '../client/ended-outside-workflow.ts';
import { CtrlplaneAgentConfigError, ensureAgentRegistered } from './register-agent.ts';

/** Job IDs this replica started recently: skipped on the next polls instead of asking Temporal again. */
const REMEMBERED_STARTS = 10_000;
/** Jobs confirmed per poll when looking for cancellations (each is one GET): bounds a burst. */
const CANCEL_CHECKS_PER_POLL = 50;
const START_CONCURRENCY = 8;
/** Running jobs looked at per poll for cancellations (visibility pages through more at the next polls). */
const MAX_RUNNING_CHECKED = 10_000;
/**
 * Queued jobs one poll takes (with their dispatch contexts): the rest wait for the next polls, which come sooner
 * than GitHub's one dispatch a second per installation would run them anyway.
 */
export const QUEUED_JOBS_PER_POLL = 100;
/** Response bytes one listing reads over its pages; each page is also held to MAX_RESPONSE_BYTES. */
export const LISTING_BYTES_PER_POLL = 2 * MAX_RESPONSE_BYTES;
const QUEUED_LISTING: ListingBudget = { pageSize: QUEUED_JOBS_PER_POLL, maxJobs: QUEUED_JOBS_PER_POLL, maxBytes: LISTING_BYTES_PER_POLL };
/** The cancellation check needs only the IDs of the agent's active jobs, so more of them, without contexts. */
const ACTIVE_LISTING: ListingBudget = { pageSize: 500, maxJobs: MAX_RUNNING_CHECKED, maxBytes: LISTING_BYTES_PER_POLL };
/** After failed polls the interval doubles, up to this (or the interval itself, when longer). */
export const POLL_BACKOFF_MAX_MS = 5 * 60_000;

export interface CtrlplanePollerOptions {
  ctrlplane: CtrlplaneClient;
  temporal: Client;
  taskQueue: string;
  origin: CtrlplaneOrigin;
  agentName: string;
  intervalMs: number;
  /** Deadlines handed to each job (JOB_* env vars), as the API does for its jobs. */
  timeouts?: Partial<JobTimeouts>;
  metrics?: CtrlplaneMetrics;
  logger: Logger;
}

export interface PollResult {
  queued: number;
  started: number;
  cancelled: number;
  /** Why the poll did not get through (Ctrlplane unreachable or answering wrongly); the loop backs off. */
  failed?: string;
}

/**
 * Pulls the `http-pull` agent's queued jobs from Ctrlplane and starts one job workflow per job; the workflow
 * claims it (docs/architecture.md "Ctrlplane connection": why the claim is in the workflow, not here). Also notices
 * jobs cancelled in Ctrlplane and cancels their workflows. Every worker replica runs one; they need no
 * coordination, since Temporal starts a job ID once.
 */
export class CtrlplanePoller {
  private registered = false;
  private readonly started = new Map<string, true>();
  /** Running jobs that left Ctrlplane's lists and were read, with what Ctrlplane said: not read again until listed again. */
  private readonly checked = new Map<string, string>();
  private readonly warned = new Set<string>();
  /** Jobs shown in progress in Ctrlplane whose closed workflow was looked at (and reported if need be). */
  private readonly settled = new Map<string, true>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** Polls failed in a row: the next waits intervalMs × 2^failures (POLL_BACKOFF_MAX_MS at most). */
  private failures = 0;

  constructor(private readonly options: CtrlplanePollerOptions) {}

  /**
   * Creates the agent in Ctrlplane when absent. Never throws: whatever Ctrlplane answers, the worker goes on running
   * jobs and the poll loop tries again, backing off. What an operator must fix (an agent of another type, a key
   * Ctrlplane refuses, a workspace it does not know) is logged as an error naming the setting; the rest as a warning.
   */
  async register(): Promise<boolean> {
    const { ctrlplane, origin, agentName, logger } = this.options;
    try {
      const { agent, created } = await ensureAgentRegistered(ctrlplane, { ...origin, agentName });
      this.registered = true;
      logger.info(
        { agentId: agent.id, agentName: agent.name, workspaceId: origin.workspaceId, created },
        created ? 'Ctrlplane job agent created' : 'Ctrlplane job agent found',
      );
      return true;
    } catch (error) {
      if (needsOperator(error)) {
        logger.error({ err: error }, 'cannot register the Ctrlplane job agent: a Ctrlplane setting needs fixing; Ctrlplane jobs wait, the others run');
      } else {
        logger.warn({ err: error }, 'could not register the Ctrlplane job agent; retrying at the next poll');
      }
      return false;
    }
  }

  /** Polls now and then every interval until `stop()`, backing off while polls fail. */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      const running = this.pollOnce();
      this.running = running;
      const { failed } = await running;
      if (this.stopped) return;
      this.failures = failed ? this.failures + 1 : 0;
      this.timer = setTimeout(() => void tick(), this.nextDelayMs());
    };
    void tick();
  }

  /** The interval, doubled per failed poll in a row, up to POLL_BACKOFF_MAX_MS (or the interval, if longer). */
  private nextDelayMs(): number {
    const { intervalMs } = this.options;
    return Math.min(intervalMs * 2 ** Math.min(this.failures, 20), Math.max(intervalMs, POLL_BACKOFF_MAX_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One poll: start workflows for queued jobs (QUEUED_JOBS_PER_POLL at most, read within LISTING_BYTES_PER_POLL),
   * cancel the ones Ctrlplane cancelled, refresh the gauges. Nothing one job does (malformed, over the config cap,
   * unstartable) stops the others, and nothing Ctrlplane answers throws: a failed poll says why in `failed`.
   */
  async pollOnce(): Promise<PollResult> {
    const { ctrlplane, origin, metrics, logger } = this.options;
    const result: PollResult = { queued: 0, started: 0, cancelled: 0 };
    try {
      if (!this.registered && !(await this.register())) {
        result.failed = 'job agent not registered';
        metrics?.polls.inc({ outcome: 'error' });
        return result;
      }
      // Jobs this replica started are dropped as they are read, as are jobs of no release: neither counts.
      const withoutRelease: string[] = [];
      const keep = (job: CtrlplaneJob) => {
        if (!belongsToNoRelease(job)) return !this.started.has(job.id);
        withoutRelease.push(job.id);
        return false;
      };
      const queued = await ctrlplane.listAllAgentJobs(
        origin.workspaceId,
        origin.agentId,
        { status: 'queued', includeDispatchContext: true },
        { ...QUEUED_LISTING, keep },
      );
      if (queued.truncated) logger.warn({ reason: queued.truncated, jobs: queued.length }, 'Ctrlplane queued jobs listed in part; the rest at the next polls');
      result.queued = queued.length;
      this.leaveJobsWithoutRelease(withoutRelease);
      const inputs: JobWorkflowInput[] = queued.map((job) => ctrlplaneJobToWorkflowInput(job, origin));
      // A job we cannot read is still claimed and ended invalidJobAgent, so Ctrlplane learns why it never ran.
      for (const bad of queued.malformed ?? []) {
        if (bad.id && isJobId(bad.id)) inputs.push(ctrlplaneProblemInput(bad.id, new Date().toISOString(), { ...origin, problem: bad.problem }));
        else
          this.warnOnce(
            `malformed:${bad.id ?? bad.problem}`,
            { jobId: bad.id, problem: bad.problem },
            'Ctrlplane listed a job this agent cannot read, without a usable ID; skipped',
          );
      }
      await forEachLimited(
        inputs.filter((input) => !this.started.has(input.id)),
        START_CONCURRENCY,
        (input) => (this.stopped ? Promise.resolve() : this.startJob(input, result)),
      );
      if (this.stopped) return result;
      result.cancelled = await this.cancelJobsCancelledInCtrlplane(queued.seen);
      metrics?.polls.inc({ outcome: 'ok' });
      metrics?.lastSuccessfulPoll.set(Date.now() / 1000);
      return result;
    } catch (error) {
      metrics?.polls.inc({ outcome: 'error' });
      result.failed = (error as Error).message;
      if (this.stopped) return result;
      // Ctrlplane no longer knows the agent (deleted in its UI): register it again at the next poll.
      if (error instanceof CtrlplaneRequestError && error.notFound) this.registered = false;
      if (needsOperator(error)) logger.error({ err: error }, 'polling Ctrlplane failed: a Ctrlplane setting needs fixing; backing off, the other jobs run');
      else logger.warn({ err: error }, 'polling Ctrlplane failed; trying again, backing off');
      return result;
    } finally {
      // Most telling while Ctrlplane is down, so counted whatever Ctrlplane answered.
      await this.countPendingReports().catch((error: unknown) => logger.warn({ err: error }, 'counting pending Ctrlplane reports failed'));
    }
  }

  /**
   * Jobs that belong to no release are left queued, unclaimed and not run: Ctrlplane would take the claim, but its
   * read and status routes find a job only through its release, so the job would show in progress there for ever
   * whatever happened (docs/ctrlplane.md, "Jobs of no release are left queued"). Each is logged once per replica and counted.
   */
  private leaveJobsWithoutRelease(withoutRelease: string[]): void {
    this.options.metrics?.jobsWithoutRelease.set(withoutRelease.length);
    for (const jobId of withoutRelease) {
      this.warnOnce(
        `no-release:${jobId}`,
        { jobId },
        'Ctrlplane job belongs to no release: Ctrlplane cannot take a status for it, so it is left queued and not run',
      );
    }
  }

  private async startJob(input: JobWorkflowInput, result: PollResult): Promise<void> {
    const { logger, metrics } = this.options;
    if (!isJobId(input.id)) {
      this.warnOnce(`id:${input.id}`, { jobId: input.id }, 'Ctrlplane job ID is not a UUID; skipped');
      this.remember(input.id);
      return;
    }
    try {
      const { started } = await startJobWorkflow(this.options.temporal, input, { taskQueue: this.options.taskQueue, timeouts: this.options.timeouts });
      this.remember(input.id);
      if (started) {
        result.started++;
        metrics?.jobsPulled.inc();
        logger.info({ jobId: input.id }, 'Ctrlplane job pulled; its workflow claims it');
      }
    } catch (error) {
      // Left for the next poll (Temporal may be briefly unavailable); the other jobs go on.
      this.warnOnce(`start:${input.id}`, { jobId: input.id, err: error }, 'could not start the workflow of a Ctrlplane job; trying again at the next poll');
    }
  }

  /**
   * Jobs running here (pending, in progress, waiting for approval) that Ctrlplane no longer lists as queued,
   * inProgress or actionRequired changed status there. Each such change is read once (remembered until the job is
   * listed again), and a `cancelled` one is cancelled here, which cancels its GitHub run. Cost per poll: the list
   * requests for active jobs and one visibility query, plus one read per job that actually changed.
   */
  private async cancelJobsCancelledInCtrlplane(queued: ReadonlySet<string>): Promise<number> {
    const { ctrlplane, origin, temporal, logger } = this.options;
    const running = await this.listRunning(['pending', 'in_progress', 'action_required']);
    for (const id of this.checked.keys()) if (!running.includes(id)) this.checked.delete(id);
    const active = new Set<string>();
    for (const status of ['inProgress', 'actionRequired'] as const) {
      const listing = await ctrlplane.listAllAgentJobs(origin.workspaceId, origin.agentId, { status }, ACTIVE_LISTING);
      if (listing.truncated) logger.warn({ status, reason: listing.truncated }, 'Ctrlplane active jobs listed in part');
      for (const id of listing.seen) active.add(id);
    }
    await this.failJobsEndedOutsideTheirWorkflow([...active].filter((id) => !running.includes(id)));
    if (running.length === 0) return 0;
    const listed = new Set([...queued, ...active]);
    for (const id of listed) this.checked.delete(id);
    const changed = running.filter((id) => !listed.has(id) && !this.checked.has(id)).slice(0, CANCEL_CHECKS_PER_POLL);
    let cancelled = 0;
    for (const jobId of changed) {
      const job = await ctrlplane.getJob(origin.workspaceId, jobId);
      this.checked.set(jobId, job?.status ?? 'gone');
      if (job?.status !== 'cancelled') continue;
      try {
        await temporal.workflow.getHandle(jobWorkflowId(jobId, 'ctrlplane')).cancel();
        cancelled++;
        logger.info({ jobId }, 'job cancelled in Ctrlplane; cancelling it here');
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    return cancelled;
  }

  /**
   * Jobs Ctrlplane shows in progress for this agent whose workflow is not waiting for its run: most are ending
   * (their final report is on its way). One whose workflow closed without ending the job (timed out by the
   * backstop, terminated by an operator: docs/architecture.md "Invariants") can report nothing any more, so it is
   * reported `failure` here, once; otherwise Ctrlplane would show it in progress forever.
   */
  private async failJobsEndedOutsideTheirWorkflow(candidates: string[]): Promise<void> {
    const { ctrlplane, origin, temporal, logger, metrics } = this.options;
    for (const jobId of candidates.filter((id) => isJobId(id) && !this.settled.has(id)).slice(0, CANCEL_CHECKS_PER_POLL)) {
      let description;
      try {
        description = await temporal.workflow.getHandle(jobWorkflowId(jobId, 'ctrlplane')).describe();
      } catch (error) {
        // Not a job of ours (never started here, or gone past retention): not ours to judge.
        if (error instanceof WorkflowNotFoundError) {
          this.settle(jobId);
          continue;
        }
        throw error;
      }
      const closeStatus = description.status.name;
      if (closeStatus === 'RUNNING') continue; // still reporting: its workflow will
      const ended = endedOutsideWorkflow(closeStatus);
      if (!ended) {
        this.settle(jobId);
        continue;
      }
      // A job that had ended (its final report stuck when the workflow was closed) keeps its own status.
      const published = parseJobStatus(description.typedSearchAttributes.get(searchAttributes.status) ?? '');
      const status = toCtrlplaneStatus(published && isTerminalStatus(published) ? published : ended.status);
      try {
        await ctrlplane.reportStatus(origin.workspaceId, jobId, status);
      } catch (error) {
        // Tried again at the next poll; the other jobs go on.
        metrics?.reportsFailed.inc();
        logger.warn({ jobId, err: error }, 'reporting a job whose workflow closed failed; trying again at the next poll');
        continue;
      }
      this.settle(jobId);
      metrics?.reportsSent.inc({ status });
      logger.warn({ jobId, closeStatus }, `the job's workflow ${ended.how}; reported ${status} to Ctrlplane`);
    }
  }

  private settle(jobId: string): void {
    this.settled.set(jobId, true);
    if (this.settled.size > REMEMBERED_STARTS) this.settled.delete(this.settled.keys().next().value as string);
  }

  /** `gha_agent_ctrlplane_reports_pending`: jobs that ended here but still wait for Ctrlplane to accept the final status. */
  private async countPendingReports(): Promise<void> {
    const { metrics } = this.options;
    if (!metrics) return;
    const { count } = await this.options.temporal.workflow.count(this.query(JOB_STATUSES.filter(isTerminalStatus)));
    metrics.reportsPending.set(count);
  }

  private async listRunning(statuses: JobStatus[]): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of this.options.temporal.workflow.list({ query: this.query(statuses) })) {
      ids.push(jobIdOfWorkflowId(execution.workflowId));
      if (ids.length >= MAX_RUNNING_CHECKED) break;
    }
    return ids;
  }

  /** Running job workflows of this agent in the given statuses. */
  private query(statuses: readonly JobStatus[]): string {
    return [
      `WorkflowType = ${quoteVisibilityValue(JOB_WORKFLOW_TYPE)}`,
      `TaskQueue = ${quoteVisibilityValue(this.options.taskQueue)}`,
      `${searchAttributes.ctrlplaneAgent.name} = ${quoteVisibilityValue(this.options.origin.agentId)}`,
      `${searchAttributes.status.name} IN (${statuses.map(quoteVisibilityValue).join(', ')})`,
      `ExecutionStatus = 'Running'`,
    ].join(' AND ');
  }

  private remember(jobId: string): void {
    this.started.set(jobId, true);
    if (this.started.size > REMEMBERED_STARTS) this.started.delete(this.started.keys().next().value as string);
  }

  /** Logs a problem once per key (per replica), not at every poll. */
  private warnOnce(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (this.warned.size > REMEMBERED_STARTS) this.warned.delete(this.warned.values().next().value as string);
    this.options.logger.warn(fields, message);
  }
}

/**
 * What only an operator can fix: an agent of another type, a workspace Ctrlplane does not know, a name taken, a key
 * refused (401/403, from Ctrlplane or a proxy in front of it). Logged as errors; polled again all the same, since
 * the fix is made in Ctrlplane or the proxy while the worker runs.
 */
function needsOperator(error: unknown): boolean {
  return error instanceof CtrlplaneAgentConfigError || (error instanceof CtrlplaneRequestError && error.unauthorized);
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}
