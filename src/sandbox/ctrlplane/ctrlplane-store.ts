import { randomUUID } from 'node:crypto';
import {
  CTRLPLANE_JOB_STATUSES,
  type CtrlplaneJob,
  type CtrlplaneJobAgent,
  type CtrlplaneJobStatus,
  isFinalCtrlplaneStatus,
} from '../../ctrlplane/ctrlplane-job.ts';
import { isJsonObject, mergeJobAgentConfig } from './merge-job-agent-config.ts';

export function isCtrlplaneJobStatus(value: unknown): value is CtrlplaneJobStatus {
  return typeof value === 'string' && (CTRLPLANE_JOB_STATUSES as readonly string[]).includes(value);
}

export interface SandboxWorkspace {
  id: string;
  name?: string;
  slug?: string;
  /** Default: when the sandbox started. */
  createdAt?: string;
}

export interface SandboxJobInput {
  /** Default `randomUUID()`. */
  id?: string;
  workspaceId: string;
  /** Must be a registered agent of that workspace. */
  jobAgentId: string;
  /** Default `queued`. */
  status?: CtrlplaneJobStatus;
  /**
   * Default `dispatchContext.release.id` when that is a string, else a random UUID. `''`: a job of no release (as
   * Ctrlplane's workflows make), listed and claimable but not readable or reportable.
   */
  releaseId?: string;
  /** Merged like Ctrlplane does: agent.config → deploymentJobAgentConfig → versionJobAgentConfig, later wins, nested maps merge deeply. */
  deploymentJobAgentConfig?: Record<string, unknown>;
  versionJobAgentConfig?: Record<string, unknown>;
  /**
   * deployment, environment, resource, version, variables, release, inputs — as given (variables
   * values: literals; objects are given already wrapped as {"object": {...}}). `jobAgent` and
   * `jobAgentConfig` are Ctrlplane's to fill in and may not be given.
   */
  dispatchContext?: Record<string, unknown>;
  /** Default now (ISO). */
  createdAt?: string;
}

/** A status PUT the API accepted, with the body as sent. */
export interface StatusReport {
  jobId: string;
  status: CtrlplaneJobStatus;
  body: unknown;
  at: number;
}

/** A claim that reached the API (after authentication), with the status it was answered with. */
export interface ClaimAttempt {
  jobId: string;
  agentId: string;
  status: number;
  at: number;
}

interface StoredJob {
  workspaceId: string;
  /** Complete, with `dispatchContext`; handed out only as copies. */
  job: CtrlplaneJob;
}

export type ClaimOutcome = { kind: 'claimed'; job: CtrlplaneJob } | { kind: 'not-found' } | { kind: 'conflict'; status: CtrlplaneJobStatus };

/**
 * Ctrlplane's state as the http-pull API exposes it: workspaces, their job agents and jobs. Every
 * change is synchronous, so a claim's check-and-set cannot interleave with another request's and
 * racing claims resolve as they do against Ctrlplane's database: exactly one wins.
 */
export class CtrlplaneStore {
  private readonly workspaces = new Map<string, SandboxWorkspace>();
  /** By workspace id, then agent id. */
  private readonly agentsByWorkspace = new Map<string, Map<string, CtrlplaneJobAgent>>();
  private readonly jobs = new Map<string, StoredJob>();
  readonly statusReports: StatusReport[] = [];
  readonly claimAttempts: ClaimAttempt[] = [];

  constructor(workspaces: SandboxWorkspace[]) {
    for (const workspace of workspaces) {
      if (!workspace.id) throw new Error('a sandbox workspace needs an id');
      if (this.workspaces.has(workspace.id)) throw new Error(`workspace ${workspace.id} given twice`);
      this.workspaces.set(workspace.id, { createdAt: new Date().toISOString(), ...workspace });
      this.agentsByWorkspace.set(workspace.id, new Map());
    }
  }

  workspace(workspaceId: string): SandboxWorkspace | undefined {
    const workspace = this.workspaces.get(workspaceId);
    return workspace && { ...workspace };
  }

  hasWorkspace(workspaceId: string): boolean {
    return this.workspaces.has(workspaceId);
  }

  /**
   * Creates or replaces (name, type and config) the agent with this id. Names are unique per
   * workspace: taking another agent's name throws `AgentNameTakenError`.
   */
  upsertAgent(agent: { workspaceId: string; id: string; name: string; type: string; config?: Record<string, unknown> }): CtrlplaneJobAgent {
    const agents = this.agentsByWorkspace.get(agent.workspaceId);
    if (!agents) throw new Error(`no workspace ${agent.workspaceId} in the Ctrlplane sandbox`);
    for (const other of agents.values()) {
      if (other.id !== agent.id && other.name === agent.name) throw new AgentNameTakenError(agent.workspaceId, agent.name);
    }
    const stored: CtrlplaneJobAgent = {
      id: agent.id,
      workspaceId: agent.workspaceId,
      name: agent.name,
      type: agent.type,
      config: structuredClone(agent.config ?? {}),
    };
    agents.set(agent.id, stored);
    return structuredClone(stored);
  }

  agent(workspaceId: string, agentId: string): CtrlplaneJobAgent | undefined {
    const agent = this.agentsByWorkspace.get(workspaceId)?.get(agentId);
    return agent && structuredClone(agent);
  }

  agents(workspaceId: string): CtrlplaneJobAgent[] {
    return [...(this.agentsByWorkspace.get(workspaceId)?.values() ?? [])].map((a) => structuredClone(a));
  }

