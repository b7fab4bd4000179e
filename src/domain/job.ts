import type { DispatchContext } from './dispatch-context.ts';
import type { JobAgentConfig } from './job-agent-config.ts';
import type { JobStatus } from './job-status.ts';

/** The GitHub run behind a job, as last seen (webhook or API). */
export interface JobRun {
  id: number;
  status?: string;
  conclusion?: string | null;
  attempt?: number;
  updatedAt?: string;
  htmlUrl?: string;
}

/** A job as the API returns it and the workflow's `job` query answers (docs/architecture.md "Invariants"). */
export interface Job extends DispatchContext {
  id: string;
  status: JobStatus;
  message?: string;
  externalId?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  completedAt?: string;
  links: { run?: string; workflow?: string };
  /** As given by the caller, templates unrendered. */
  jobAgentConfig: Record<string, unknown>;
  /** After rendering and validation; absent until then or when invalid. */
  renderedJobAgentConfig?: JobAgentConfig;
  run?: JobRun;
  /** Jobs pulled from Ctrlplane: where from, and the last status Ctrlplane accepted from us. */
  ctrlplane?: CtrlplaneOrigin & { reportedStatus?: string };
}

/**
 * Where a job pulled from Ctrlplane came from. The workflow claims the job there and reports every status back;
 * the URL and API key are the worker's (env), never part of the job.
 */
export interface CtrlplaneOrigin {
  workspaceId: string;
  agentId: string;
  /** Set when Ctrlplane listed the job in a shape we cannot read: the job is claimed and ends invalidJobAgent. */
  problem?: string;
}

/** What starts a job workflow. Everything here is visible in Temporal history: nothing secret. */
export interface JobWorkflowInput extends DispatchContext {
  id: string;
  jobAgentConfig: Record<string, unknown>;
  createdAt: string;
  /** Set for jobs pulled from Ctrlplane (`http-pull`); absent for jobs created through our API. */
  ctrlplane?: CtrlplaneOrigin;
}

/**
 * A Ctrlplane job started without its contents, only to be claimed and ended invalidJobAgent with `problem`: one
 * Ctrlplane listed in a shape we cannot read, or one over the input limits. Nothing it carried enters its history.
 */
export function ctrlplaneProblemInput(id: string, createdAt: string, origin: CtrlplaneOrigin & { problem: string }): JobWorkflowInput {
  return {
    id,
    createdAt,
    jobAgentConfig: {},
    deployment: {} as JobWorkflowInput['deployment'],
    environment: {} as JobWorkflowInput['environment'],
    resource: {} as JobWorkflowInput['resource'],
    version: {} as JobWorkflowInput['version'],
    variables: {},
    ctrlplane: { workspaceId: origin.workspaceId, agentId: origin.agentId, problem: origin.problem },
  };
}

/** The job as it stands the moment it is created, before the workflow has done anything. */
export function createPendingJob(input: JobWorkflowInput): Job {
  const { createdAt, ...rest } = input;
  return { ...rest, status: 'pending', createdAt, updatedAt: createdAt, links: {} };
}

/**
 * The job as carried into the next run: without what its input already carries (the dispatch context and the
 * unrendered config never change once the job is created), so a large job is carried once, not twice. `ctrlplane`
 * stays, since the reporter adds what Ctrlplane was last told to it.
 */
export type CarriedJob = Partial<Job> & Pick<Job, 'status' | 'updatedAt' | 'links'>;

export function carriedJob(job: Job, input: JobWorkflowInput): CarriedJob {
  const carried: Record<string, unknown> = { ...job };
  for (const key of Object.keys(input)) if (key !== 'ctrlplane') delete carried[key];
  return carried as CarriedJob;
}

/** The job a continued run goes on with: its input, and what the previous run carried. */
export function resumedJob(input: JobWorkflowInput, carried: CarriedJob): Job {
  return { ...createPendingJob(input), ...carried };
}
