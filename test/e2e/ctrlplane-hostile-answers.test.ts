// Ctrlplane answers a real deployment can give and the plain sandbox does not (malformed jobs, an ingress 404 while
// Ctrlplane restarts, lost answers), and races around claims, cancels and reports.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { toCtrlplaneStatus } from '../../src/domain/ctrlplane-status.ts';
import type { LocalStack } from '../../src/dev/local-stack.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Job } from '../../src/domain/job.ts';
import type { JobStatus } from '../../src/domain/job-status.ts';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../support/ctrlplane-jobs.ts';
import { CTRLPLANE_WORKSPACE_ID, type E2eStack, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { spawnWorker, type SpawnedWorker } from '../support/spawned-worker.ts';
import { sandboxGithubEnv, startTestStack, TEST_JOB_TIMEOUTS } from '../support/test-stack.ts';

const TERMINAL = ['successful', 'failure', 'cancelled', 'skipped', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'] as const;

let env: E2eStack;
let agentId: string;
beforeAll(async () => {
  env = await startE2eStack({ ctrlplane: true });
  agentId = env.stack.ctrlplane!.origin.agentId;
});
afterAll(async () => {
  await env?.stop();
});

const dispatchesOf = (jobId: string) => env.sandbox.dispatches.filter((d) => d.inputs.job_id === jobId);
/** Stops a held job (workflow 103) so it does not outlive its test. */
const cancelHere = (jobId: string) => env.api(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' }).catch(() => undefined);

describe('malformed Ctrlplane answers', () => {
  it('keeps pulling other jobs when one queued job has a field the schema does not expect (release: null)', { timeout: 60_000 }, async () => {
    // A workflow-run job has no release; an API that marshals the missing object as null (rather than omitting it)
    // makes the whole page fail zod parsing, so the poll fails every time and NO job is started any more.
    const poison = env.ctrlplane!.createJob({
      workspaceId: CTRLPLANE_WORKSPACE_ID,
      jobAgentId: agentId,
      deploymentJobAgentConfig: { installationId: 4242, owner: OWNER, repo: REPO, workflowId: 101, ref: 'main' },
      dispatchContext: { release: null, deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' } },
    });
    try {
      const healthy = queueCtrlplaneJob(env.ctrlplane!, agentId);
      await waitForCtrlplaneStatus(env.ctrlplane!, healthy.id, 'successful', 20_000);
    } finally {
      env.ctrlplane!.setJobStatus(poison.id, 'skipped');
    }
  });

  it('still notices cancellations when one queued job cannot be started (deployment.name is not a string)', { timeout: 60_000 }, async () => {
    const running = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    await env.waitForStatus(running.id, 'in_progress');
    // Temporal refuses the start (a Keyword search attribute with a number) on every poll; the error aborts the
    // whole poll before the cancellation check, and the poison job itself stays queued forever, never reported.
    const poison = env.ctrlplane!.createJob({
      workspaceId: CTRLPLANE_WORKSPACE_ID,
      jobAgentId: agentId,
      deploymentJobAgentConfig: { installationId: 4242, owner: OWNER, repo: REPO, workflowId: 101, ref: 'main' },
      dispatchContext: { deployment: { id: randomUUID(), name: 12345, slug: 'numeric' } },
    });
    try {
      // Two listings of queued jobs after the poison job was queued: at least one whole poll has met it.
      const queuedListings = () =>
        env.ctrlplane!.requests().filter((r) => r.method === 'GET' && /\/job-agents\/[^/]+\/jobs$/.test(r.path) && r.query.includes('status=queued')).length;
      const listed = queuedListings();
      await expect.poll(queuedListings, { timeout: 15_000 }).toBeGreaterThanOrEqual(listed + 2);
      env.ctrlplane!.setJobStatus(running.id, 'cancelled');
      const job = await env.waitForStatus(running.id, ['cancelled', 'successful', 'failure'], 15_000).catch((error: Error) => error);
      expect(job instanceof Error ? job.message : job.status).toBe('cancelled');
    } finally {
      env.ctrlplane!.setJobStatus(poison.id, 'skipped');
      await cancelHere(running.id);
    }
  });
});

describe('budgets', () => {
  it('ends a job whose jobAgentConfig is over the 64 KiB the API allows invalidJobAgent, says why, and never dispatches it', { timeout: 60_000 }, async () => {
    const padding = 'p'.repeat(70 * 1024);
    const oversized = queueCtrlplaneJob(env.ctrlplane!, agentId, { deploymentConfig: { padding } });
    const healthy = queueCtrlplaneJob(env.ctrlplane!, agentId);
    await waitForCtrlplaneStatus(env.ctrlplane!, oversized.id, ['invalidJobAgent', 'successful', 'failure'], 30_000);
    await waitForCtrlplaneStatus(env.ctrlplane!, healthy.id, 'successful', 30_000);
    const job = await env.getJob(oversized.id);
    const history = JSON.stringify(await env.stack.client.workflow.getHandle(jobWorkflowId(oversized.id, 'ctrlplane')).fetchHistory());
    expect({
      ctrlplane: env.ctrlplane!.job(oversized.id)?.status,
      here: job.status,
      dispatches: dispatchesOf(oversized.id).length,
      configInHistory: history.includes(padding.slice(0, 1024)),
    }).toEqual({ ctrlplane: 'invalidJobAgent', here: 'invalid_job_agent', dispatches: 0, configInHistory: false });
    expect(job.message).toMatch(/jobAgentConfig is \d+ bytes; the limit is 65536 bytes \(64 KiB\)/);
  });
});

describe('claim', () => {
  it('leaves alone a job that met 409 on the first claim even when reading it afterwards failed once', { timeout: 60_000 }, async () => {
    // The doc's table: "claimed by someone else, or moved by hand, before our first claim → 409 on the first
    // attempt → not run". But the first attempt's follow-up GET failing (one 500) makes the activity retry, and
    // on attempt 2 a 409 with the job inProgress is taken for our own lost claim: the job runs here.
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId);
    env.ctrlplane!.injectFault({ kind: 'delay', method: 'POST', path: new RegExp(`/jobs/${queued.id}/claim$`), delayMs: 2000 });
    env.ctrlplane!.injectFault({ kind: 'server-error', method: 'GET', path: new RegExp(`/workspaces/[^/]+/jobs/${queued.id}$`) });
    await env.waitForStatus(queued.id, 'pending', 20_000);
    env.ctrlplane!.setJobStatus(queued.id, 'inProgress'); // another process claimed it first
    const job = await env.waitForStatus(queued.id, [...TERMINAL], 30_000);
    expect({ status: job.status, dispatches: dispatchesOf(queued.id).length }).toEqual({ status: 'skipped', dispatches: 0 });
  });
});

describe('cancellation from Ctrlplane', () => {
  it('does not undo a cancel made in Ctrlplane with a later non-final report', { timeout: 60_000 }, async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    await env.waitForStatus(queued.id, 'in_progress');
    try {
      // Polls are slow for a moment (each list request takes 4 s), as when Ctrlplane is loaded.
      env.ctrlplane!.injectFault({ kind: 'delay', method: 'GET', path: /\/job-agents\/[^/]+\/jobs$/, delayMs: 4000, times: 3 });
      // The cancel below lands while a poll's listing is held by that delay.
      await expect
        .poll(() => env.ctrlplane!.inFlight().some((request) => request.fault === 'delay' && /\/job-agents\/[^/]+\/jobs$/.test(request.path)), {
          timeout: 10_000,
          interval: 20,
        })
        .toBe(true);
      // The user cancels in Ctrlplane; right after, the run waits for an approval here (action_required).
      env.ctrlplane!.setJobStatus(queued.id, 'cancelled');
      expect((await env.api(`/api/v1/jobs/${queued.id}`, { method: 'PATCH', json: { status: 'action_required' } })).status).toBe(200);
      // The reporter PUTs actionRequired over Ctrlplane's cancelled; the poller then sees an active job and never cancels.
      const job = await env.waitForStatus(queued.id, 'cancelled', 20_000).catch((error: Error) => error);
      expect({
        here: job instanceof Error ? 'not cancelled' : job.status,
        ctrlplane: env.ctrlplane!.job(queued.id)?.status,
      }).toEqual({ here: 'cancelled', ctrlplane: 'cancelled' });
    } finally {
      await cancelHere(queued.id);
    }
  });

  it('cancels a claimed job whose dispatch is still being retried, without dispatching it', { timeout: 60_000 }, async () => {
    // GitHub answers 500 to the first dispatches: the job is claimed (inProgress in Ctrlplane) but `pending` here,
    // and the cancellation check only looks at jobs in_progress/action_required here.
    env.sandbox.injectFault({ kind: 'server-error', method: 'POST', path: /\/workflows\/101\/dispatches$/, times: 3 });
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId);
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'inProgress', 20_000);
    env.ctrlplane!.setJobStatus(queued.id, 'cancelled');
    // Within two poll intervals the job should end cancelled; wait longer to show what happens instead.
    const job = await env.waitForStatus(queued.id, [...TERMINAL], 25_000).catch((error: Error) => error);
    // A job that ended reports nothing once its workflow has closed: what Ctrlplane shows then is final.
    if (!(job instanceof Error)) {
      const handle = env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane'));
      await expect.poll(async () => (await handle.describe()).status.name, { timeout: 30_000 }).not.toBe('RUNNING');
    }
    expect({
      here: job instanceof Error ? 'not ended within 25 s of the cancel' : job.status,
      dispatches: dispatchesOf(queued.id).length,
      ctrlplane: env.ctrlplane!.job(queued.id)?.status,
    }).toEqual({ here: 'cancelled', dispatches: 0, ctrlplane: 'cancelled' });
  });
});

