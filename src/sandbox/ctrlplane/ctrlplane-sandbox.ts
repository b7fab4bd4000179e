import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { CtrlplaneJob, CtrlplaneJobAgent, CtrlplaneJobStatus } from '../../ctrlplane/ctrlplane-job.ts';
import { FaultInjector } from '../fault-injector.ts';
import { isApiKeyShaped } from './ctrlplane-auth.ts';
import { createCtrlplaneRequestHandler, type RecordedCtrlplaneRequest } from './ctrlplane-request-handler.ts';
import { CTRLPLANE_ROUTES } from './ctrlplane-routes.ts';
import { type CtrlplaneHostileAnswer, type HostileAnswerRecord, HostileAnswers } from './hostile-answers.ts';
import { CtrlplaneStore, type ClaimAttempt, type SandboxJobInput, type SandboxWorkspace, type StatusReport } from './ctrlplane-store.ts';

export type { RecordedCtrlplaneRequest } from './ctrlplane-request-handler.ts';
export type { CtrlplaneHostileAnswer, HostileAnswerRecord } from './hostile-answers.ts';
export type { ClaimAttempt, SandboxJobInput, SandboxWorkspace, StatusReport } from './ctrlplane-store.ts';

export interface CtrlplaneSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Accepted `X-API-Key` values, shaped `<prefix>.<secret>`. */
  apiKeys: string[];
  workspaces: SandboxWorkspace[];
  logger?: Logger;
}

/**
 * A failure to play on the next matching request(s):
 * - `server-error`: 500 `{"error":"Internal Server Error"}` without doing the work;
 * - `connection-reset`: the socket is destroyed before the request is handled;
 * - `lost-response`: the request IS handled (a claim takes effect) and then the socket is destroyed,
 *   the "unknown outcome" an agent must recover from;
 * - `delay`: handled normally after `delayMs` (default 1000).
 * Matched by method and by path as sent (with `/api`, without the query), first injected first.
 */
export interface CtrlplaneSandboxFault {
  kind: 'server-error' | 'connection-reset' | 'lost-response' | 'delay';
  /** Any when absent. */
  method?: string;
  /** Exact path or a pattern; any when absent. */
  path?: string | RegExp;
  /** How many matching requests fail; default 1. */
  times?: number;
  delayMs?: number;
}

