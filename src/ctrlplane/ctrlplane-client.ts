import type { z } from 'zod';
import {
  type CtrlplaneJob,
  type CtrlplaneJobAgent,
  type CtrlplaneJobPage,
  type CtrlplaneJobStatus,
  type CtrlplaneWorkspace,
  ctrlplaneJobAgentPageSchema,
  ctrlplaneJobAgentSchema,
  ctrlplaneJobPageSchema,
  ctrlplaneJobSchema,
  ctrlplaneWorkspaceSchema,
  type MalformedCtrlplaneJob,
} from './ctrlplane-job.ts';
import { oversizedJobAgentConfig } from '../domain/job-input-limits.ts';

/**
 * The largest answer read from Ctrlplane: a page of 100 jobs with their contexts is well under 1 MiB; a bigger one
 * is refused while it arrives (its connection closed), never held whole.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Pages read per listing; a Ctrlplane (or proxy) that ignores `offset` must not keep a poll going forever. */
const MAX_PAGES = 20;
/** An error answer is read this far, for the message. */
const MAX_ERROR_BYTES = 64 * 1024;

/**
 * A Ctrlplane request that failed. `status` is absent when no HTTP answer came back (refused, reset, timed out):
 * the request may or may not have taken effect.
 */
export class CtrlplaneRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The answer is Ctrlplane's own JSON error, not a proxy's page. */
    readonly fromCtrlplane = false,
    /** The answer was bigger than MAX_RESPONSE_BYTES and left unread. */
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'CtrlplaneRequestError';
  }

  /** 401/403: the key is wrong or lacks access; retrying will not help until an operator fixes it. */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** Ctrlplane itself (its JSON error, not a proxy's page) said the thing does not exist. */
  get notFound(): boolean {
    return this.status === 404 && this.fromCtrlplane;
  }
}

export type ClaimOutcome = { outcome: 'claimed'; job: CtrlplaneJob } | { outcome: 'conflict' } | { outcome: 'not-found' };

export interface CtrlplaneClientOptions {
  /** API base ending in `/api` (`ctrlplaneApiBaseUrl`). */
  apiUrl: string;
  apiKey: string;
  /** Per request; a Ctrlplane that hangs must not hold a worker slot for long. Default 10 s. */
  timeoutMs?: number;
  /** Aborts every request in flight and refuses new ones (the poller's, on shutdown). */
  signal?: AbortSignal;
}

/**
 * What one listing may read: it stops at whichever comes first (docs/architecture.md "Ctrlplane connection").
 * Jobs `keep` turns down (already started here, say) are dropped as they are read and do not count.
 */
export interface ListingBudget {
  pageSize: number;
  /** Jobs kept, malformed ones included. */
  maxJobs: number;
  /** Response bytes over the listing's pages. */
  maxBytes: number;
  keep?: (job: CtrlplaneJob) => boolean;
}

/**
 * A listing's jobs; `seen` has the ID of every job read, kept or not; `truncated` says which budget ended it early,
 * if one did.
 */
