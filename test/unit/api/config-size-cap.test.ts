import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