describe('reports', () => {
  it('after an outage, sends the reports in order and the final status last and once', { timeout: 90_000 }, async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, agentId, { workflowId: 103 });
    const running = await env.waitForStatus(queued.id, 'in_progress');
    await env.ctrlplane!.goDown();
    try {
      expect((await env.api(`/api/v1/jobs/${queued.id}`, { method: 'PATCH', json: { status: 'action_required' } })).status).toBe(200);
      // The actionRequired report has failed at least once and is being retried (the claim reported inProgress).
      const handle = env.stack.client.workflow.getHandle(jobWorkflowId(queued.id, 'ctrlplane'));
      const reportRetried = async () =>
        ((await handle.describe()).raw.pendingActivities ?? []).some(
          (activity) => activity.activityType?.name === 'reportCtrlplaneJobStatus' && (activity.attempt ?? 0) >= 2,
        );
      await expect.poll(reportRetried, { timeout: 20_000, interval: 50 }).toBe(true);
      await env.sandbox.completeRun(Number(running.externalId), 'success');
      await env.waitForStatus(queued.id, 'successful');
    } finally {
      await env.ctrlplane!.comeBack();
    }
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'successful', 60_000);
    // The actionRequired report was being retried when the job ended: a retry keeps its input, so it lands first
    // (docs/architecture.md "Reports"), then the final status, once.
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['actionRequired', 'successful']);
  });
});

