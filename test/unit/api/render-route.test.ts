import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOfflineApp, TEST_KEYS } from './offline-app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildOfflineApp();
});
afterAll(async () => {
  await app.close();
});

const context = {
  deployment: { name: 'api-service', slug: 'api' },
  environment: { name: 'production' },
  resource: { identifier: 'cluster-1', config: { namespace: 'prod' } },
  version: { tag: 'v2.0.0' },
  variables: { org: 'acme' },
};
const render = (jobAgentConfig: Record<string, unknown>, apiKey: string | null = TEST_KEYS[0] ?? null) =>
  app.inject({ method: 'POST', url: '/api/v1/render', headers: apiKey ? { 'x-api-key': apiKey } : {}, payload: { ...context, jobAgentConfig } });

describe('POST /api/v1/render', () => {
  it('previews the config a job would dispatch with, creating nothing', async () => {
    const response = await render({
      installationId: '7',
      owner: '{{ .variables.org }}',
      repo: '{{ .deployment.slug }}',
      workflowId: 'deploy.yml',
      ref: '{{ .version.tag }}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      valid: true,
      rendered: { installationId: '7', owner: 'acme', repo: 'api', workflowId: 'deploy.yml', ref: 'v2.0.0' },
      config: { installationId: 7, owner: 'acme', repo: 'api', workflowId: 'deploy.yml', ref: 'v2.0.0' },
    });
  });

  it('says why a job would end invalid_job_agent', async () => {
    const response = await render({ installationId: 1, owner: 'o', repo: '{{ .resource.config.namespac | required "namespace missing" }}', workflowId: 1 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ valid: false });
    expect(response.json().message).toMatch(
      /jobAgentConfig\.repo: template: repo:1:\d+: executing "repo" at <required "namespace missing">: error calling required: namespace missing/,
    );
  });

  it('needs an API key', async () => {
    expect((await render({}, null)).statusCode).toBe(401);
  });
});
