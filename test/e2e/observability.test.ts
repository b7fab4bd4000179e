import { execFile } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { LocalStack } from '../../src/dev/local-stack.ts';
import { type GithubSandbox, startGithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { findTemporalCli } from '../../src/dev/temporal/temporal-cli.ts';
import type { Job } from '../../src/domain/job.ts';
import { defaultSandboxRepos, INSTALLATION_ID, jobBody, OWNER, REPO } from '../support/e2e-stack.ts';
import { captureLogs } from '../support/log-capture.ts';
import { sandboxGithubEnv, startTestStack, TEST_JOB_TIMEOUTS } from '../support/test-stack.ts';

const { temporal } = proto;
const API_KEY = `key-${randomUUID()}`;
const WEBHOOK_SECRET = `whsec-${randomUUID()}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const UI_ORIGIN = 'http://127.0.0.1:8233';
const logs = captureLogs('debug');

let sandbox: GithubSandbox;
let stack: LocalStack;
let job: Job;
const marker = `resource-config-marker-${randomUUID()}`;

const api = (path: string, init: RequestInit & { json?: unknown; apiKey?: string | null } = {}) => {
  const { json, apiKey, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (apiKey !== null) headers.set('x-api-key', apiKey ?? API_KEY);
  if (json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${stack.apiUrl}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
};

async function waitForTerminal(id: string): Promise<Job> {
  return vi.waitFor(
    async () => {
      const current = (await (await api(`/api/v1/jobs/${id}`)).json()) as Job;
      if (['successful', 'failure', 'invalid_integration', 'invalid_job_agent', 'external_run_not_found'].includes(current.status)) return current;
      throw new Error(`job ${id} did not finish`);
    },
    { timeout: 60_000, interval: 100 },
  );
}

beforeAll(async () => {
  sandbox = await startGithubSandbox({
    webhookSecret: WEBHOOK_SECRET,
    installations: [{ id: INSTALLATION_ID, account: OWNER }],
    repos: defaultSandboxRepos,
    stepDelayMs: 30,
  });
  stack = await startTestStack({
    env: {
      TEMPORAL_TASK_QUEUE: `observability-${randomUUID()}`,
      ...sandboxGithubEnv(sandbox),
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      API_KEYS: API_KEY,
      PAYLOAD_ENCRYPTION_KEYS: `k1:${ENCRYPTION_KEY}`,
      CODEC_CORS_ORIGINS: UI_ORIGIN,
    },
    jobTimeouts: TEST_JOB_TIMEOUTS,
    // The SDK's activity and worker logs go through the same captured logger, as in `gha-agent worker`.
    temporalRuntime: 'install',
    logger: logs.logger,
  });
  sandbox.setWebhookUrl(`${stack.apiUrl}/api/github/webhook`);

  const body = jobBody({
    resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod', marker } },
  });
  const created = await api('/api/v1/jobs', { method: 'POST', json: body });
  expect(created.status).toBe(201);
  job = await waitForTerminal(body.id as string);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await sandbox?.close();
});

describe('payload encryption', () => {
  it('runs the job to successful with every payload encrypted (the worker decrypts what the API wrote)', () => {
    expect(job.status).toBe('successful');
    expect((job as unknown as { resource: { config: { marker: string } } }).resource.config.marker).toBe(marker);
  });

  it('leaves only ciphertext in the raw history, and /codec/decode restores the plaintext', async () => {
    const history = await stack.client.workflow.getHandle(jobWorkflowId(job.id)).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(raw.includes('binary/encrypted')).toBe(true);
    expect(raw.includes(marker)).toBe(false);

    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: started?.input?.payloads ?? [] }), {
      bytes: String,
    });
    const response = await api('/codec/decode', { method: 'POST', json: input, headers: { 'x-namespace': inject('temporalNamespace') } });
    expect(response.status).toBe(200);
    const decoded = temporal.api.common.v1.Payloads.fromObject((await response.json()) as Record<string, unknown>).payloads as Payload[];
    expect(JSON.stringify(defaultPayloadConverter.fromPayload(decoded[0]!))).toContain(marker);
  });

  it('round-trips through /codec/encode and refuses callers without an API key', async () => {
    const plain = temporal.api.common.v1.Payloads.toObject(
      temporal.api.common.v1.Payloads.create({ payloads: [defaultPayloadConverter.toPayload({ hello: 'world' })] }),
      { bytes: String },
    );
    const encoded = await (await api('/codec/encode', { method: 'POST', json: plain })).json();
    expect(JSON.stringify(encoded)).not.toContain(Buffer.from('world').toString('base64').slice(0, 6));
    const decoded = await (await api('/codec/decode', { method: 'POST', json: encoded })).json();
    expect(decoded).toEqual(plain);
    expect((await api('/codec/decode', { method: 'POST', json: encoded, apiKey: null })).status).toBe(401);
    expect((await api('/codec/decode', { method: 'POST', json: encoded, apiKey: 'wrong' })).status).toBe(401);
  });

  it('lets the temporal CLI show the decrypted history through the codec endpoint', async () => {
    const cli = await findTemporalCli();
    const show = (extra: string[]) =>
      promisify(execFile)(cli, [
        'workflow',
        'show',
        '--workflow-id',
        jobWorkflowId(job.id),
        '--address',
        inject('temporalAddress'),
        '--namespace',
        inject('temporalNamespace'),
        '--output',
        'json',
        ...extra,
      ]);
    // JSON output keeps payload bytes base64-encoded: decode every `data` field to look inside.
    const payloadText = (stdout: string) =>
      [...stdout.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('latin1')).join('\n');
    const withCodec = await show(['--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', `Bearer ${API_KEY}`]);
    expect(payloadText(withCodec.stdout)).toContain(marker);
    const without = await show([]);
    expect(without.stdout).toContain(`"encoding": "${Buffer.from('binary/encrypted').toString('base64')}"`);
    expect(payloadText(without.stdout)).not.toContain(marker);
  });

  it("answers the Temporal UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      api('/codec/decode', {
        method: 'OPTIONS',
        apiKey: null,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves CORS on the codec routes only: a preflight on the jobs API from the same origin gets no CORS headers', async () => {
    for (const path of ['/api/v1/jobs', `/api/v1/jobs/${job.id}`, '/api/v1/workspaces']) {
      const response = await api(path, {
        method: 'OPTIONS',
        apiKey: null,
        headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
      });
      expect(response.status, path).not.toBe(204);
      expect(
        [...response.headers.keys()].filter((name) => name.startsWith('access-control-')),
        path,
      ).toEqual([]);
    }
  });
});

describe('API metrics', () => {
  it('counts webhook outcomes, signature failures, job creations and route latencies', async () => {
    const ping = JSON.stringify({ zen: 'hi', hook_id: 1 });
    const sign = (body: string) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const deliver = (body: string, signature: string, event: string) =>
      fetch(`${stack.apiUrl}/api/github/webhook`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature },
      });
    expect((await deliver(ping, sign(ping), 'ping')).status).toBe(200);
    expect((await deliver(ping, 'sha256=00', 'ping')).status).toBe(401);
    expect((await deliver(ping, sign(ping), 'issues')).status).toBe(202);

    const response = await fetch(`${stack.apiUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"/.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('gha_agent_webhook_deliveries_total{event="ping",outcome="delivered"}')).toBe(1);
    expect(value('gha_agent_webhook_deliveries_total{event="ping",outcome="unauthorized"}')).toBe(1);
    expect(value('gha_agent_webhook_deliveries_total{event="issues",outcome="ignored"}')).toBe(1);
    expect(value('gha_agent_webhook_deliveries_total{event="workflow_run",outcome="delivered"}')).toBeGreaterThanOrEqual(1);
    expect(value('gha_agent_webhook_signature_failures_total')).toBe(1);
    expect(value('gha_agent_jobs_created_total')).toBe(1);
    expect(value('gha_agent_http_request_duration_seconds_count{method="POST",route="/api/v1/jobs",status_code="201"}')).toBe(1);
    expect(value('gha_agent_http_request_duration_seconds_count{method="GET",route="/api/v1/jobs/:jobId",status_code="200"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('gha_agent_api_process_cpu_seconds_total');
  });
});