export type AgentJobListing = CtrlplaneJob[] & { malformed: MalformedCtrlplaneJob[]; seen: ReadonlySet<string>; truncated?: string };

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

  /**
   * The workspace, or undefined when Ctrlplane has none with this ID that the key's user is a member of (it answers
   * both with one 404). The job-agent and job routes do not tell: an unknown workspace reads as "no such agent".
   */
  async getWorkspace(workspaceId: string): Promise<CtrlplaneWorkspace | undefined> {
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}`, undefined, [404]);
    return response.status === 404 ? undefined : parse(ctrlplaneWorkspaceSchema, await readJson(response), 'workspace');
  }

  /** The workspace's job agents (the first 1,000). */
  async listJobAgents(workspaceId: string): Promise<CtrlplaneJobAgent[]> {
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/job-agents?limit=1000`);
    return parse(ctrlplaneJobAgentPageSchema, await readJson(response), 'job agent list').items;
  }

  /** The agent, or undefined when the workspace has no agent with that ID. */
  async getJobAgent(workspaceId: string, agentId: string): Promise<CtrlplaneJobAgent | undefined> {
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}`, undefined, [404]);
    return response.status === 404 ? undefined : parse(ctrlplaneJobAgentSchema, await readJson(response), 'job agent');
  }

  /** Creates or replaces (name, type and config) the agent with this ID. */
  async putJobAgent(workspaceId: string, agentId: string, agent: { name: string; type: string; config: Record<string, unknown> }): Promise<void> {
    await this.send('PUT', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}`, agent);
  }

  /**
   * One page of the agent's jobs, newest first, with the bytes it took. A job whose jobAgentConfig is over the 64 KiB
   * the jobs API allows comes back among the malformed ones, with the reason.
   */
  async listAgentJobs(workspaceId: string, agentId: string, query: ListAgentJobsQuery = {}): Promise<CtrlplaneJobPage & { bytes: number }> {
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.includeDispatchContext !== undefined) params.set('includeDispatchContext', String(query.includeDispatchContext));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    const suffix = params.size ? `?${params.toString()}` : '';
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}/jobs${suffix}`);
    const { value, bytes } = await readSizedJson(response);
    const page = parse(ctrlplaneJobPageSchema, value, 'job list');
    const items: CtrlplaneJob[] = [];
    const malformed: MalformedCtrlplaneJob[] = [];
    for (const item of page.items) {
      const parsed = ctrlplaneJobSchema.safeParse(item);
      const oversized = parsed.success ? oversizedJobAgentConfig('its jobAgentConfig', parsed.data.jobAgentConfig) : undefined;
      if (parsed.success && oversized) malformed.push({ id: parsed.data.id, problem: `Ctrlplane sent job ${parsed.data.id}, but ${oversized}` });
      else if (parsed.success) items.push(parsed.data);
      else {
        const id = (item as { id?: unknown } | null)?.id;
        const problem = parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || '(job)'}: ${issue.message}`)
          .join('; ');
        malformed.push({
          id: typeof id === 'string' ? id : undefined,
          problem: `Ctrlplane sent job ${typeof id === 'string' ? id : '(no ID)'} in a shape this agent cannot read: ${problem}`,
        });
      }
    }
    return { items, malformed, total: page.total, bytes };
  }

  /**
   * The agent's jobs with this status, following Ctrlplane's offset paging within `budget`: at most MAX_PAGES requests,
   * and it stops at a page that brings no job not seen before. A page over MAX_RESPONSE_BYTES is asked again half as
   * large; a single job over it is read again without its dispatch context, so that it comes back malformed (and ends
   * saying why) instead of hiding the jobs behind it at every poll. Past that the listing ends with the jobs read so
   * far (`truncated` says so). Malformed jobs come apart from the rest.
   */
  async listAllAgentJobs(
    workspaceId: string,
    agentId: string,
    query: Omit<ListAgentJobsQuery, 'limit' | 'offset'>,
    budget: ListingBudget,
  ): Promise<AgentJobListing> {
    const { pageSize, maxJobs, maxBytes, keep = () => true } = budget;
    const jobs = new Map<string, CtrlplaneJob>();
    const malformed: MalformedCtrlplaneJob[] = [];
    const seen = new Set<string>();
    let truncated: string | undefined;
    let bytes = 0;
    let size = pageSize;
    for (let request = 0, offset = 0; request < MAX_PAGES; request++) {
      let answer: CtrlplaneJobPage & { bytes: number };
      let asked = size;
      try {
        answer = await this.listAgentJobs(workspaceId, agentId, { ...query, limit: size, offset });
      } catch (error) {
        if (!(error instanceof CtrlplaneRequestError && error.tooLarge)) throw error;
        if (size > 1) {
          size = Math.ceil(size / 2);
          continue;
        }
        if (!query.includeDispatchContext) {
          truncated = error.message;
          break;
        }
        // One job whose answer alone is too large: its ID, read without its context, is enough to end it.
        try {
          const bare = await this.listAgentJobs(workspaceId, agentId, { ...query, includeDispatchContext: false, limit: 1, offset });
          const problem = `it is listed with over ${MAX_RESPONSE_BYTES} bytes of dispatch context`;
          answer = { ...bare, items: [], malformed: [...bare.items, ...bare.malformed].map(({ id }) => ({ id, problem })) };
          asked = 1;
        } catch (bareError) {
          if (!(bareError instanceof CtrlplaneRequestError && bareError.tooLarge)) throw bareError;
          truncated = bareError.message;
          break;
        }
        size = pageSize;
      }
      const { items, malformed: bad, total } = answer;
      bytes += answer.bytes;
      const before = seen.size;
      for (const job of items) {
        seen.add(job.id);
        if (jobs.size + malformed.length < maxJobs && keep(job)) jobs.set(job.id, job);
      }
      for (const item of bad) {
        if (item.id !== undefined && seen.has(item.id)) continue;
        if (item.id !== undefined) seen.add(item.id);
        if (jobs.size + malformed.length < maxJobs) malformed.push(item);
      }
      const count = items.length + bad.length;
      offset += count;
      if (seen.size === before || count < asked || offset >= total) break;
      if (jobs.size + malformed.length >= maxJobs) {
        truncated = `${maxJobs} jobs read, the most one poll takes`;
        break;
      }
      if (bytes >= maxBytes) {
        truncated = `${bytes} bytes read, past the ${maxBytes} one listing reads`;
        break;
      }
    }
    return Object.assign([...jobs.values()], { malformed, seen, ...(truncated ? { truncated } : {}) });
  }

  /**
   * Claims a queued job: `claimed` (it is now `inProgress` in Ctrlplane), `conflict` (no longer `queued`: claimed
   * before, possibly by an earlier attempt of ours whose answer was lost) or `not-found` (gone, or another agent's).
   */
  async claimJob(workspaceId: string, agentId: string, jobId: string): Promise<ClaimOutcome> {
    const response = await this.send('POST', `/v1/workspaces/${seg(workspaceId)}/job-agents/${seg(agentId)}/jobs/${seg(jobId)}/claim`, undefined, [404, 409]);
    if (response.status === 409) return { outcome: 'conflict' };
    if (response.status === 404) return { outcome: 'not-found' };
    return { outcome: 'claimed', job: parse(ctrlplaneJobSchema, await readJson(response), 'claimed job') };
  }

  /** The job as Ctrlplane has it now, or undefined when it does not exist. */
  async getJob(workspaceId: string, jobId: string): Promise<CtrlplaneJob | undefined> {
    const response = await this.send('GET', `/v1/workspaces/${seg(workspaceId)}/jobs/${seg(jobId)}`, undefined, [404]);
    return response.status === 404 ? undefined : parse(ctrlplaneJobSchema, await readJson(response), 'job');
  }

  /** Sets the job's status; Ctrlplane applies any transition, so ordering is the caller's job. False when the job is gone. */
  async reportStatus(workspaceId: string, jobId: string, status: CtrlplaneJobStatus): Promise<boolean> {
    const response = await this.send('PUT', `/v1/workspaces/${seg(workspaceId)}/jobs/${seg(jobId)}/status`, { status }, [404]);
    return response.status !== 404;
  }

  /** The request's timeout, joined with the client's own signal (shutdown). */
  private signal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
  }

  private async send(method: string, path: string, body?: unknown, expected: number[] = []): Promise<Response> {
    const what = `${method} ${path.split('?')[0]}`;
    if (this.options.signal?.aborted) throw new CtrlplaneRequestError(`Ctrlplane ${what}: not sent (shutting down)`);
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
        signal: this.signal(),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new CtrlplaneRequestError(`Ctrlplane ${what}: no answer (${cause})`);
    }
    if (response.ok) return response;
    // A 404 means "no such thing" only when Ctrlplane itself says so (its JSON error): a proxy or ingress in front of
    // a restarting Ctrlplane answers 404 too, and that must be retried, not taken as "gone".
    const text = (await readText(response, MAX_ERROR_BYTES).catch(() => '')).slice(0, 300);
    if (expected.includes(response.status) && (response.status !== 404 || isCtrlplaneError(response, text))) {
      return new Response(text, { status: response.status, headers: response.headers });
    }
    const hint = response.status === 401 || response.status === 403 ? ' (check CTRLPLANE_API_KEY: Ctrlplane takes it in X-API-Key)' : '';
    throw new CtrlplaneRequestError(
      `Ctrlplane ${what}: HTTP ${response.status}${text ? ` ${text}` : ''}${hint}`,
      response.status,
      isCtrlplaneError(response, text),
    );
  }
}

