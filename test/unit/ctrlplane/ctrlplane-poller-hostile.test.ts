// The poller and client against answers a real Ctrlplane (or a proxy in front of it) can give.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { CtrlplaneClient } from '../../../src/ctrlplane/ctrlplane-client.ts';
import type { CtrlplaneJob, CtrlplaneJobStatus } from '../../../src/ctrlplane/ctrlplane-job.ts';
import { CtrlplanePoller } from '../../../src/ctrlplane/ctrlplane-poller.ts';
import { createLogger } from '../../../src/logging/create-logger.ts';
import { startCtrlplaneSandbox } from '../../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';
import { jobIdOfWorkflowId, jobWorkflowId } from '../../../src/domain/job-id.ts';

const WS = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';
const AGENT = '9a1d5c1e-6b7f-5d3e-8c2b-1a0f9e8d7c6b';
const logger = createLogger({ level: 'silent' });

function job(id: string, status: CtrlplaneJobStatus): CtrlplaneJob {
  const now = new Date().toISOString();
  return { id, status, jobAgentId: AGENT, jobAgentConfig: {}, createdAt: now, updatedAt: now, metadata: {} };
}

/**
 * A Temporal client over fakes: visibility lists `running` (job IDs, in that order) as running here, every workflow
 * described is running, and the workflows started and cancelled are recorded (by workflow ID and job ID).
 */
function fakeTemporal(running: string[] = []) {
  const started: string[] = [];
  const cancelled: string[] = [];
  const temporal = {
    workflow: {
      start: (_type: string, options: { workflowId: string }) => {
        started.push(options.workflowId);
        return Promise.resolve({});
      },
      list: () =>
        (async function* () {
          for (const id of running) yield { workflowId: jobWorkflowId(id, 'ctrlplane') };
        })(),
      count: () => Promise.resolve({ count: 0 }),
      getHandle: (workflowId: string) => ({
        describe: () => Promise.resolve({ status: { name: 'RUNNING' } }),
        cancel: () => {
          cancelled.push(jobIdOfWorkflowId(workflowId));
          return Promise.resolve();
        },
      }),
    },
  } as unknown as Client;
  return { temporal, started, cancelled };
}

/** The agent's poller, polling `ctrlplane` and starting and cancelling through `temporal`. */
function pollerWith(ctrlplane: CtrlplaneClient, temporal: Client): CtrlplanePoller {
  return new CtrlplanePoller({
    ctrlplane,
    temporal,
    taskQueue: 'hostile',
    origin: { workspaceId: WS, agentId: AGENT },
    agentName: 'github-actions-agent',
    intervalMs: 1000,
    logger,
  });
}

/**
 * A poller over fakes: `running` are the job IDs Temporal visibility lists as running here (in that order),
 * `inCtrlplane` what Ctrlplane answers for each job (undefined: deleted), `active` the IDs Ctrlplane lists as
 * inProgress/actionRequired for the agent.
 */
function pollerOver(options: { running: string[]; inCtrlplane: Map<string, CtrlplaneJobStatus | undefined>; active?: string[] }) {
  const reads: string[] = [];
  const { temporal, cancelled } = fakeTemporal(options.running);
  const ctrlplane = {
    getWorkspace: () => Promise.resolve({ id: WS }),
    getJobAgent: () => Promise.resolve({ id: AGENT, workspaceId: WS, name: 'github-actions-agent', type: 'http-pull', config: {} }),
    listAllAgentJobs: (_ws: string, _agent: string, query: { status?: CtrlplaneJobStatus }) => {
      const jobs = query.status === 'queued' ? [] : (options.active ?? []).map((id) => job(id, query.status ?? 'inProgress'));
      return Promise.resolve(Object.assign(jobs, { malformed: [], seen: new Set(jobs.map((j) => j.id)) }));
    },
    getJob: (_ws: string, jobId: string) => {
      reads.push(jobId);
      const status = options.inCtrlplane.get(jobId);
      return Promise.resolve(status === undefined ? undefined : job(jobId, status));
    },
  } as unknown as CtrlplaneClient;
  return { poller: pollerWith(ctrlplane, temporal), reads, cancelled };
}

