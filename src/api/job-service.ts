import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Job, JobWorkflowInput } from '../shared/job.ts';
import { createPendingJob } from '../shared/job.ts';
import { isTerminalStatus } from '../shared/job-status.ts';
import { searchAttributes } from '../shared/search-attributes.ts';
import {
  jobQuery,
  jobWorkflowId,
  type ManualStatusChange,
  setStatusUpdate,
  type WorkflowRunEvent,
  workflowRunEventSignal,
} from '../shared/workflow-contract.ts';
import type { JobTimeouts } from '../workflows/job-timeouts.ts';
import type { jobWorkflow } from '../workflows/job-workflow.ts';
import { HttpError } from './http-error.ts';

export interface JobServiceOptions {
  client: Client;
  taskQueue: string;
  timeouts?: Partial<JobTimeouts>;
  logger: Logger;
}

/** Temporal is the job store: one workflow per job; this class is the only place the API talks to it about jobs. */
export class JobService {
  constructor(private readonly options: JobServiceOptions) {}

  private handle(jobId: string) {
    return this.options.client.workflow.getHandle<typeof jobWorkflow>(jobWorkflowId(jobId));
  }

  /** Starts the job's workflow; the same ID twice is one job (`created: false` the second time). */
  async create(input: JobWorkflowInput): Promise<{ job: Job; created: boolean }> {
    const summary = `deploy ${input.deployment.name} ${input.version.tag} → ${input.environment.name} / ${input.resource.name ?? input.resource.identifier}`;
    try {
      await this.options.client.workflow.start('jobWorkflow', {
        taskQueue: this.options.taskQueue,
        workflowId: jobWorkflowId(input.id),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ ...input, timeouts: this.options.timeouts }],
        staticSummary: summary,
        staticDetails: `job ${input.id}`,
        typedSearchAttributes: [
          { key: searchAttributes.status, value: 'pending' },
          { key: searchAttributes.deployment, value: input.deployment.name },
          { key: searchAttributes.environment, value: input.environment.name },
          { key: searchAttributes.resource, value: input.resource.identifier },
        ],
      });
      return { job: createPendingJob(input), created: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const job = await this.get(input.id);
      if (!job) throw error;
      return { job, created: false };
    }
  }

  /** The job as its workflow knows it, or undefined when there is no such job. */
  async get(jobId: string): Promise<Job | undefined> {
    try {
      return await this.handle(jobId).query(jobQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  async require(jobId: string): Promise<Job> {
    const job = await this.get(jobId);
    if (!job) throw new HttpError(404, 'not_found', `job ${jobId} not found`);
    return job;
  }

  /** A manual status report; 404 for no job, 409 when the job is finished or the change would go backwards. */
  async setStatus(jobId: string, change: ManualStatusChange): Promise<Job> {
    const job = await this.require(jobId);
    const finished = () => new HttpError(409, 'conflict', `job ${jobId} is already ${job.status}; a finished job never changes status`);
    if (isTerminalStatus(job.status)) throw finished();
    try {
      return await this.handle(jobId).executeUpdate(setStatusUpdate, { args: [change] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        throw new HttpError(409, 'conflict', error.cause.message);
      }
      // The workflow closed between our read and the update: the job just became terminal.
      if (error instanceof WorkflowNotFoundError) throw finished();
      throw error;
    }
  }

  /** Requests cancellation; the workflow cancels the GitHub run and ends `cancelled`. */
  async cancel(jobId: string): Promise<Job> {
    const job = await this.require(jobId);
    if (isTerminalStatus(job.status)) throw new HttpError(409, 'conflict', `job ${jobId} is already ${job.status}`);
    try {
      await this.handle(jobId).cancel();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    return job;
  }

  /** Delivers a workflow_run event; false when no running job has that ID. */
  async signalRunEvent(jobId: string, event: WorkflowRunEvent): Promise<boolean> {
    try {
      await this.handle(jobId).signal(workflowRunEventSignal, event);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** The job whose run is `runId`, through the GithubRunId search attribute (for runs named without the job ID). */
  async findJobIdByRunId(runId: number): Promise<string | undefined> {
    const query = `${searchAttributes.runId.name} = ${Math.trunc(runId)} AND WorkflowType = 'jobWorkflow'`;
    for await (const execution of this.options.client.workflow.list({ query, pageSize: 1 })) {
      return execution.workflowId.replace(/^job-/, '');
    }
    return undefined;
  }
}