describe('logs', () => {
  it('carry job, workflow, run and delivery IDs as fields', () => {
    const entries = logs.entries();
    const activityLine = entries.find(
      (entry) =>
        entry.activityType === 'dispatchWorkflowRun' && entry.jobId === job.id && entry.workflowId === jobWorkflowId(job.id) && typeof entry.runId === 'string',
    );
    expect(activityLine, 'a worker line with jobId, workflowId and the Temporal runId').toBeDefined();
    expect(activityLine).not.toHaveProperty('taskToken');
    const webhookLine = entries.find((entry) => entry.jobId === job.id && typeof entry.deliveryId === 'string' && entry.githubRunId === Number(job.externalId));
    expect(webhookLine, 'an API line with jobId, deliveryId and githubRunId').toBeDefined();
  });

  it('never contain a secret: App private key, installation tokens, API keys, webhook secret, encryption keys', () => {
    const raw = logs.raw();
    expect(raw.length).toBeGreaterThan(1000);
    expect(sandbox.tokenMints()).toBeGreaterThan(0);
    const keyBody = sandbox.privateKey.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
    expect(keyBody.length).toBeGreaterThan(3);
    for (const line of keyBody) expect(raw).not.toContain(line);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toMatch(/ghs_[A-Za-z0-9]{8,}/);
    expect(raw).not.toContain(API_KEY);
    expect(raw).not.toContain(WEBHOOK_SECRET);
    expect(raw).not.toContain(ENCRYPTION_KEY);
  });

  it('keep secrets out even when a caller sends them in headers', async () => {
    const before = logs.raw().length;
    await api('/api/v1/jobs/not-a-uuid', { headers: { authorization: `Bearer ${API_KEY}` }, apiKey: null });
    await api('/api/v1/jobs/not-a-uuid', { apiKey: `${API_KEY}-typo` });
    const after = logs.raw().slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(after).not.toContain(API_KEY);
  });
});

