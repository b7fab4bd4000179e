import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { LocalStack } from '../../src/dev/local-stack.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { type GithubSandbox, startGithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import type { Job } from '../../src/domain/job.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { findFreePort } from '../../src/temporal/free-port.ts';
import { defaultSandboxRepos, INSTALLATION_ID, jobBody, OWNER, REPO } from '../support/e2e-stack.ts';
import { type CliProcess, startCli } from '../support/run-cli.ts';
import { startTestStack, TEST_JOB_TIMEOUTS } from '../support/test-stack.ts';

const API_KEY = `key-${randomUUID()}`;
const WEBHOOK_SECRET = `whsec-${randomUUID()}`;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporalEnv(): Record<string, string> {
  return { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace'), LOG_LEVEL: 'info' };
}

function track(process: CliProcess): CliProcess {
  cleanups.push(() => process.kill());
  return process;
}

describe('gha-agent api on SIGTERM', () => {
  it('finishes a request that is in flight, then exits 0', async () => {
    const port = await findFreePort();
    const api = track(startCli(['api'], { ...temporalEnv(), HOST: '127.0.0.1', PORT: String(port), API_KEYS: API_KEY, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET }));
    await api.waitFor(/Server listening/);

    // A webhook whose body arrives in two halves: the request is in flight while the signal lands.
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 7, padding: 'x'.repeat(4096) });
    const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/github/webhook',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signature,
      },
    });
    cleanups.push(() => void req.destroy());
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
    });
    req.write(body.slice(0, 1000));
    // The server logs the request once it handles it (Fastify's request log, at info): then it is stopped.
    await api.waitFor(/"msg":"incoming request"/);
    api.child.kill('SIGTERM');
    await api.waitFor(/shutting down/);
    req.end(body.slice(1000));

    const answer = await response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ ok: true, message: 'pong' });
    expect(await api.exited).toBe(0);
  });
});

describe('gha-agent worker', () => {
  let sandbox: GithubSandbox;
  let stack: LocalStack;

  async function startWorkerProcess(taskQueue: string, metricsPort: number): Promise<CliProcess> {
    const worker = track(
      startCli(['worker'], {
        ...temporalEnv(),
        HOST: '127.0.0.1',
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_PORT: String(metricsPort),
        WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
        GITHUB_API_URL: sandbox.url,
        GITHUB_BOT_APP_ID: String(sandbox.appId),
        GITHUB_BOT_PRIVATE_KEY: sandbox.privateKey,
      }),
    );
    await worker.waitFor(/worker started/);
    return worker;
  }

  async function startApi(taskQueue: string): Promise<void> {
    sandbox = await startGithubSandbox({
      webhookSecret: WEBHOOK_SECRET,
      installations: [{ id: INSTALLATION_ID, account: OWNER }],
      repos: defaultSandboxRepos,
      stepDelayMs: 30,
    });
    cleanups.push(() => sandbox.close());
    stack = await startTestStack({
      env: { TEMPORAL_TASK_QUEUE: taskQueue, GITHUB_API_URL: sandbox.url, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, API_KEYS: API_KEY },
      startWorker: false,
      jobTimeouts: TEST_JOB_TIMEOUTS,
      logger: createLogger({ level: 'silent' }),
    });
    cleanups.push(() => stack.stop());
    sandbox.setWebhookUrl(`${stack.apiUrl}/api/github/webhook`);
  }

  async function createJob(): Promise<string> {
    const body = jobBody();
    const response = await fetch(`${stack.apiUrl}/api/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return body.id as string;
  }

  async function waitForStatus(id: string, status: string): Promise<Job> {
    let job: Job | undefined;
    for (let attempt = 0; attempt < 600; attempt++) {
      job = (await (await fetch(`${stack.apiUrl}/api/v1/jobs/${id}`, { headers: { 'x-api-key': API_KEY } })).json()) as Job;
      if (job.status === status) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} never reached ${status}: ${JSON.stringify(job)}`);
  }

  it('serves its own and the Temporal SDK metrics plus /healthz on WORKER_METRICS_PORT', async () => {
    const taskQueue = `worker-process-${randomUUID()}`;
    await startApi(taskQueue);
    const metricsPort = await findFreePort();
    const worker = await startWorkerProcess(taskQueue, metricsPort);
    const base = `http://127.0.0.1:${metricsPort}`;
    let health = await fetch(`${base}/healthz`);
    for (let attempt = 0; attempt < 50 && health.status !== 200; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      health = await fetch(`${base}/healthz`);
    }
    expect(await health.json()).toEqual({ status: 'ok', worker: 'RUNNING' });

    const id = await createJob();
    await waitForStatus(id, 'successful');

    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"/.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('gha_agent_activity_executions_total{activity="dispatchWorkflowRun",outcome="completed"}')).toBe(1);
    expect(value('gha_agent_github_rate_limit_remaining{resource="core"}')).toBe(4999);
    expect(value('gha_agent_jobs{status="successful"}')).toBe(1);
    expect(value('gha_agent_jobs{status="failure"}')).toBe(0);
    expect(text).toContain('gha_agent_worker_process_cpu_seconds_total');
    // The SDK's own series (task queue polls, task latencies) come through the same scrape.
    expect(text).toMatch(/^temporal_\w+\{.*task_queue="[^"]*worker-process-/m);

    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.output().slice(-3000)).toBe(0);
  });

  it('on SIGTERM lets an in-flight activity finish before exiting 0', async () => {
    const taskQueue = `worker-drain-${randomUUID()}`;
    await startApi(taskQueue);
    const worker = await startWorkerProcess(taskQueue, await findFreePort());
    // The dispatch meets a secondary rate limit and waits out `retry-after` inside the activity.
    sandbox.injectFault({
      kind: 'secondary-rate-limit',
      method: 'POST',
      path: `/repos/${OWNER}/${REPO}/actions/workflows/101/dispatches`,
      retryAfterSeconds: 3,
    });
    const id = await createJob();
    for (let attempt = 0; attempt < 300 && !sandbox.requests.some((r) => r.path.endsWith('/dispatches')); attempt++)
      await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.requests.filter((r) => r.path.endsWith('/dispatches')).map((r) => r.status)).toEqual([403]);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(sandbox.dispatches.filter((d) => d.inputs.job_id === id)).toHaveLength(1);
    const history = await stack.client.workflow.getHandle(jobWorkflowId(id)).fetchHistory();
    const completed = history.events?.filter((event) => event.activityTaskCompletedEventAttributes) ?? [];
    expect(completed).toHaveLength(1);
  });
});
