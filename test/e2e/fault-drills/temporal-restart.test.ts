import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../src/dev/local-stack.ts';
import { createLogger } from '../../../src/logging/create-logger.ts';
import type { Job } from '../../../src/domain/job.ts';
import type { JobStatus } from '../../../src/domain/job-status.ts';
import { startGithubSandbox, type GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../../../src/dev/temporal/dev-server.ts';
import { findFreePort } from '../../../src/temporal/free-port.ts';
import { API_KEY, defaultSandboxRepos, INSTALLATION_ID, jobBody, OWNER, REPO } from '../../support/e2e-stack.ts';
import { installQuietTemporalRuntime } from '../../support/quiet-temporal-runtime.ts';
import { sandboxGithubEnv, startTestStack } from '../../support/test-stack.ts';
import { expectEndedRight, waitAllTerminal } from './drill-checks.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('fault drill: the Temporal server dies with jobs in flight', () => {
  it('restarted on the same SQLite file and port, every job ends right with one run', { timeout: 240_000 }, async () => {
    installQuietTemporalRuntime();
    const dir = await mkdtemp(join(tmpdir(), 'gha-agent-drill-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const dbFile = join(dir, 'temporal.db');
    const port = await findFreePort();
    let temporal: TemporalDevServer = await startTemporalDevServer({ ui: false, dbFile, port });
    cleanups.push(() => temporal.stop());

    const webhookSecret = `secret-${randomUUID()}`;
    const sandbox: GithubSandbox = await startGithubSandbox({
      webhookSecret,
      installations: [{ id: INSTALLATION_ID, account: OWNER }],
      // Runs take ~3 s, so some end while the server is down.
      repos: defaultSandboxRepos,
      stepDelayMs: 1500,
    });
    cleanups.push(() => sandbox.close());
    const stack: LocalStack = await startTestStack({
      env: {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        TEMPORAL_TASK_QUEUE: `drill-${randomUUID()}`,
        ...sandboxGithubEnv(sandbox),
        GITHUB_WEBHOOK_SECRET: webhookSecret,
        API_KEYS: API_KEY,
      },
      jobTimeouts: { quietPeriod: '4 seconds', pollInterval: '2 seconds', discoveryTimeout: '60 seconds', jobTimeout: '3 minutes' },
      logger: createLogger({ level: 'silent' }),
    });
    cleanups.push(() => stack.stop());
    sandbox.setWebhookUrl(`${stack.apiUrl}/api/github/webhook`);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${stack.apiUrl}${path}`, { ...init, headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' } });
    const getJob = async (id: string) => {
      const response = await api(`/api/v1/jobs/${id}`);
      if (response.status !== 200) throw new Error(`GET job: ${response.status}`);
      return (await response.json()) as Job;
    };

    const expected = new Map<string, JobStatus>();
    const workflows: Array<[number, JobStatus]> = [
      [101, 'successful'],
      [102, 'failure'],
      [103, 'successful'],
    ];
    for (let i = 0; i < 12; i++) {
      const [workflowId, status] = workflows[i % 3]!;
      const response = await api('/api/v1/jobs', {
        method: 'POST',
        body: JSON.stringify(jobBody({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId } })),
      });
      expect(response.status).toBe(201);
      expected.set(((await response.json()) as Job).id, status);
    }
    // Bounded only by the test's own timeout.
    await expect.poll(() => sandbox.dispatches.length, { timeout: 240_000, interval: 50 }).toBeGreaterThanOrEqual(4);

    temporal.process.kill('SIGKILL');
    await new Promise((r) => temporal.process.once('exit', r));
    // Down for a while: the API says it is not ready, and deliveries of runs that end now wait or fail.
    await new Promise((r) => setTimeout(r, 2000));
    const readyWhileDown = (await fetch(`${stack.apiUrl}/readyz`)).status;
    await new Promise((r) => setTimeout(r, 3000));
    temporal = await startTemporalDevServer({ ui: false, dbFile, port });

    // The held runs end after the restart.
    const held = () =>
      sandbox.dispatches.filter((d) => d.workflowId === 103 && !sandbox.deliveries.some((x) => x.runId === d.runId && x.action === 'completed'));
    await expect.poll(() => sandbox.dispatches.filter((d) => d.workflowId === 103).length, { timeout: 120_000, interval: 200 }).toBeGreaterThanOrEqual(4);
    for (const d of held()) await sandbox.completeRun(d.runId, 'success');

    const jobs = await waitAllTerminal(getJob, [...expected.keys()], 150_000);
    expectEndedRight(jobs, expected, sandbox);
    expect(readyWhileDown).toBe(503);
  });
});