  /** A job as Ctrlplane creates it for an http-pull agent: config merged and context snapshotted now. */
  createJob(input: SandboxJobInput): CtrlplaneJob {
    if (!this.workspaces.has(input.workspaceId)) throw new Error(`no workspace ${input.workspaceId} in the Ctrlplane sandbox`);
    const agent = this.agentsByWorkspace.get(input.workspaceId)?.get(input.jobAgentId);
    if (!agent) throw new Error(`no job agent ${input.jobAgentId} in workspace ${input.workspaceId}`);
    const id = input.id ?? randomUUID();
    if (this.jobs.has(id)) throw new Error(`job ${id} already exists`);
    const status = input.status ?? 'queued';
    if (!isCtrlplaneJobStatus(status)) throw new Error(`not a Ctrlplane job status: ${String(status)}`);
    const createdAt = input.createdAt ?? new Date().toISOString();
    if (Number.isNaN(Date.parse(createdAt))) throw new Error(`createdAt is not a date: ${createdAt}`);
    const given = structuredClone(input.dispatchContext ?? {});
    for (const derived of ['jobAgent', 'jobAgentConfig']) {
      if (derived in given) throw new Error(`dispatchContext.${derived} is filled in by Ctrlplane; leave it out`);
    }
    const jobAgentConfig = mergeJobAgentConfig(agent.config, input.deploymentJobAgentConfig, input.versionJobAgentConfig);
    const release = given.release;
    const releaseId = input.releaseId ?? (isJsonObject(release) && typeof release.id === 'string' ? release.id : randomUUID());
    const job: CtrlplaneJob = {
      id,
      releaseId,
      jobAgentId: agent.id,
      jobAgentConfig,
      status,
      createdAt,
      updatedAt: createdAt,
      metadata: {},
      ...(isFinalCtrlplaneStatus(status) ? { completedAt: createdAt } : {}),
      dispatchContext: {
        jobAgent: { id: agent.id, name: agent.name, type: agent.type, config: structuredClone(agent.config ?? {}) },
        jobAgentConfig: structuredClone(jobAgentConfig),
        ...given,
      },
    };
    this.jobs.set(id, { workspaceId: input.workspaceId, job });
    return structuredClone(job);
  }

  /** The job with `dispatchContext`, wherever it lives. */
  job(jobId: string): CtrlplaneJob | undefined {
    const stored = this.jobs.get(jobId);
    return stored && structuredClone(stored.job);
  }

  /** The job as `GET /v1/workspaces/{ws}/jobs/{jobId}` sees it: only within its workspace. */
  jobInWorkspace(workspaceId: string, jobId: string): CtrlplaneJob | undefined {
    const stored = this.jobs.get(jobId);
    return stored?.workspaceId === workspaceId ? structuredClone(stored.job) : undefined;
  }

  /** One page of an agent's jobs, newest first (createdAt, then id, both descending). */
  listJobs(
    workspaceId: string,
    agentId: string,
    query: { status?: CtrlplaneJobStatus; limit: number; offset: number; includeDispatchContext: boolean },
  ): { items: CtrlplaneJob[]; total: number } {
    const matching = [...this.jobs.values()]
      .filter((s) => s.workspaceId === workspaceId && s.job.jobAgentId === agentId)
      .map((s) => s.job)
      .filter((job) => query.status === undefined || job.status === query.status)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const items = matching.slice(query.offset, query.offset + query.limit).map((job) => {
      const copy = structuredClone(job);
      if (!query.includeDispatchContext) delete copy.dispatchContext;
      return copy;
    });
    return { items, total: matching.length };
  }

  /**
   * Moves a `queued` job of this agent to `inProgress`. Who claimed is not kept: Ctrlplane does not
   * record it either, so an agent must not rely on the job telling it.
   */
  claim(workspaceId: string, agentId: string, jobId: string): ClaimOutcome {
    const stored = this.jobs.get(jobId);
    if (!stored || stored.workspaceId !== workspaceId || stored.job.jobAgentId !== agentId) return { kind: 'not-found' };
    if (stored.job.status !== 'queued') return { kind: 'conflict', status: stored.job.status };
    const now = new Date().toISOString();
    stored.job.status = 'inProgress';
    stored.job.startedAt = now;
    stored.job.updatedAt = now;
    return { kind: 'claimed', job: structuredClone(stored.job) };
  }

  /** Applies any status, as Ctrlplane does: backwards and after a final one alike. */
  setStatus(jobId: string, status: CtrlplaneJobStatus): CtrlplaneJob {
    const stored = this.jobs.get(jobId);
    if (!stored) throw new Error(`no job ${jobId} in the Ctrlplane sandbox`);
    if (!isCtrlplaneJobStatus(status)) throw new Error(`not a Ctrlplane job status: ${String(status)}`);
    const now = new Date().toISOString();
    stored.job.status = status;
    stored.job.updatedAt = now;
    if (isFinalCtrlplaneStatus(status)) stored.job.completedAt = now;
    return structuredClone(stored.job);
  }
}

/** Ctrlplane's unique (workspace, name) constraint on job agents. */
export class AgentNameTakenError extends Error {
  constructor(workspaceId: string, name: string) {
    super(`a job agent named ${name} already exists in workspace ${workspaceId}`);
    this.name = 'AgentNameTakenError';
  }
}
