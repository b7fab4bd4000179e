// POST /api/v1/render and POST /api/v1/jobs render templates the caller wrote (issue #26). A render is bounded by
// the template budget, but a maximal one still takes a noticeable time: it runs on a render thread, so the API keeps
// answering (here /healthz) while it does, and a config over the jobs' cap is refused before anything renders.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentDefinition, EMPTY_DECLARATIVE_CONFIG } from '../../../src/config/declarative-config.ts';
import { RENDER_QUEUE_LIMIT, RENDER_THREADS } from '../../../src/api/render-pool.ts';
import { JOB_INPUT_LIMITS } from '../../../src/domain/job-input-limits.ts';
import { buildOfflineApp, TEST_KEYS } from './offline-app.ts';

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildOfflineApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
});

const context = { deployment: { name: 'api' }, environment: { name: 'prod' }, resource: { identifier: 'c1' }, version: { tag: 'v1' } };
const target = { installationId: 1, owner: 'acme', repo: 'r', workflowId: 1 };

/** A job agent config under the 64 KiB cap whose render spends the whole budget (about half a second). */
function maximalConfig(): Record<string, unknown> {
  return { ...target, ref: `{{ $s := repeat 1000000 "a" }}{{ range until 100000 }}{{ $x := replace "a" "" $s }}{{ end }}` };
}

/** Sends a request and resolves once its whole body is written (the server has it before anything sent later). */
function send(method: string, path: string, body?: unknown, to: string = base): { written: Promise<void>; done: Promise<{ status: number; body: string }> } {
  let written!: () => void;
  const writtenPromise = new Promise<void>((resolve) => (written = resolve));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      `${to}${path}`,
      { method, headers: { 'x-api-key': TEST_KEYS[0] as string, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload, () => written());
  });
  return { written: writtenPromise, done };
}

describe('rendering off the event loop', () => {
  it('answers /healthz while a maximal /api/v1/render runs', async () => {
    const order: string[] = [];
    const render = send('POST', '/api/v1/render', { ...context, jobAgentConfig: maximalConfig() });
    await render.written;
    const health = send('GET', '/healthz');
    const [rendered, healthy] = await Promise.all([render.done.then((r) => (order.push('render'), r)), health.done.then((r) => (order.push('healthz'), r))]);
    expect(healthy.status).toBe(200);
    expect(rendered.status).toBe(200);
    expect(JSON.parse(rendered.body)).toMatchObject({ valid: false, message: expect.stringContaining('render budget exceeded') });
    expect(order).toEqual(['healthz', 'render']);
  });

  it('answers /healthz while a long render of POST /api/v1/jobs runs', async () => {
    const order: string[] = [];
    // Three replacements over 1 MB (three quarters of the budget), then an output over the cap: the create ends 413
    // as soon as the render is done, before any call to Temporal.
    const slow = '{{ $s := repeat 1000000 "a" }}{{ range until 3 }}{{ $x := replace "a" "" $s }}{{ end }}{{ repeat 70000 "x" }}';
    const create = send('POST', '/api/v1/jobs', { ...context, jobAgentConfig: { ...target, ref: slow } });
    await create.written;
    const health = send('GET', '/healthz');
    const [created, healthy] = await Promise.all([create.done.then((r) => (order.push('jobs'), r)), health.done.then((r) => (order.push('healthz'), r))]);
    expect(healthy.status).toBe(200);
    expect(created.status).toBe(413);
    expect(order).toEqual(['healthz', 'jobs']);
  });
});

