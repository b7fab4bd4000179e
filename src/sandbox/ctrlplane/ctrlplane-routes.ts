import { CtrlplaneError } from './ctrlplane-error.ts';
import { AgentNameTakenError, type CtrlplaneStore } from './ctrlplane-store.ts';
import { parseListJobsQuery } from './list-jobs-query.ts';
import { parseJobAgentBody, parseStatusBody } from './request-bodies.ts';

export interface CtrlplaneRouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON; `undefined` when the request had no body. */
  body: unknown;
}

export interface CtrlplaneRouteResponse {
  status: number;
  body: unknown;
}

export interface CtrlplaneRoute {
  method: string;
  /** Under `/api`, with `{name}` for a path segment. */
  path: string;
  /** The body must be JSON (an unparsable one is a 400 before the route runs). */
  jsonBody?: boolean;
  handle(store: CtrlplaneStore, req: CtrlplaneRouteRequest): CtrlplaneRouteResponse;
}

const AGENT = '/v1/workspaces/{workspaceId}/job-agents/{agentId}';
const JOB = '/v1/workspaces/{workspaceId}/jobs/{jobId}';

/** The http-pull part of Ctrlplane's REST API (docs/DESIGN.md §8), nothing more. */
export const CTRLPLANE_ROUTES: CtrlplaneRoute[] = [
  {
    method: 'GET',
    path: AGENT,
    handle: (store, { params }) => {
      const workspaceId = workspace(store, params);
      const agent = store.agent(workspaceId, params.agentId as string);
      if (!agent) throw new CtrlplaneError(404, 'Job agent not found');
      return { status: 200, body: agent };
    },
  },
  {
    method: 'PUT',
    path: AGENT,
    jsonBody: true,
    handle: (store, { params, body }) => {
      const fields = parseJobAgentBody(body);
      const workspaceId = workspace(store, params);
      try {
        return { status: 202, body: store.upsertAgent({ workspaceId, id: params.agentId as string, ...fields }) };
      } catch (error) {
        // Real Ctrlplane lets the unique (workspace, name) constraint surface as an unhandled error.
        if (error instanceof AgentNameTakenError) throw new CtrlplaneError(500, 'Internal Server Error');
        throw error;
      }
    },
  },
  {
    method: 'GET',
    path: `${AGENT}/jobs`,
    handle: (store, { params, query }) => {
      const parsed = parseListJobsQuery(query);
      const workspaceId = workspace(store, params);
      const agentId = params.agentId as string;
      if (!store.agent(workspaceId, agentId)) throw new CtrlplaneError(404, 'Job agent not found');
      const page = store.listJobs(workspaceId, agentId, parsed);
      return { status: 200, body: { items: page.items, total: page.total, limit: parsed.limit, offset: parsed.offset } };
    },
  },
  {
    method: 'POST',
    path: `${AGENT}/jobs/{jobId}/claim`,
    handle: (store, { params }) => {
      const workspaceId = workspace(store, params);
      const agentId = params.agentId as string;
      const jobId = params.jobId as string;
      const outcome = store.agent(workspaceId, agentId) ? store.claim(workspaceId, agentId, jobId) : { kind: 'not-found' as const };
      const answer = (() => {
        switch (outcome.kind) {
          case 'claimed':
            return { status: 200, body: outcome.job };
          case 'conflict':
            return { status: 409, body: { error: `Job is not queued (status: ${outcome.status})` } };
          default:
            return { status: 404, body: { error: 'Job not found' } };
        }
      })();
      store.claimAttempts.push({ jobId, agentId, status: answer.status, at: Date.now() });
      return answer;
    },
  },
  {
    method: 'GET',
    path: JOB,
    handle: (store, { params }) => {
      const job = store.jobInWorkspace(workspace(store, params), params.jobId as string);
      if (!job) throw new CtrlplaneError(404, 'Job not found');
      return { status: 200, body: job };
    },
  },
  {
    method: 'PUT',
    path: `${JOB}/status`,
    jsonBody: true,
    handle: (store, { params, body }) => {
      const status = parseStatusBody(body);
      const workspaceId = workspace(store, params);
      const jobId = params.jobId as string;
      if (store.workspaceOf(jobId) !== workspaceId) throw new CtrlplaneError(404, 'Job not found');
      const job = store.setStatus(jobId, status);
      store.statusReports.push({ jobId, status, body, at: Date.now() });
      return { status: 202, body: job };
    },
  },
];

/** The path's workspace, which must exist (the key's user sees no other). */
function workspace(store: CtrlplaneStore, params: Record<string, string>): string {
  const workspaceId = params.workspaceId as string;
  if (!store.hasWorkspace(workspaceId)) throw new CtrlplaneError(404, 'Workspace not found');
  return workspaceId;
}