describe('raw client without the keys', () => {
  it('cannot read the job input', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection, namespace: inject('temporalNamespace') });
      const description = await client.workflow.getHandle(jobWorkflowId(job.id)).fetchHistory();
      const payload = description.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as Payload;
      expect(() => JSON.stringify(defaultPayloadConverter.fromPayload(payload))).toThrow(/encoding/i);
    } finally {
      await connection.close();
    }
  });
});

// Last: it creates a second job, which the metrics above do not count.
describe('payload encryption of failures', () => {
  it('encrypts failure messages too: a failed dispatch leaves no GitHub error text in the raw history, and the job still says what went wrong', async () => {
    const body = jobBody({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101, ref: 'no-such-branch-marker' } });
    expect((await api('/api/v1/jobs', { method: 'POST', json: body })).status).toBe(201);
    const failed = await waitForTerminal(body.id as string);
    expect(failed.status).toBe('invalid_integration');
    expect(failed.message).toContain('no-such-branch-marker');
    const history = await stack.client.workflow.getHandle(jobWorkflowId(failed.id)).fetchHistory();
    const activityFailure = history.events?.find((event) => event.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure;
    expect(activityFailure?.message).toBe('Encoded failure');
    expect(activityFailure?.encodedAttributes?.metadata?.encoding && Buffer.from(activityFailure.encodedAttributes.metadata.encoding).toString()).toBe(
      'binary/encrypted',
    );
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(raw.includes('no-such-branch-marker')).toBe(false);
  });
});
