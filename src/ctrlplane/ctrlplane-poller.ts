import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { startJobWorkflow } from '../client/start-job-workflow.ts';
import { quoteVisibilityValue } from '../client/visibility-query.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import type { CtrlplaneOrigin } from '../shared/job.ts';
import { JOB_STATUSES, type JobStatus, isTerminalStatus } from '../shared/job-status.ts';
import { searchAttributes } from '../shared/search-attributes.ts';
import { JOB_WORKFLOW_TYPE, jobWorkflowId } from '../shared/workflow-contract.ts';
import type { JobTimeouts } from '../workflows/job-timeouts.ts';
import { CtrlplaneRequestError, type CtrlplaneClient } from './ctrlplane-client.ts';
import { ctrlplaneJobToWorkflowInput } from './ctrlplane-job-input.ts';
import { CtrlplaneAgentConfigError, ensureAgentRegistered } from './register-agent.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Job IDs this replica started recently: skipped on the next polls instead of asking Temporal again. */
const REMEMBERED_STARTS = 10_000;
/** Jobs confirmed per poll when looking for cancellations (each is one GET): bounds a burst. */
const CANCEL_CHECKS_PER_POLL = 50;
const START_CONCURRENCY = 8;

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
  /** A problem only an operator can fix (wrong agent type, key refused): the worker stops and says so. */
  onFatal?: (error: Error) => void;
}

export interface PollResult {
  queued: number;
  started: number;
  cancelled: number;
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: CtrlplanePollerOptions) {}

  /**
   * Creates the agent in Ctrlplane when absent. Configuration errors throw; an unreachable Ctrlplane returns
   * false (the poll loop tries again, the worker keeps running GitHub jobs meanwhile).
   */
  async register(): Promise<boolean> {
    const { ctrlplane, origin, agentName, logger } = this.options;
    try {
      const { agent, created } = await ensureAgentRegistered(ctrlplane, { ...origin, agentName });
      this.registered = true;
      logger.info({ agentId: agent.id, agentName: agent.name, workspaceId: origin.workspaceId, created }, created ? 'Ctrlplane job agent created' : 'Ctrlplane job agent found');
      return true;
    } catch (error) {
      if (error instanceof CtrlplaneAgentConfigError || (error instanceof CtrlplaneRequestError && (error.unauthorized || error.status === 404))) {
        const hint = error instanceof CtrlplaneRequestError && error.status === 404 ? ' (is CTRLPLANE_WORKSPACE_ID the workspace ID?)' : '';
        throw new CtrlplaneAgentConfigError(`${(error as Error).message}${hint}`);
      }
      logger.warn({ err: error }, 'Ctrlplane unreachable while registering the job agent; retrying at the next poll');
      return false;
    }
  }

  /** Polls now and then every interval until `stop()`. */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.pollOnce().catch((error: unknown) => {
        if (error instanceof CtrlplaneAgentConfigError) {
          this.stopped = true;
          this.options.onFatal?.(error);
        }
      });
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One poll: start workflows for queued jobs, cancel the ones Ctrlplane cancelled, refresh the gauges. */
  async pollOnce(): Promise<PollResult> {
    const { ctrlplane, origin, metrics, logger } = this.options;
    const result: PollResult = { queued: 0, started: 0, cancelled: 0 };
    try {
      if (!this.registered && !(await this.register())) throw new Error('job agent not registered yet');
      const queued = await ctrlplane.listAllAgentJobs(origin.workspaceId, origin.agentId, { status: 'queued', includeDispatchContext: true });
      result.queued = queued.length;
      const fresh = queued.filter((job) => !this.started.has(job.id));
      await forEachLimited(fresh, START_CONCURRENCY, async (job) => {
        if (!UUID.test(job.id)) {
          logger.warn({ jobId: job.id }, 'Ctrlplane job ID is not a UUID; skipped');
          this.remember(job.id);
          return;
        }
        const input = ctrlplaneJobToWorkflowInput(job, origin);
        const { started } = await startJobWorkflow(this.options.temporal, input, { taskQueue: this.options.taskQueue, timeouts: this.options.timeouts });
        this.remember(job.id);
        if (started) {
          result.started++;
          metrics?.jobsPulled.inc();
          logger.info({ jobId: job.id }, 'Ctrlplane job pulled; its workflow claims it');
        }
      });
      result.cancelled = await this.cancelJobsCancelledInCtrlplane();
      metrics?.polls.inc({ outcome: 'ok' });
      metrics?.lastSuccessfulPoll.set(Date.now() / 1000);
      return result;
    } catch (error) {
      metrics?.polls.inc({ outcome: 'error' });
      if (error instanceof CtrlplaneAgentConfigError) throw error;
      logger.warn({ err: error }, 'polling Ctrlplane failed; trying again at the next poll');
      return result;
    } finally {
      // Most telling while Ctrlplane is down, so counted whatever Ctrlplane answered.
      await this.countPendingReports().catch((error: unknown) => logger.warn({ err: error }, 'counting pending Ctrlplane reports failed'));
    }
  }

  /**
   * Jobs running here that Ctrlplane no longer lists as inProgress/actionRequired changed status there; each is
   * read once, and a `cancelled` one is cancelled here (which cancels its GitHub run). Costs one list per page of
   * active jobs per poll, not a request per running job.
   */
  private async cancelJobsCancelledInCtrlplane(): Promise<number> {
    const { ctrlplane, origin, temporal, logger } = this.options;
    const running = await this.listRunning(['in_progress', 'action_required']);
    if (running.length === 0) return 0;
    const active = new Set<string>();
    for (const status of ['inProgress', 'actionRequired'] as const) {
      for (const job of await ctrlplane.listAllAgentJobs(origin.workspaceId, origin.agentId, { status })) active.add(job.id);
    }
    let cancelled = 0;
    for (const jobId of running.filter((id) => !active.has(id)).slice(0, CANCEL_CHECKS_PER_POLL)) {
      const job = await ctrlplane.getJob(origin.workspaceId, jobId);
      if (job?.status !== 'cancelled') continue;
      try {
        await temporal.workflow.getHandle(jobWorkflowId(jobId)).cancel();
        cancelled++;
        logger.info({ jobId }, 'job cancelled in Ctrlplane; cancelling it here');
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    return cancelled;
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
      ids.push(execution.workflowId.replace(/^job-/, ''));
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
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}