/**
 * What Ctrlplane's own handlers answer when the thing asked for does not exist. A gateway or proxy in front of it may
 * answer 404 with a JSON `{message}` too ("Not Found", "no Route matched"), and so does Ctrlplane for a route it does
 * not have: only these sentences mean "no such workspace, agent or job".
 */
const CTRLPLANE_NOT_FOUND = new Set(['Workspace not found', 'Job agent not found', 'Job not found']);

/**
 * Ctrlplane's own answer, not a proxy's: JSON `{message, code?, details?}` as the server sends it, and for a 404 one
 * of its own not-found sentences; `{error}`, which its OpenAPI document also declares, is taken too
 * (docs/architecture.md "Ctrlplane connection").
 */
function isCtrlplaneError(response: Response, text: string): boolean {
  if (!response.headers.get('content-type')?.includes('application/json')) return false;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown } | null;
    if (typeof body?.error === 'string') return true;
    if (typeof body?.message !== 'string') return false;
    return response.status !== 404 || CTRLPLANE_NOT_FOUND.has(body.message);
  } catch {
    return false;
  }
}

/** The body as text, refusing more than `maxBytes` (a hostile or broken answer must not fill the worker's memory). */
async function readText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new CtrlplaneRequestError(`Ctrlplane answered ${declared} bytes, more than the ${maxBytes} this agent reads`, undefined, false, true);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Leaving the loop early (the throw) cancels the body: the connection is closed, the rest never read.
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new CtrlplaneRequestError(`Ctrlplane answered more than the ${maxBytes} bytes this agent reads`, undefined, false, true);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof CtrlplaneRequestError) throw error;
    // Timed out, shut down or cut off while the body arrived.
    throw new CtrlplaneRequestError(`Ctrlplane's answer broke off after ${size} bytes (${(error as Error).name})`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as JSON, with the bytes it took; at most MAX_RESPONSE_BYTES. */
async function readSizedJson(response: Response): Promise<{ value: unknown; bytes: number }> {
  const text = await readText(response, MAX_RESPONSE_BYTES);
  try {
    return { value: JSON.parse(text), bytes: Buffer.byteLength(text) };
  } catch {
    throw new CtrlplaneRequestError(`Ctrlplane answered ${response.status} with a body that is not JSON`);
  }
}

async function readJson(response: Response): Promise<unknown> {
  return (await readSizedJson(response)).value;
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new CtrlplaneRequestError(`Ctrlplane answered an unexpected ${what}: ${problems}`);
  }
  return parsed.data;
}
