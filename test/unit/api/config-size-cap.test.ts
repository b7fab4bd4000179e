import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_INPUT_LIMITS } from '../../../src/domain/job-input-limits.ts';
import { buildOfflineApp, TEST_KEYS } from './offline-app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildOfflineApp();
});
afterAll(async () => {
  await app?.close();
});

const create = (jobAgentConfig: Record<string, unknown>, variables: Record<string, unknown> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/jobs',
    headers: { 'x-api-key': TEST_KEYS[0] as string },
    payload: {
      id: randomUUID(),
      jobAgentConfig,
      deployment: { name: 'api' },
      environment: { name: 'prod' },
      resource: { identifier: 'c1' },
      version: { tag: 'v1' },
      variables,
    },
  });

describe('job agent config size, when a job is created', () => {
  it('refuses a config over 64 KiB with 413 before anything starts (Temporal is unreachable here: a start would be 503)', async () => {
    const response = await create({ installationId: 1, owner: 'acme', repo: 'r', workflowId: 1, notes: 'x'.repeat(70 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toMatch(/^jobAgentConfig is \d+ bytes; the limit is 65536 bytes \(64 KiB\)$/);
  });

  it('refuses a config that renders over 64 KiB, however small its templates', async () => {
    const response = await create({ installationId: 1, owner: 'acme', repo: 'r', workflowId: 1, notes: '{{ repeat 70000 "x" }}' });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toMatch(/^rendered jobAgentConfig is \d+ bytes; the limit is 65536 bytes/);
  });
});

describe('the rest of a job, when it is created', () => {
  it('refuses a body over JOB_INPUT_LIMITS.bodyBytes with 413 from its content-length, naming the limit', async () => {
    const response = await create({ installationId: 1, owner: 'acme', repo: 'r', workflowId: 1 }, { blob: 'x'.repeat(JOB_INPUT_LIMITS.bodyBytes) });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: 'payload_too_large', message: 'the request body is over 262144 bytes (256 KiB), the limit for a job' });
  });

  it('refuses each context field over 64 KiB with 413 naming it (e2e: a job with every field just under runs)', async () => {
    const over = await create({ installationId: 1, owner: 'acme', repo: 'r', workflowId: 1 }, { blob: 'x'.repeat(JOB_INPUT_LIMITS.fieldBytes) });
    expect(over.statusCode).toBe(413);
    expect(over.json().message).toMatch(/^body\.variables is \d+ bytes; the limit is 65536 bytes \(64 KiB\)$/);
  });

  it('keeps the whole-body limit of other routes at 1 MiB', async () => {
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/jobs/${randomUUID()}`,
      headers: { 'x-api-key': TEST_KEYS[0] as string, 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'in_progress', message: 'x'.repeat(JOB_INPUT_LIMITS.bodyBytes) }),
    });
    // Past the body limit and on to validation (message is at most 10,000 characters).
    expect(response.statusCode).toBe(400);
  });
});