/**
 * A reverse proxy in front of the Ctrlplane sandbox, as an ingress would be: rules answer some requests
 * themselves (e.g. the ingress's own HTML 404 while Ctrlplane's pods roll) or forward and then drop the answer.
 */
type ProxyAction = 'forward' | 'forward-then-drop' | { status: number; body: string; contentType: string };
interface CtrlplaneProxy {
  url: string;
  rules: Array<(method: string, path: string) => ProxyAction | undefined>;
  close(): Promise<void>;
}

async function startCtrlplaneProxy(target: string): Promise<CtrlplaneProxy> {
  const rules: CtrlplaneProxy['rules'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
      const action = rules.map((rule) => rule(method, path)).find((a) => a !== undefined) ?? 'forward';
      if (typeof action === 'object') {
        res.writeHead(action.status, { 'content-type': action.contentType });
        res.end(action.body);
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['x-api-key', 'content-type', 'accept']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(`${target}${req.url ?? '/'}`, { method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const text = await upstream.text();
      if (action === 'forward-then-drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rules,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const INGRESS_404 = { status: 404, body: '<html><body><h1>404 Not Found</h1>default backend</body></html>', contentType: 'text/html' };

describe('Ctrlplane behind an ingress that answers 404 while Ctrlplane restarts', () => {
  let proxy: CtrlplaneProxy;
  let second: LocalStack;
  let proxiedAgentId: string;
  beforeAll(async () => {
    proxy = await startCtrlplaneProxy(env.ctrlplane!.url);
    const agentName = 'agent-behind-ingress';
    proxiedAgentId = deriveCtrlplaneAgentId(CTRLPLANE_WORKSPACE_ID, agentName);
    second = await startTestStack({
      env: {
        TEMPORAL_TASK_QUEUE: `ingress-${randomUUID()}`,
        ...sandboxGithubEnv(env.sandbox),
        API_KEYS: 'unused',
        ...env.ctrlplaneEnv,
        CTRLPLANE_URL: `${proxy.url}/api`,
        CTRLPLANE_AGENT_NAME: agentName,
      },
      ctrlplanePollIntervalMs: 300,
      jobTimeouts: TEST_JOB_TIMEOUTS,
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await second?.stop();
    await proxy?.close();
  });

  /**
   * Once the job's workflow has closed, it ended `expected` and Ctrlplane shows the same, not `inProgress` (claimed,
   * nothing running). The workflow closes only after its last report is through, so Ctrlplane has it by then.
   */
  async function expectEndedInBoth(jobId: string, expected: JobStatus): Promise<void> {
    const handle = env.stack.client.workflow.getHandle(jobWorkflowId(jobId, 'ctrlplane'));
    await expect.poll(async () => (await handle.describe()).status.name, { timeout: 30_000, interval: 200 }).toBe('COMPLETED');
    const job = (await handle.query('job')) as Job;
    expect({ here: job.status, ctrlplane: env.ctrlplane!.job(jobId)?.status }).toEqual({ here: expected, ctrlplane: toCtrlplaneStatus(expected) });
  }

  it('does not drop the final report on a 404 that is not Ctrlplane saying the job is gone', { timeout: 90_000 }, async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, proxiedAgentId, { workflowId: 103 });
    const running = await env.waitForStatus(queued.id, 'in_progress');
    let ingressDown = true;
    let refused = 0;
    const rule = (method: string, path: string) => {
      if (!ingressDown || method !== 'PUT' || !path.endsWith(`/jobs/${queued.id}/status`)) return undefined;
      refused++;
      return INGRESS_404;
    };
    proxy.rules.push(rule);
    try {
      await env.sandbox.completeRun(Number(running.externalId), 'success');
      await env.waitForStatus(queued.id, 'successful');
      // The final report has met the ingress's 404 (the first report after the job ended, and a retry of it).
      const before = refused;
      await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThan(before);
    } finally {
      ingressDown = false;
    }
    await expectEndedInBoth(queued.id, 'successful');
  });

  it('does not abandon a claim whose 200 was lost when the retry meets an ingress 404', { timeout: 90_000 }, async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, proxiedAgentId);
    let claims = 0;
    proxy.rules.push((method, path) => {
      if (method !== 'POST' || !path.endsWith(`/jobs/${queued.id}/claim`)) return undefined;
      claims++;
      // The first claim takes effect but its answer is lost (Ctrlplane's pod goes away); the retry a second
      // later reaches the ingress while no pod is ready.
      return claims === 1 ? 'forward-then-drop' : claims <= 3 ? INGRESS_404 : 'forward';
    });
    // The first claim took effect: the job is ours, runs once, and Ctrlplane hears how it ended.
    await expectEndedInBoth(queued.id, 'successful');
    expect(dispatchesOf(queued.id)).toHaveLength(1);
  });
});

/**
 * `gha-agent worker` processes against a Ctrlplane that answers wrongly (issue #26). Jobs from our own API run on
 * them (the stack's in-process worker is off), so a worker that stops stalls them: what a user sees.
 */
describe('a worker process against a broken Ctrlplane', () => {
  let procEnv: E2eStack;
  const workers: SpawnedWorker[] = [];
  beforeAll(async () => {
    procEnv = await startE2eStack({ ctrlplane: true, startWorker: false });
  });
  afterEach(async () => {
    procEnv?.ctrlplane?.clearHostileAnswers();
    for (const worker of workers.splice(0)) await worker.kill();
  });
  afterAll(async () => {
    await procEnv?.stop();
  });

  const MiB = 1024 * 1024;
  /** The worker's Ctrlplane env for an agent of its own. */
  const ctrlplaneEnvFor = (agentName: string) => ({
    CTRLPLANE_URL: procEnv.ctrlplane!.url,
    CTRLPLANE_API_KEY: procEnv.ctrlplaneSettings!.apiKey,
    CTRLPLANE_WORKSPACE_ID: CTRLPLANE_WORKSPACE_ID,
    CTRLPLANE_AGENT_NAME: agentName,
    CTRLPLANE_POLL_INTERVAL: '1s',
  });
  async function startWorker(agentName: string): Promise<SpawnedWorker> {
    const worker = await spawnWorker(procEnv, { ctrlplane: ctrlplaneEnvFor(agentName) });
    workers.push(worker);
    return worker;
  }
  /** A job from our own API, run by the worker process to its final status. */
  async function expectApiJobSuccessful(): Promise<void> {
    const job = await procEnv.createJob();
    expect((await procEnv.waitForStatus(job.id, ['successful', 'failure'], 60_000)).status).toBe('successful');
  }
  const alive = (worker: SpawnedWorker) => worker.child.exitCode === null && worker.child.signalCode === null;
  const waitForOutput = (worker: SpawnedWorker, pattern: RegExp, timeout = 30_000) =>
    vi.waitFor(
      () => {
        if (!pattern.test(worker.output())) throw new Error(`no ${pattern} in the worker's output:\n${worker.output().slice(-3000)}`);
      },
      { timeout, interval: 100 },
    );
  /** Peak resident memory of a process (Linux), in MiB. */
  const peakRssMiB = (pid: number) => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  const listingOf = (agentId: string) => new RegExp(`/job-agents/${agentId}/jobs$`);

  it(
    'starts and runs API jobs when the agent in Ctrlplane is of another type, and pulls its jobs once an operator fixes the type',
    { timeout: 180_000 },
    async () => {
      const agentName = `other-type-${randomUUID().slice(0, 8)}`;
      const agentId = deriveCtrlplaneAgentId(CTRLPLANE_WORKSPACE_ID, agentName);
      procEnv.ctrlplane!.addJobAgent({ workspaceId: CTRLPLANE_WORKSPACE_ID, id: agentId, name: agentName, type: 'kubernetes-job' });
      const worker = await startWorker(agentName);
      await waitForOutput(worker, /of type \\"kubernetes-job\\", not \\"http-pull\\"/);
      await expectApiJobSuccessful();
      expect(alive(worker)).toBe(true);
      // The operator changes the type in Ctrlplane: the worker's next try (it backs off, but keeps trying) registers.
      procEnv.ctrlplane!.addJobAgent({ workspaceId: CTRLPLANE_WORKSPACE_ID, id: agentId, name: agentName, type: 'http-pull' });
      const queued = queueCtrlplaneJob(procEnv.ctrlplane!, agentId);
      await waitForCtrlplaneStatus(procEnv.ctrlplane!, queued.id, 'successful', 120_000);
      expect(procEnv.ctrlplane!.jobAgent(CTRLPLANE_WORKSPACE_ID, agentId)?.type).toBe('http-pull');
    },
  );

  it('starts and runs API jobs while Ctrlplane refuses its key (401), and registers once the key works', { timeout: 180_000 }, async () => {
    const agentName = `refused-key-${randomUUID().slice(0, 8)}`;
    const agentId = deriveCtrlplaneAgentId(CTRLPLANE_WORKSPACE_ID, agentName);
    const refused = procEnv.ctrlplane!.answerWith({
      kind: 'status',
      path: /^\/api\/v1\/workspaces\//,
      status: 401,
      body: JSON.stringify({ message: 'Authentication failed', code: 'AUTH_FAILED' }),
    });
    const worker = await startWorker(agentName);
    await waitForOutput(worker, /HTTP 401.*CTRLPLANE_API_KEY/);
    await expectApiJobSuccessful();
    expect({ alive: alive(worker), refusedRequests: refused.served > 0 }).toEqual({ alive: true, refusedRequests: true });
    procEnv.ctrlplane!.clearHostileAnswers();
    const agent = await vi.waitFor(
      () => {
        const found = procEnv.ctrlplane!.jobAgent(CTRLPLANE_WORKSPACE_ID, agentId);
        if (!found) throw new Error('agent not registered yet');
        return found;
      },
      { timeout: 120_000, interval: 200 },
    );
    expect(agent).toMatchObject({ name: agentName, type: 'http-pull' });
  });

  it('keeps running jobs when, mid-run, Ctrlplane forgets the agent and a proxy then answers 403, and resumes after', { timeout: 180_000 }, async () => {
    const agentName = `proxy-403-${randomUUID().slice(0, 8)}`;
    const agentId = deriveCtrlplaneAgentId(CTRLPLANE_WORKSPACE_ID, agentName);
    const worker = await startWorker(agentName);
    const held = queueCtrlplaneJob(procEnv.ctrlplane!, agentId, { workflowId: 103 });
    const running = await procEnv.waitForStatus(held.id, 'in_progress');
    // Ctrlplane says the agent is gone (its database restored from a backup), then a proxy in front of it refuses
    // everything with its own HTML 403 (an expired SSO session, a WAF rule).
    const forgotten = procEnv.ctrlplane!.answerWith({
      kind: 'status',
      method: 'GET',
      path: listingOf(agentId),
      status: 404,
      body: JSON.stringify({ message: 'Job agent not found' }),
      times: 1,
    });
    const forbidden = procEnv.ctrlplane!.answerWith({
      kind: 'status',
      path: /^\/api\//,
      status: 403,
      body: '<html><body><h1>403 Forbidden</h1></body></html>',
      contentType: 'text/html',
    });
    await vi.waitFor(
      () => {
        if (forgotten.served < 1 || forbidden.served < 3) throw new Error(`404s ${forgotten.served}, 403s ${forbidden.served}`);
      },
      { timeout: 60_000, interval: 100 },
    );
    await expectApiJobSuccessful();
    expect(alive(worker)).toBe(true);
    procEnv.ctrlplane!.clearHostileAnswers();
    // The Ctrlplane job that was running goes on to its end, and Ctrlplane hears of it.
    await procEnv.sandbox.completeRun(Number(running.externalId), 'success');
    await waitForCtrlplaneStatus(procEnv.ctrlplane!, held.id, 'successful', 120_000);
    const next = queueCtrlplaneJob(procEnv.ctrlplane!, agentId);
    await waitForCtrlplaneStatus(procEnv.ctrlplane!, next.id, 'successful', 120_000);
    expect(alive(worker)).toBe(true);
  });

  it('holds a bounded number of jobs and bytes when Ctrlplane answers pages just under 32 MiB, and keeps running API jobs', { timeout: 240_000 }, async () => {
    const agentName = `huge-pages-${randomUUID().slice(0, 8)}`;
    const agentId = deriveCtrlplaneAgentId(CTRLPLANE_WORKSPACE_ID, agentName);
    const worker = await startWorker(agentName);
    const pid = worker.child.pid as number;
    await expectApiJobSuccessful();
    const before = peakRssMiB(pid);
    const pages = procEnv.ctrlplane!.answerWith({ kind: 'huge-job-pages', method: 'GET', path: listingOf(agentId), bytes: 32 * MiB - 64 * 1024, jobs: 500 });
    // A poll is over once it asks for the agent's active jobs (the cancellation check) after the queued listing;
    // two such polls after the huge pages began.
    const activeListings = () => procEnv.ctrlplane!.requests().filter((r) => listingOf(agentId).test(r.path) && r.query.includes('status=inProgress')).length;
    const activeBefore = activeListings();
    await vi.waitFor(
      () => {
        if (activeListings() < activeBefore + 2) throw new Error(`${pages.served} huge pages served, no poll over yet`);
      },
      { timeout: 200_000, interval: 200 },
    );
    const peak = peakRssMiB(pid);
    await expectApiJobSuccessful();
    // A page over the budget is refused while it arrives; the worker never holds more than the budget.
    expect({ alive: alive(worker), pagesRead: pages.finished, peakGrowthUnder200MiB: peak - before < 200 }, `peak RSS ${before} → ${peak} MiB`).toEqual({
      alive: true,
      pagesRead: 0,
      peakGrowthUnder200MiB: true,
    });
  });

  it('exits on SIGTERM while a Ctrlplane answer is still arriving, before the answer ends', { timeout: 240_000 }, async () => {
    const agentName = `slow-answer-${randomUUID().slice(0, 8)}`;
    const agentId = deriveCtrlplaneAgentId(CTRLPLANE_WORKSPACE_ID, agentName);
    const worker = await startWorker(agentName);
    await vi.waitFor(
      () => {
        if (!procEnv.ctrlplane!.jobAgent(CTRLPLANE_WORKSPACE_ID, agentId)) throw new Error('agent not registered yet');
      },
      { timeout: 30_000, interval: 100 },
    );
    // Each page takes 5 s to arrive (inside the per-request timeout) and leads to another: a poll lasts long.
    const slow = procEnv.ctrlplane!.answerWith({
      kind: 'slow-body',
      method: 'GET',
      path: listingOf(agentId),
      totalBytes: 250,
      chunkBytes: 1,
      intervalMs: 20,
      jobs: 3,
    });
    await vi.waitFor(
      () => {
        if (slow.served < 1) throw new Error('no listing in flight yet');
      },
      { timeout: 30_000, interval: 20 },
    );
    worker.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => {
      if (worker.child.exitCode !== null) resolve(worker.child.exitCode);
      else worker.child.once('exit', (exitCode) => resolve(exitCode));
    });
    // Ordering, not time: the process was gone before the answer it was reading had been sent to the end.
    expect({ code, answersSentToTheEnd: slow.finished }, worker.output().slice(-2000)).toEqual({ code: 0, answersSentToTheEnd: 0 });
  });
});