describe('cancellations from Ctrlplane', () => {
  it('notices a cancelled job even when more than 50 other running jobs have left the active lists (deleted or set by hand)', async () => {
    // 60 jobs run here; Ctrlplane deleted 59 of them (a deleted resource/environment takes its jobs along) and the
    // user cancelled the last one. The cancelled one is never read: each poll re-reads the same first 50.
    const running = Array.from({ length: 60 }, () => randomUUID());
    const inCtrlplane = new Map<string, CtrlplaneJobStatus | undefined>(running.map((id) => [id, undefined]));
    const target = running.at(-1) as string;
    inCtrlplane.set(target, 'cancelled');
    const { poller, cancelled } = pollerOver({ running, inCtrlplane });
    for (let poll = 0; poll < 5; poll++) await poller.pollOnce();
    expect(cancelled).toContain(target);
  });

  it('reads a job that changed in Ctrlplane (not to cancelled) once, not at every poll', async () => {
    // docs/architecture.md: "A job running here but absent from Ctrlplane's lists has changed status there; it is
    // read once". An operator marked it `failure` in Ctrlplane; it still runs here (or its GitHub run is long).
    const id = randomUUID();
    const { poller, reads } = pollerOver({ running: [id], inCtrlplane: new Map([[id, 'failure']]) });
    for (let poll = 0; poll < 5; poll++) await poller.pollOnce();
    expect(reads).toHaveLength(1);
  });
});

describe('hostile paging answers', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('ends a listing when Ctrlplane ignores offset and reports a huge total', async () => {
    // A proxy or Ctrlplane build that ignores `offset` answers the same full page each time; with a large `total`
    // listAllAgentJobs keeps requesting (and accumulating duplicates in memory) for millions of pages: the poll
    // never ends, and stop() waits on it forever.
    let requests = 0;
    const items = Array.from({ length: 500 }, () => job(randomUUID(), 'queued'));
    const body = JSON.stringify({ items, total: 1_000_000_000, limit: 500, offset: 0 });
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new CtrlplaneClient({ apiUrl: `http://127.0.0.1:${port}/api`, apiKey: 'cp_unit.secret' });
    const budget = { pageSize: 500, maxJobs: 10_000, maxBytes: 64 * 1024 * 1024 };
    const listing = client.listAllAgentJobs(WS, AGENT, { status: 'queued', includeDispatchContext: true }, budget).then(
      (jobs) => ({ settled: true, count: jobs.length }),
      () => ({ settled: true, count: -1 }),
    );
    const outcome = await Promise.race([listing, new Promise<{ settled: false }>((resolve) => setTimeout(() => resolve({ settled: false }), 3000))]);
    const seen = requests;
    // Closing the server (afterEach) makes the runaway loop fail and stop.
    expect({ settled: outcome.settled, requestsIn3s: seen < 20 }).toEqual({ settled: true, requestsIn3s: true });
  });
});

