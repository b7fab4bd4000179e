import { belongsToNoRelease, type CtrlplaneJob } from '../../ctrlplane/ctrlplane-job.ts';
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
  handle(store: CtrlplaneStore, req: CtrlplaneRouteRequest): CtrlplaneRouteResponse;
}

const AGENT = '/v1/workspaces/{workspaceId}/job-agents/{agentId}';
const JOB = '/v1/workspaces/{workspaceId}/jobs/{jobId}';

/**
 * The part of Ctrlplane's REST API an http-pull agent uses, answering as the real server does (checked by
 * test/ctrlplane-api/sandbox-matches-real.test.ts): the agent and job routes look nothing up by workspace first, so
 * an unknown workspace reads as an unknown agent or job there; only the workspace route says "Workspace not found".
 */
export const CTRLPLANE_ROUTES: CtrlplaneRoute[] = [
  {
    method: 'GET',
    path: '/v1/workspaces/{workspaceId}',
    handle: (store, { params }) => {
      const workspace = store.workspace(params.workspaceId as string);
      if (!workspace) throw new CtrlplaneError(404, 'Workspace not found', 'NOT_FOUND');
      return { status: 200, body: workspace };
    },
  },
  {
    method: 'GET',
    path: '/v1/workspaces/{workspaceId}/job-agents',
    handle: (store, { params }) => {
      const items = store.agents(params.workspaceId as string).map((agent) => ({ ...agent, metadata: {} }));
      return { status: 200, body: { items, total: items.length, limit: 50, offset: 0 } };
    },
  },
  {
    method: 'GET',
    path: AGENT,
    handle: (store, { params }) => {
      const agent = store.agent(params.workspaceId as string, params.agentId as string);
      if (!agent) throw new CtrlplaneError(404, 'Job agent not found');
      return { status: 200, body: { ...agent, metadata: {} } };
    },
  },
  {
    method: 'PUT',
    path: AGENT,
    handle: (store, { params, body }) => {
      const fields = parseJobAgentBody(body);
      const workspaceId = params.workspaceId as string;
      // Real Ctrlplane lets its database constraints surface as unhandled errors.
      if (!store.hasWorkspace(workspaceId)) throw CtrlplaneError.internal('insert or update on table "job_agent" violates foreign key constraint');
      try {
        store.upsertAgent({ workspaceId, id: params.agentId as string, ...fields });
      } catch (error) {
        if (error instanceof AgentNameTakenError)
          throw CtrlplaneError.internal('duplicate key value violates unique constraint "job_agent_workspace_id_name_index"');
        throw error;
      }
      return { status: 202, body: { id: params.agentId, message: 'Job agent update requested' } };
    },
  },
  {
    method: 'GET',
    path: `${AGENT}/jobs`,
    handle: (store, { params, query }) => {
      const parsed = parseListJobsQuery(query);
      const workspaceId = params.workspaceId as string;
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
      const workspaceId = params.workspaceId as string;
      const agentId = params.agentId as string;
      const jobId = params.jobId as string;
      if (!store.agent(workspaceId, agentId)) throw new CtrlplaneError(404, 'Job agent not found');
      const outcome = store.claim(workspaceId, agentId, jobId);
      const answer = (() => {
        switch (outcome.kind) {
          case 'claimed':
            return { status: 200, body: outcome.job };
          case 'conflict':
            return { status: 409, body: new CtrlplaneError(409, 'Job is not available to claim').body() };
          default:
            return { status: 404, body: new CtrlplaneError(404, 'Job not found').body() };
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
      const job = readableJob(store, params);
      return { status: 200, body: job };
    },
  },
  {
    method: 'PUT',
    path: `${JOB}/status`,
    handle: (store, { params, body }) => {
      const status = parseStatusBody(body);
      const { id } = readableJob(store, params);
      store.setStatus(id, status);
      store.statusReports.push({ jobId: id, status, body, at: Date.now() });
      return { status: 202, body: { id, message: 'Job status update requested' } };
    },
  },
];

/**
 * The job as the read and status routes find it: through its release, within the workspace. A job of no release
 * (`releaseId: ""`) is listed and claimable but not found here, as in Ctrlplane.
 */
function readableJob(store: CtrlplaneStore, params: Record<string, string>): CtrlplaneJob {
  const job = store.jobInWorkspace(params.workspaceId as string, params.jobId as string);
  if (!job || belongsToNoRelease(job)) throw new CtrlplaneError(404, 'Job not found');
  return job;
}