describe('the lock of a configured Deployment', () => {
  let locked: FastifyInstance;
  let lockedBase: string;
  beforeAll(async () => {
    const deployment = {
      type: 'Deployment',
      name: 'api-service',
      jobAgent: 'github',
      jobAgentConfig: { ...target, ref: 'main' },
      source: 'test',
    } as DeploymentDefinition;
    locked = await buildOfflineApp({ config: { ...EMPTY_DECLARATIVE_CONFIG, deployments: new Map([['api-service', deployment]]) } });
    await locked.listen({ host: '127.0.0.1', port: 0 });
    lockedBase = `http://127.0.0.1:${(locked.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await locked?.close();
  });

  it('renders a locked key the request sends on a render thread too: /healthz answers first, then 403', async () => {
    const order: string[] = [];
    const create = send('POST', '/api/v1/jobs', { ...context, deployment: 'api-service', jobAgentConfig: { ref: maximalConfig().ref } }, lockedBase);
    await create.written;
    const health = send('GET', '/healthz', undefined, lockedBase);
    const [created, healthy] = await Promise.all([create.done.then((r) => (order.push('jobs'), r)), health.done.then((r) => (order.push('healthz'), r))]);
    expect(healthy.status).toBe(200);
    expect(created.status).toBe(403);
    expect(JSON.parse(created.body).message).toMatch(/^body\.jobAgentConfig: ref of the configured Deployment "api-service" cannot be changed/);
    expect(order).toEqual(['healthz', 'jobs']);
  });
});

describe('render size', () => {
  it('bounds a preview as a create: a context field over 64 KiB, or a body over 256 KiB, is 413', async () => {
    const inject = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/v1/render', headers: { 'x-api-key': TEST_KEYS[0] as string }, payload });
    const field = await inject({ ...context, jobAgentConfig: target, variables: { notes: 'v'.repeat(JOB_INPUT_LIMITS.fieldBytes) } });
    expect(field.statusCode).toBe(413);
    expect(field.json().message).toMatch(/^body\.variables is \d+ bytes; the limit is 65536 bytes/);
    const body = await inject({ ...context, jobAgentConfig: target, variables: Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`v${n}`, 'v'.repeat(60_000)])) });
    expect(body.statusCode).toBe(413);
    expect(body.json().message).toBe('the request body is over 262144 bytes (256 KiB), the limit for a job');
  });

  it('refuses a /api/v1/render config over 64 KiB with 413, as jobs are refused', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/render',
      headers: { 'x-api-key': TEST_KEYS[0] as string },
      payload: { ...context, jobAgentConfig: { ...target, ref: '{{1}}'.repeat(20_000) } },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: 'payload_too_large',
      message: expect.stringMatching(/^jobAgentConfig is \d+ bytes; the limit is 65536 bytes \(64 KiB\)$/),
    });
  });

  it('refuses a /api/v1/render config that renders over 64 KiB with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/render',
      headers: { 'x-api-key': TEST_KEYS[0] as string },
      payload: { ...context, jobAgentConfig: { ...target, notes: '{{ repeat 70000 "x" }}' } },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toMatch(/^rendered jobAgentConfig is \d+ bytes; the limit is 65536 bytes/);
  });
});

describe('render queue', () => {
  it('refuses a render with 503 while the threads are busy and the queue is full, and the API still answers', async () => {
    const busy = await buildOfflineApp();
    try {
      // async: inject() only starts a request once it is awaited.
      const render = async () =>
        busy.inject({
          method: 'POST',
          url: '/api/v1/render',
          headers: { 'x-api-key': TEST_KEYS[0] as string },
          payload: { ...context, jobAgentConfig: maximalConfig() },
        });
      const waiting = Array.from({ length: RENDER_THREADS + RENDER_QUEUE_LIMIT }, render);
      const refused = await render();
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toEqual({ error: 'unavailable', message: `${RENDER_QUEUE_LIMIT} renders are already waiting; try again shortly` });
      expect((await busy.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      // Closing the API refuses what still waits, rather than rendering it.
      await busy.close();
      const statuses = new Set((await Promise.all(waiting)).map((response) => response.statusCode));
      expect([...statuses].every((status) => status === 200 || status === 503)).toBe(true);
    } finally {
      await busy.close();
    }
  });
});