describe('registration', () => {
  it('treats one 500 while creating the agent as Ctrlplane being unwell, not as a taken name that stops the worker', async () => {
    // ensureAgentRegistered reads every 500 on the create as "name taken by another ID" (CtrlplaneAgentConfigError):
    // the worker logs a misleading fix and exits (worker-command: process.exit(1)), at start-up or, if Ctrlplane was
    // unreachable then, at whichever later poll registers. A lone 500 (Ctrlplane restarting, DB failover) is not that.
    const KEY = 'cp_unit.secret';
    const sandbox = await startCtrlplaneSandbox({ apiKeys: [KEY], workspaces: [{ id: WS }] });
    try {
      sandbox.injectFault({ kind: 'server-error', method: 'PUT', path: /\/job-agents\// });
      const poller = pollerWith(new CtrlplaneClient({ apiUrl: `${sandbox.url}/api`, apiKey: KEY }), {} as Client);
      const outcome = await poller.register().then(
        (registered) => (registered ? 'registered' : 'retry at next poll'),
        (error: Error) => `${error.name}: ${error.message}`,
      );
      expect(outcome).toMatch(/^(registered|retry at next poll)$/);
    } finally {
      await sandbox.close();
    }
  });
});

describe('a poll budget', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A poller over a real client against `answer`, and a Temporal that records the workflows started. */
  async function pollerAgainst(answer: (url: URL) => { status: number; body: string }) {
    const listings: string[] = [];
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://ctrlplane.invalid');
      if (url.pathname.endsWith('/jobs')) listings.push(url.searchParams.get('status') ?? '');
      const { status, body } = answer(url);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { temporal, started } = fakeTemporal();
    const poller = pollerWith(new CtrlplaneClient({ apiUrl: `http://127.0.0.1:${port}/api`, apiKey: 'cp_unit.secret' }), temporal);
    return { poller, started, listings };
  }

  const agentAnswer = { status: 200, body: JSON.stringify({ id: AGENT, workspaceId: WS, name: 'github-actions-agent', type: 'http-pull', config: {} }) };
  const routes = (url: URL, jobs: () => { status: number; body: string }) =>
    url.pathname.endsWith('/jobs') ? jobs() : url.pathname.endsWith(`/workspaces/${WS}`) ? { status: 200, body: JSON.stringify({ id: WS }) } : agentAnswer;

  it('starts at most 100 queued jobs a poll, however many fresh ones Ctrlplane lists, and still checks for cancellations', async () => {
    // 500 fresh jobs a page whatever `limit` asked, and a total of a billion.
    const { poller, started, listings } = await pollerAgainst((url) =>
      routes(url, () => ({
        status: 200,
        body: JSON.stringify({ items: Array.from({ length: 500 }, () => job(randomUUID(), 'queued')), total: 1_000_000_000 }),
      })),
    );
    const result = await poller.pollOnce();
    expect({ started: started.length, failed: result.failed, queuedListings: listings.filter((s) => s === 'queued').length }).toEqual({
      started: 100,
      failed: undefined,
      queuedListings: 1,
    });
    expect(listings).toContain('inProgress');
  });

  it('reads past one job whose context alone is over 16 MiB: the others start, and that one ends saying why', async () => {
    // Ctrlplane pages as asked (limit, offset); the third of five queued jobs carries 17 MiB of dispatch context.
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const huge = { resource: { config: { blob: 'x'.repeat(17 * 1024 * 1024) } } };
    const queued = (id: string, withContext: boolean) => ({
      ...job(id, 'queued'),
      releaseId: randomUUID(),
      ...(withContext && id === ids[2] ? { dispatchContext: huge } : {}),
    });
    const { poller, started, listings } = await pollerAgainst((url) =>
      routes(url, () => {
        if (url.searchParams.get('status') !== 'queued') return { status: 200, body: JSON.stringify({ items: [], total: 0 }) };
        const offset = Number(url.searchParams.get('offset') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        const withContext = url.searchParams.get('includeDispatchContext') === 'true';
        return { status: 200, body: JSON.stringify({ items: ids.slice(offset, offset + limit).map((id) => queued(id, withContext)), total: ids.length }) };
      }),
    );
    const result = await poller.pollOnce();
    expect(result.failed).toBeUndefined();
    // Every job gets its workflow: four to run, the oversized one to be claimed and ended invalidJobAgent.
    expect(started.map(jobIdOfWorkflowId).sort()).toEqual([...ids].sort());
    expect(listings.filter((s) => s === 'queued').length).toBeLessThanOrEqual(20);
  });

  it('refuses a page over 16 MiB without failing the poll, and starts nothing from it', async () => {
    const padding = 'x'.repeat(60 * 1024);
    const page = JSON.stringify({
      items: Array.from({ length: 300 }, () => ({ ...job(randomUUID(), 'queued'), releaseId: randomUUID(), jobAgentConfig: { padding } })),
      total: 300,
    });
    const { poller, started, listings } = await pollerAgainst((url) => routes(url, () => ({ status: 200, body: page })));
    const result = await poller.pollOnce();
    expect({ started: started.length, failed: result.failed, checkedCancellations: listings.includes('inProgress') }).toEqual({
      started: 0,
      failed: undefined,
      checkedCancellations: true,
    });
  });
});
