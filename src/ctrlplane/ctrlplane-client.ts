import type { z } from 'zod';
import {
  type CtrlplaneJob,
  type CtrlplaneJobAgent,
  type CtrlplaneJobPage,
  type CtrlplaneJobStatus,
  ctrlplaneJobAgentSchema,
  ctrlplaneJobPageSchema,
  ctrlplaneJobSchema,
} from './ctrlplane-job.ts';

/**
 * A Ctrlplane request that failed. `status` is absent when no HTTP answer came back (refused, reset, timed out):
 * the request may or may not have taken effect.
 */
export class CtrlplaneRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CtrlplaneRequestError';
  }

  /** 401/403: the key is wrong or lacks access; retrying will not help until an operator fixes it. */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export type ClaimOutcome = { outcome: 'claimed'; job: CtrlplaneJob } | { outcome: 'conflict' } | { outcome: 'not-found' };

export interface CtrlplaneClientOptions {
  /** API base ending in `/api` (`ctrlplaneApiBaseUrl`). */
  apiUrl: string;
  apiKey: string;
  /** Per request; a Ctrlplane that hangs must not hold a worker slot for long. Default 10 s. */
  timeoutMs?: number;
}

export interface ListAgentJobsQuery {
  status?: CtrlplaneJobStatus;
  includeDispatchContext?: boolean;
  /** 1..1000 (Ctrlplane's cap). */
  limit?: number;
  offset?: number;
}

/** Ctrlplane's REST API, the routes an `http-pull` job agent uses (docs/architecture.md "Ctrlplane connection"). */
export class CtrlplaneClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: CtrlplaneClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The agent, or undefined when the workspace has no agent with that ID. */
  async getJobAgent(workspaceId: string, agentId: string): Promise<CtrlplaneJobAgent | undefined> {
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}`, undefined, [404]);
    return response.status === 404 ? undefined : parse(ctrlplaneJobAgentSchema, await response.json(), 'job agent');
  }

  /** Creates or replaces (name, type and config) the agent with this ID. */
  async putJobAgent(workspaceId: string, agentId: string, agent: { name: string; type: string; config: Record<string, unknown> }): Promise<void> {
    await this.send('PUT', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}`, agent);
  }

  /** One page of the agent's jobs, newest first. */
  async listAgentJobs(workspaceId: string, agentId: string, query: ListAgentJobsQuery = {}): Promise<CtrlplaneJobPage> {
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.includeDispatchContext !== undefined) params.set('includeDispatchContext', String(query.includeDispatchContext));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    const suffix = params.size ? `?${params.toString()}` : '';
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}/jobs${suffix}`);
    return parse(ctrlplaneJobPageSchema, await response.json(), 'job list');
  }

  /** Every job of the agent with this status, following Ctrlplane's offset paging. */
  async listAllAgentJobs(workspaceId: string, agentId: string, query: Omit<ListAgentJobsQuery, 'limit' | 'offset'>, pageSize = 500): Promise<CtrlplaneJob[]> {
    const jobs: CtrlplaneJob[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.listAgentJobs(workspaceId, agentId, { ...query, limit: pageSize, offset });
      jobs.push(...page.items);
      if (page.items.length < pageSize || offset + page.items.length >= page.total) return jobs;
    }
  }

  /**
   * Claims a queued job: `claimed` (it is now `inProgress` in Ctrlplane), `conflict` (no longer `queued`: claimed
   * before, possibly by an earlier attempt of ours whose answer was lost) or `not-found` (gone, or another agent's).
   */
  async claimJob(workspaceId: string, agentId: string, jobId: string): Promise<ClaimOutcome> {
    const response = await this.send('POST', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}/jobs/${seg(jobId)}/claim`, undefined, [404, 409]);
    if (response.status === 409) return { outcome: 'conflict' };
    if (response.status === 404) return { outcome: 'not-found' };
    return { outcome: 'claimed', job: parse(ctrlplaneJobSchema, await response.json(), 'claimed job') };
  }

  /** The job as Ctrlplane has it now, or undefined when it does not exist. */
  async getJob(workspaceId: string, jobId: string): Promise<CtrlplaneJob | undefined> {
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/jobs/${seg(jobId)}`, undefined, [404]);
    return response.status === 404 ? undefined : parse(ctrlplaneJobSchema, await response.json(), 'job');
  }

  /** Sets the job's status; Ctrlplane applies any transition, so ordering is the caller's job. False when the job is gone. */
  async reportStatus(workspaceId: string, jobId: string, status: CtrlplaneJobStatus): Promise<boolean> {
    const response = await this.send('PUT', `/v1/workspaces/${seg(workspaceId)}/jobs/${seg(jobId)}/status`, { status }, [404]);
    return response.status !== 404;
  }

  private async send(method: string, path: string, body?: unknown, expected: number[] = []): Promise<Response> {
    const what = `${method} ${path.split('?')[0]}`;
    let response: Response;
    try {
      response = await fetch(`${this.options.apiUrl}${path}`, {
        method,
        headers: {
          'x-api-key': this.options.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new CtrlplaneRequestError(`Ctrlplane ${what}: no answer (${cause})`);
    }
    if (response.ok || expected.includes(response.status)) return response;
    const text = (await response.text().catch(() => '')).slice(0, 300);
    const hint = response.status === 401 ? ' (check CTRLPLANE_API_KEY: Ctrlplane takes it in X-API-Key)' : '';
    throw new CtrlplaneRequestError(`Ctrlplane ${what}: HTTP ${response.status}${text ? ` ${text}` : ''}${hint}`, response.status);
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new CtrlplaneRequestError(`Ctrlplane answered an unexpected ${what}: ${problems}`);
  }
  return parsed.data;
}