export interface CtrlplaneSandbox {
  /** Base URL WITHOUT `/api` (the client appends `/api`, as with a real CTRLPLANE_URL). */
  readonly url: string;
  /** Registers or replaces an agent as an operator would in Ctrlplane; throws when another agent has the name. */
  addJobAgent(agent: { workspaceId: string; id: string; name: string; type: string; config?: Record<string, unknown> }): CtrlplaneJobAgent;
  jobAgent(workspaceId: string, agentId: string): CtrlplaneJobAgent | undefined;
  jobAgents(workspaceId: string): CtrlplaneJobAgent[];
  /** Creates a job as Ctrlplane does for an http-pull agent; returns it with `dispatchContext`. */
  createJob(input: SandboxJobInput): CtrlplaneJob;
  /** What a Ctrlplane user does by hand (e.g. cancel in the UI): sets status, updatedAt, completedAt for final statuses. */
  setJobStatus(jobId: string, status: CtrlplaneJobStatus): void;
  /** With `dispatchContext`. */
  job(jobId: string): CtrlplaneJob | undefined;
  /** Every accepted status PUT, in arrival order. */
  statusReports(jobId?: string): StatusReport[];
  /** Every claim that got past authentication and reached the route, with its answer's status. */
  claimAttempts(jobId?: string): ClaimAttempt[];
  /** Requests answered (or dropped), in the order of their answers. */
  requests(): RecordedCtrlplaneRequest[];
  /** Requests received and not yet answered (e.g. held by a `delay` fault). */
  inFlight(): RecordedCtrlplaneRequest[];
  injectFault(fault: CtrlplaneSandboxFault): void;
  /** Answers as a broken Ctrlplane or a proxy in front of it would (hostile-answers.ts); the record counts what it did. */
  answerWith(answer: CtrlplaneHostileAnswer): HostileAnswerRecord;
  /** Back to Ctrlplane's own answers. */
  clearHostileAnswers(): void;
  /** Ctrlplane down: stop listening (connections refused) while keeping all state; `comeBack()` listens again on the SAME port. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a local server that answers the http-pull job-agent API of Ctrlplane 1.5.x (docs/ctrlplane.md) the
 * way the real one does, refusals included, so the agent is tested against Ctrlplane's rules rather
 * than against what would be convenient.
 */
export async function startCtrlplaneSandbox(options: CtrlplaneSandboxOptions): Promise<CtrlplaneSandbox> {
  for (const key of options.apiKeys) {
    if (!isApiKeyShaped(key)) throw new Error('Ctrlplane API keys are shaped <prefix>.<secret>');
  }
  const store = new CtrlplaneStore(options.workspaces);
  const logger = options.logger?.child({ component: 'ctrlplane-sandbox' });
  const requests: RecordedCtrlplaneRequest[] = [];
  const inFlight = new Set<RecordedCtrlplaneRequest>();
  const faults = new FaultInjector();
  const hostile = new HostileAnswers();
  const server = createServer(
    createCtrlplaneRequestHandler({
      store,
      routes: CTRLPLANE_ROUTES,
      apiKeys: new Set(options.apiKeys),
      requests,
      inFlight,
      faults,
      hostile,
      ...(logger ? { logger } : {}),
    }),
  );
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const address = server.address() as AddressInfo;
  const port = address.port;
  // A wildcard bind is reached through loopback.
  const bound = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const url = `http://${bound.includes(':') ? `[${bound}]` : bound}:${port}`;
  logger?.info({ url, workspaces: options.workspaces.map((w) => w.id) }, 'ctrlplane sandbox listening');

  let state: 'up' | 'down' | 'closed' = 'up';
  // goDown, comeBack and close run one after another, whatever order callers fire them in.
  let transitions: Promise<void> = Promise.resolve();
  const transition = (step: () => Promise<void>): Promise<void> => {
    transitions = transitions.then(step, step);
    return transitions;
  };

  return {
    url,
    addJobAgent: (agent) => store.upsertAgent(agent),
    jobAgent: (workspaceId, agentId) => store.agent(workspaceId, agentId),
    jobAgents: (workspaceId) => store.agents(workspaceId),
    createJob: (input) => store.createJob(input),
    setJobStatus: (jobId, status) => {
      store.setStatus(jobId, status);
    },
    job: (jobId) => store.job(jobId),
    statusReports: (jobId) => store.statusReports.filter((r) => jobId === undefined || r.jobId === jobId).map((r) => structuredClone(r)),
    claimAttempts: (jobId) => store.claimAttempts.filter((c) => jobId === undefined || c.jobId === jobId).map((c) => ({ ...c })),
    requests: () => requests.map((r) => structuredClone(r)),
    inFlight: () => [...inFlight].map((r) => structuredClone(r)),
    injectFault: (fault) => faults.add(fault),
    answerWith: (answer) => hostile.add(answer),
    clearHostileAnswers: () => hostile.clear(),
    goDown: () =>
      transition(async () => {
        if (state !== 'up') return;
        state = 'down';
        await closeServer(server);
        logger?.info({ url }, 'ctrlplane sandbox down');
      }),
    comeBack: () =>
      transition(async () => {
        if (state === 'closed') throw new Error('the Ctrlplane sandbox is closed');
        if (state === 'up') return;
        await listenAgain(server, port, host);
        state = 'up';
        logger?.info({ url }, 'ctrlplane sandbox back');
      }),
    close: () =>
      transition(async () => {
        hostile.stop();
        if (state === 'up') await closeServer(server);
        state = 'closed';
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The port was ours a moment ago; if something grabbed it meanwhile, wait a little for it to go. */
async function listenAgain(server: Server, port: number, host: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await listen(server, port, host);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
