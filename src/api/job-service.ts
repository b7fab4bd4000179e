import { type Client, type WorkflowExecutionDescription, isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { LRUCache } from 'lru-cache';
import { optionalTsToMs } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { Logger } from 'pino';
import type { Job, JobWorkflowInput } from '../domain/job.ts';
import { isJobId, JOB_ORIGINS, type JobOrigin, jobOriginOf } from '../domain/job-id.ts';
import { createPendingJob, resumedJob } from '../domain/job.ts';
import { isTerminalStatus, parseJobStatus } from '../domain/job-status.ts';
import { searchAttributes } from '../contract/search-attributes.ts';
import { startJobWorkflow } from '../client/start-job-workflow.ts';
import {
  JOB_WORKFLOW_TYPE,
  jobQuery,
  type ManualStatusChange,
  setStatusUpdate,
  type WorkflowRunEvent,
  workflowRunEventSignal,
} from '../contract/workflow-contract.ts';
import { jobIdOfWorkflowId, jobWorkflowId } from '../domain/job-id.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import type { JobWorkflowArgs, jobWorkflow } from '../workflows/job-workflow.ts';
import type { RenderOutcome } from '../domain/render-job-agent-config.ts';
import { endedOutsideWorkflow } from '../client/ended-outside-workflow.ts';
import { HttpError } from './http-error.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { RepositoryIndex, type RepositoryIndexOptions } from './repository-index.ts';
import { quoteVisibilityValue } from '../client/visibility-query.ts';
import { buildJobListQuery, decodeCursor, encodeCursor, type JobListFilters } from './job-list-query.ts';
import type { JobSummary } from './job-schemas.ts';
import { allEnded } from './all-ended.ts';

/** gRPC INVALID_ARGUMENT: a bad query or page token. */
const INVALID_ARGUMENT = 3;
const LIST_DEADLINE_MS = 10_000;
/** How long a read waits for a worker to answer the job query before answering from stored state. */
const QUERY_DEADLINE_MS = 3000;

type RawExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

function isoOf(ts: Parameters<typeof optionalTsToMs>[0]): string | undefined {
  const ms = optionalTsToMs(ts);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** A list row from what visibility stores; the search attributes are JSON payloads. */
function toJobSummary(execution: RawExecution): JobSummary {
  const fields = execution.searchAttributes?.indexedFields ?? {};
  const read = (name: string): unknown => {
    const payload = fields[name];
    if (!payload) return undefined;
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    return Array.isArray(value) ? value[0] : value;
  };
  const text = (name: string) => {
    const value = read(name);
    return value === undefined || value === null ? undefined : String(value);
  };
  const published = parseJobStatus(text(searchAttributes.status.name) ?? '') ?? 'pending';
  const endedOutside = isTerminalStatus(published) ? undefined : endedOutsideWorkflow(execution.status);
  return {
    id: jobIdOfWorkflowId(execution.execution?.workflowId ?? ''),
    status: endedOutside?.status ?? published,
    deployment: text(searchAttributes.deployment.name),
    environment: text(searchAttributes.environment.name),
    resource: text(searchAttributes.resource.name),
    repository: text(searchAttributes.repository.name),
    externalId: text(searchAttributes.runId.name),
    createdAt: isoOf(execution.startTime),
    completedAt: isoOf(execution.closeTime),
  };
}

/** How the API names an origin in its answers. */
const ORIGIN_NAMES: Record<JobOrigin, string> = { api: 'the jobs API', ctrlplane: 'Ctrlplane' };

const WEBHOOK_TEMPORAL_DEADLINE_MS = 4000;
/** Jobs whose repository the API remembers for routing deliveries: one describe per job, not per delivery. */
const REMEMBERED_JOB_TARGETS = 10_000;

/** What became of a delivery offered to a job. */
export type RunEventDelivery = { delivered: true } | { delivered: false; reason: 'no-job' } | { delivered: false; reason: 'foreign'; detail: string };

/** GitHub treats owner and repository names case-insensitively. */
function sameRepository(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export interface JobServiceOptions {
  client: Client;
  taskQueue: string;
  timeouts?: Partial<JobTimeouts>;
  logger: Logger;
  /** Batching of repository lookups for deliveries (tests shorten it). */
  repositoryIndex?: Pick<RepositoryIndexOptions, 'batchIntervalMs' | 'rememberMs'>;
  /** Called for each Temporal call a webhook delivery makes (the API counts them by kind). */
  onWebhookTemporalCall?: (call: WebhookTemporalCall) => void;
}

/** The Temporal calls a delivery can cost: a signal, a describe of the job, a visibility query. */
export type WebhookTemporalCall = 'signal' | 'describe' | 'visibility';

/** Temporal is the job store: one workflow per job; this class is the only place the API talks to it about jobs. */
export class JobService {
  /** Job workflow ID → the repository it dispatches to, for the jobs deliveries arrive for (a few hundred bytes each). */
  private readonly jobTargets = new LRUCache<string, string>({ max: REMEMBERED_JOB_TARGETS });

  /** Repositories with running jobs: deliveries from any other cost Temporal nothing. */
  private readonly repositories: RepositoryIndex;

  constructor(private readonly options: JobServiceOptions) {
    this.repositories = new RepositoryIndex({ lookUp: (names) => this.repositoriesWithRunningJobs(names), ...options.repositoryIndex });
  }

  private handle(jobId: string, origin: JobOrigin) {
    return this.options.client.workflow.getHandle<typeof jobWorkflow>(jobWorkflowId(jobId, origin));
  }

  /** The description of job `jobId`'s workflow of `origin`, or undefined when there is none. */
  private async describe(jobId: string, origin: JobOrigin): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.handle(jobId, origin).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Which workflow holds public job ID `jobId`: the one of `origin` when the caller is bound to one (a job token),
   * else the first origin of JOB_ORIGINS that has it, so a Ctrlplane job is never hidden behind an API job that took
   * its ID first (docs/architecture.md "Job IDs and origins"). Every origin is described at once: one round trip.
   */
  private async locate(jobId: string, origin?: JobOrigin): Promise<{ origin: JobOrigin; description: WorkflowExecutionDescription } | undefined> {
    const origins = origin ? [origin] : JOB_ORIGINS;
    const descriptions = await allEnded(origins.map((candidate) => this.describe(jobId, candidate)));
    const index = descriptions.findIndex((description) => description !== undefined);
    return index < 0 ? undefined : { origin: origins[index] as JobOrigin, description: descriptions[index] as WorkflowExecutionDescription };
  }

  /**
   * Starts the job's workflow; the same ID twice is one job (`created: false` the second time). An ID a job of
   * another origin holds is refused (409) before anything starts: an API caller cannot take a Ctrlplane job's ID.
   */
  async create(input: JobWorkflowInput, rendered?: RenderOutcome): Promise<{ job: Job; created: boolean }> {
    const own = jobOriginOf(input);
    const others = JOB_ORIGINS.filter((origin) => origin !== own);
    const held = await allEnded(others.map((origin) => this.describe(input.id, origin)));
    const holder = others[held.findIndex((description) => description !== undefined)];
    if (holder) throw new HttpError(409, 'conflict', `job ${input.id} already exists (from ${ORIGIN_NAMES[holder]})`);
    const { started } = await startJobWorkflow(this.options.client, input, { taskQueue: this.options.taskQueue, timeouts: this.options.timeouts, rendered });
    if (started) return { job: createPendingJob(input), created: true };
    const job = await this.get(input.id, own);
    if (!job) throw new HttpError(409, 'conflict', `job ${input.id} exists but could not be read`);
    return { job, created: false };
  }

  /**
   * The job as its workflow knows it, or undefined when there is no such job (of `origin`, when given). A finished
   * job is its workflow's result; a running one answers a query, or, when no worker answers in time (none polling
   * while a new version rolls out, or all busy), the job as Temporal stores it: its input and the status it last
   * published. A GitHub workflow's get-job-inputs step never fails for want of a worker.
   */
  async get(jobId: string, origin?: JobOrigin): Promise<Job | undefined> {
    return (await this.find(jobId, origin))?.job;
  }

  /** The job and the origin of the workflow that holds it. */
  private async find(jobId: string, origin?: JobOrigin): Promise<{ job: Job; origin: JobOrigin } | undefined> {
    const located = await this.locate(jobId, origin);
    if (!located) return undefined;
    const { description } = located;
    const handle = this.handle(jobId, located.origin);
    const found = (job: Job) => ({ job, origin: located.origin });
    try {
      if (description.status.name === 'COMPLETED') return found(await handle.result());
      const endedOutside = endedOutsideWorkflow(description.status.name);
      if (endedOutside) return found(await this.jobEndedOutside(jobId, located.origin, description, endedOutside));
      try {
        return found(await this.options.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(jobQuery)));
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw error;
        this.options.logger.warn({ jobId, err: error }, 'no worker answered the job query; answering from stored state');
        return found(await this.storedJob(jobId, located.origin, description));
      }
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** The job from the workflow's start input and the search attributes it keeps current. */
  private async storedJob(jobId: string, origin: JobOrigin, description: WorkflowExecutionDescription): Promise<Job> {
    const { client } = this.options;
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId: jobWorkflowId(jobId, origin), runId: description.runId },
      maximumPageSize: 1,
    });
    const payloads = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
    let decoded = payloads as Payload[];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    const { timeouts: _timeouts, resume, ...input } = payloadConverter.fromPayload<JobWorkflowArgs>(decoded[0] as Payload);
    // A continued run starts from the job as the previous run left it.
    const job = resume ? resumedJob(input, resume.job) : createPendingJob(input);
    const attributes = description.typedSearchAttributes;
    const status = parseJobStatus(attributes.get(searchAttributes.status) ?? '');
    if (status) job.status = status;
    const runId = attributes.get(searchAttributes.runId);
    if (runId !== undefined) job.externalId = String(runId);
    return job;
  }

  /** A job whose workflow closed without ending it (timed out by the backstop, terminated): final, and says why. */
  private async jobEndedOutside(
    jobId: string,
    origin: JobOrigin,
    description: WorkflowExecutionDescription,
    ended: { status: Job['status']; how: string },
  ): Promise<Job> {
    const job = await this.storedJob(jobId, origin, description);
    if (isTerminalStatus(job.status)) return job;
    const { client } = this.options;
    const last = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId: jobWorkflowId(jobId, origin), runId: description.runId },
      maximumPageSize: 1,
    });
    const event = last.history?.events?.[0];
    const timeoutMs = optionalTsToMs(description.raw.executionConfig?.workflowExecutionTimeout);
    const why = event?.workflowExecutionTerminatedEventAttributes?.reason
      ? `: ${event.workflowExecutionTerminatedEventAttributes.reason}`
      : description.status.name === 'TIMED_OUT' && timeoutMs
        ? ` (the backstop of ${formatDuration(timeoutMs)})`
        : '';
    const closedAt = description.closeTime?.toISOString() ?? new Date().toISOString();
    return { ...job, status: ended.status, message: `the job's workflow ${ended.how}${why} before the job ended`, updatedAt: closedAt, completedAt: closedAt };
  }

  /** The job, or 404; `origin` for a caller bound to one (a job token). */
  async require(jobId: string, origin?: JobOrigin): Promise<Job> {
    return (await this.requireFound(jobId, origin)).job;
  }

  private async requireFound(jobId: string, origin?: JobOrigin): Promise<{ job: Job; origin: JobOrigin }> {
    const found = await this.find(jobId, origin);
    if (!found) throw new HttpError(404, 'not_found', `job ${jobId} not found`);
    return found;
  }

  /** A manual status report; 404 for no job, 409 when the job is finished or the change would go backwards. */
  async setStatus(jobId: string, change: ManualStatusChange, origin?: JobOrigin): Promise<Job> {
    const found = await this.requireFound(jobId, origin);
    const { job } = found;
    const finished = () => new HttpError(409, 'conflict', `job ${jobId} is already ${job.status}; a finished job never changes status`);
    if (isTerminalStatus(job.status)) throw finished();
    // A report of what the job already says (a workflow step marking it in_progress again) changes nothing:
    // answered from the read, it costs the job's history nothing.
    const unchanged =
      change.status === job.status &&
      (change.message === undefined || change.message === job.message) &&
      (change.externalId === undefined || change.externalId === job.externalId);
    if (unchanged) return job;
    try {
      const changed = await this.handle(jobId, found.origin).executeUpdate(setStatusUpdate, { args: [change] });
      return { ...job, ...changed };
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
    const { job, origin } = await this.requireFound(jobId);
    if (isTerminalStatus(job.status)) throw new HttpError(409, 'conflict', `job ${jobId} is already ${job.status}`);
    try {
      await this.handle(jobId, origin).cancel();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    return job;
  }

  /**
   * Delivers a workflow_run event to job `jobId` when it can be the job's: the job is running and, once its config is
   * rendered, the run's repository is the job's. A foreign event (another repository of the same App, titled with
   * the job's ID) is answered here and never becomes a signal, so it costs the job's history nothing
   * (docs/architecture.md "Invariants"); the workflow still checks installation, workflow and time itself.
   */
  async deliverRunEvent(jobId: string, event: WorkflowRunEvent): Promise<RunEventDelivery> {
    const running = await this.runningJobTargets(jobId);
    if (!running.length) return { delivered: false, reason: 'no-job' };
    const matching = running.filter(({ repository }) => !repository || sameRepository(repository, event.repository));
    if (!matching.length) {
      const repositories = running.map(({ repository }) => repository).join(', ');
      return { delivered: false, reason: 'foreign', detail: `run of ${event.repository ?? '(no repository)'}, not of job ${jobId}'s ${repositories}` };
    }
    let delivered = false;
    for (const { origin } of matching) {
      try {
        this.options.onWebhookTemporalCall?.('signal');
        await this.withinWebhookDeadline(() => this.handle(jobId, origin).signal(workflowRunEventSignal, event));
        delivered = true;
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        this.jobTargets.delete(jobWorkflowId(jobId, origin));
      }
    }
    return delivered ? { delivered: true } : { delivered: false, reason: 'no-job' };
  }

  /**
   * The running jobs of public ID `jobId` (one, but for an API job that took a Ctrlplane job's ID first) and where
   * each dispatches (its GithubRepository search attribute, absent until its config is rendered). A job's repository
   * never changes once set, so it is remembered (bounded): a job known is not described again, and while one is
   * known, the other origins are not described either; unknown origins are described at once (one round trip).
   */
  private async runningJobTargets(jobId: string): Promise<Array<{ origin: JobOrigin; repository?: string }>> {
    const known = JOB_ORIGINS.flatMap((origin) => {
      const repository = this.jobTargets.get(jobWorkflowId(jobId, origin));
      return repository ? [{ origin, repository }] : [];
    });
    if (known.length) return known;
    const described = await allEnded(
      JOB_ORIGINS.map(async (origin) => {
        let description: WorkflowExecutionDescription;
        try {
          this.options.onWebhookTemporalCall?.('describe');
          description = await this.withinWebhookDeadline(() => this.handle(jobId, origin).describe());
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return [];
          throw error;
        }
        if (description.status.name !== 'RUNNING') return [];
        const repository = description.typedSearchAttributes.get(searchAttributes.repository);
        if (repository) this.learnTarget(jobWorkflowId(jobId, origin), repository);
        return [{ origin, repository }];
      }),
    );
    return described.flat();
  }

  /**
   * One page of this agent's jobs from Temporal visibility, newest first. Visibility is eventually consistent:
   * a job created a moment ago, or its latest status, may take a second to show here (GET the job for truth).
   */
  async list(filters: JobListFilters, page: { limit: number; cursor?: string }): Promise<{ jobs: JobSummary[]; nextCursor?: string }> {
    const { client } = this.options;
    const query = buildJobListQuery(filters, this.options.taskQueue);
    const nextPageToken = page.cursor ? decodeCursor(page.cursor, query) : undefined;
    if (page.cursor && !nextPageToken) {
      throw new HttpError(400, 'validation_error', 'query.cursor: not a cursor of this list (use nextCursor with the same filters)', [
        { field: 'query.cursor', message: 'not a cursor of this list' },
      ]);
    }
    let response: temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse;
    try {
      // A deadline, because the client retries some server errors with backoff and a list should fail fast.
      response = await client.connection.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
        client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, pageSize: page.limit, nextPageToken, query }),
      );
    } catch (error) {
      if (isGrpcServiceError(error) && error.code === INVALID_ARGUMENT) {
        throw new HttpError(400, 'validation_error', `invalid list request: ${error.details}`);
      }
      throw error;
    }
    const token = response.nextPageToken;
    return {
      // Workflow IDs of jobs are `job-<uuid>` or `ctrlplane-job-<uuid>`; anything else of type jobWorkflow is not ours to list.
      jobs: (response.executions ?? []).map(toJobSummary).filter((job) => isJobId(job.id)),
      nextCursor: token && token.length > 0 ? encodeCursor(token, query) : undefined,
    };
  }

  private learnTarget(workflowId: string, repository: string): void {
    this.jobTargets.set(workflowId, repository);
    this.repositories.remember(repository);
  }

  /** Whether a running job may dispatch to `repository`; false costs the delivery no Temporal call of its own. */
  repositoryMayHaveJobs(repository: string): Promise<boolean> {
    return this.repositories.mayHaveJobs(repository);
  }

  /**
   * One visibility query for a batch of repositories. Names are compared as given and in lower case (search
   * attributes are case-sensitive; a job configured as `Acme/API` is found by a delivery for `Acme/API`).
   */
  private async repositoriesWithRunningJobs(names: string[]): Promise<Set<string>> {
    const values = [...new Set(names.flatMap((name) => [name, name.toLowerCase()]))].map(quoteVisibilityValue);
    const query = `WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${searchAttributes.repository.name} IN (${values.join(', ')})`;
    const found = new Set<string>();
    this.options.onWebhookTemporalCall?.('visibility');
    await this.withinWebhookDeadline(async () => {
      const response = await this.options.client.workflowService.listWorkflowExecutions({
        namespace: this.options.client.options.namespace,
        pageSize: 1000,
        query,
      });
      for (const execution of response.executions ?? []) {
        const repository = toJobSummary(execution).repository;
        if (repository) found.add(repository.toLowerCase());
      }
      // A full page may hide a repository behind a busy one's jobs: then every one asked may have jobs.
      if (response.nextPageToken && response.nextPageToken.length > 0) for (const name of names) found.add(name.toLowerCase());
    });
    return found;
  }

  /**
   * The running job whose run is `runId` (GithubRunId search attribute, for runs named without the job ID), with
   * its repository; undefined when none is.
   */
  async findJobByRunId(runId: number): Promise<{ jobId: string; repository?: string } | undefined> {
    const query = `${searchAttributes.runId.name} = ${Math.trunc(runId)} AND WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
    this.options.onWebhookTemporalCall?.('visibility');
    return this.withinWebhookDeadline(async () => {
      for await (const execution of this.options.client.workflow.list({ query, pageSize: 1 })) {
        const jobId = jobIdOfWorkflowId(execution.workflowId);
        const repository = execution.typedSearchAttributes.get(searchAttributes.repository);
        if (repository) this.learnTarget(execution.workflowId, repository);
        return { jobId, repository };
      }
      return undefined;
    });
  }

  /**
   * GitHub waits 10 s for a webhook answer; past that it records a failure anyway. Temporal calls made for a
   * delivery give up after 4 s so that the answer GitHub records is our 503, not its own timeout.
   */
  private withinWebhookDeadline<T>(call: () => Promise<T>): Promise<T> {
    return this.options.client.connection.withDeadline(Date.now() + WEBHOOK_TEMPORAL_DEADLINE_MS, call);
  }
}
