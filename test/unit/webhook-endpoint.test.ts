import { createHmac, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.ts';
import { MAX_DELIVERY_ID_LENGTH } from '../../src/api/webhook-route.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { findFreePort } from '../../src/temporal/free-port.ts';

// The webhook endpoint's answers to bad input, and to a Temporal it cannot reach. Nothing listens on the Temporal
// address here, so any request that gets past validation meets an unreachable Temporal.
const SECRET = 'webhook-secret';
let app: FastifyInstance;
let connection: Connection;

beforeAll(async () => {
  connection = Connection.lazy({ address: `127.0.0.1:${await findFreePort()}`, connectTimeout: 500 });
  app = await buildApp({
    client: new Client({ connection }),
    taskQueue: 'unused',
    apiKeys: ['k'],
    webhookSecret: SECRET,
    logger: createLogger({ level: 'silent' }),
  });
});
afterAll(async () => {
  await app?.close();
  await connection?.close();
});

const sign = (body: string | Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
function deliver(body: string | Buffer, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/github/webhook',
    payload: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'workflow_run',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': sign(body),
      ...headers,
    },
  });
}
const runEvent = (jobId: string, trigger = 'workflow_dispatch') =>
  JSON.stringify({
    action: 'completed',
    workflow_run: { id: 5, name: 'Deploy', display_title: `Deploy ${jobId}`, event: trigger, status: 'completed', conclusion: 'success' },
  });

describe('POST /api/github/webhook', () => {
  it('answers 401 without touching Temporal when the signature is missing or wrong', async () => {
    const body = runEvent(randomUUID());
    expect((await deliver(body, { 'x-hub-signature-256': '' })).statusCode).toBe(401);
    expect((await deliver(body, { 'x-hub-signature-256': sign(body, 'other') })).statusCode).toBe(401);
    const tampered = await deliver(body.replace('success', 'failure'), { 'x-hub-signature-256': sign(body) });
    expect(tampered.statusCode).toBe(401);
    expect(tampered.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('answers 400 to an X-GitHub-Delivery that is no GUID-sized ID, before the body is read or Temporal is asked', async () => {
    const body = runEvent(randomUUID());
    for (const id of ['x'.repeat(MAX_DELIVERY_ID_LENGTH + 1), 'x'.repeat(15_000), 'a b', 'id\u00e9']) {
      const response = await deliver(body, { 'x-github-delivery': id });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^X-GitHub-Delivery must be at most 64/) });
    }
    // As long as allowed: past the header checks, it meets the unreachable Temporal (503), not a 400.
    expect((await deliver(body, { 'x-github-delivery': 'x'.repeat(MAX_DELIVERY_ID_LENGTH) })).statusCode).toBe(503);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const response = await deliver('{"action":');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/not valid JSON/);
  });

  it('answers 413 for a body over WEBHOOK_BODY_LIMIT (default 1 MiB)', async () => {
    const huge = Buffer.alloc(1024 * 1024 + 10, 0x20);
    expect((await deliver(huge, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` })).statusCode).toBe(413);
    const fits = Buffer.alloc(1024 * 1024 - 10, 0x20);
    expect((await deliver(fits, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` })).statusCode).toBe(401);
  });

  it('answers from the headers alone, before reading the body: no or malformed signature 401, unhandled event 202', async () => {
    const body = runEvent(randomUUID());
    for (const signature of ['sha256=00', `sha1=${'a'.repeat(40)}`, `sha256=${'g'.repeat(64)}`, `sha256=${'a'.repeat(65)}`, ` ${sign(body)}`]) {
      const response = await deliver(body, { 'x-hub-signature-256': signature });
      expect(response.statusCode, signature).toBe(401);
      expect(response.json().message).toContain('64 hex digits');
    }
    // An event we do not handle is ignored without its body being read or checked (a huge one costs nothing).
    const ignored = await deliver(Buffer.alloc(5 * 1024 * 1024, 0x20), { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
    expect(ignored.statusCode).toBe(202);
  });

  it('answers 200 to ping and 202 to events it does not handle', async () => {
    const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 });
    expect((await deliver(ping, { 'x-github-event': 'ping' })).statusCode).toBe(200);
    const push = JSON.stringify({ ref: 'refs/heads/main' });
    const ignored = await deliver(push, { 'x-github-event': 'push' });
    expect(ignored.statusCode).toBe(202);
    expect(ignored.json()).toMatchObject({ ignored: true });
  });

  it('accepts GitHub’s form-encoded deliveries (payload=…)', async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify({ zen: 'Keep it simple.' }))}`;
    const response = await deliver(form, { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'ping' });
    expect(response.statusCode).toBe(200);
  });

  it('answers 503 when Temporal is unreachable, so GitHub records the delivery as failed', async () => {
    const response = await deliver(runEvent(randomUUID()));
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'unavailable' });
  }, 30_000);

  it('ignores a run that no job could have dispatched (push, pull_request…) without asking Temporal', async () => {
    // Temporal is unreachable here: a Temporal call would answer 503.
    for (const trigger of ['push', 'pull_request', 'schedule']) {
      const response = await deliver(runEvent(randomUUID(), trigger));
      expect(response.statusCode, trigger).toBe(202);
      expect(response.json().message).toContain(`run started by ${trigger}, not workflow_dispatch`);
    }
  });

  it('answers 503 and says why when no webhook secret is configured', async () => {
    const bare = await buildApp({ client: new Client({ connection }), taskQueue: 'unused', apiKeys: [], logger: createLogger({ level: 'silent' }) });
    try {
      const response = await bare.inject({ method: 'POST', url: '/api/github/webhook', payload: '{}', headers: { 'content-type': 'application/json' } });
      expect(response.statusCode).toBe(503);
      expect(response.json().message).toContain('GITHUB_WEBHOOK_SECRET');
    } finally {
      await bare.close();
    }
  });
});
