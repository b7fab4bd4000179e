import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOfflineApp } from './offline-app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildOfflineApp();
});
afterAll(async () => {
  await app?.close();
});

async function openApiDocument(): Promise<{
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown> };
}> {
  const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI document', async () => {
    const document = await openApiDocument();
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
    // The validator is not a rubber stamp: the same document without `info` fails.
    const { info: _info, ...broken } = document as unknown as Record<string, unknown>;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('describes every route the API serves with its operations', async () => {
    const { paths } = await openApiDocument();
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/github/webhook',
        'POST /api/v1/jobs',
        'GET /api/v1/jobs',
        'GET /api/v1/jobs/{jobId}',
        'PATCH /api/v1/jobs/{jobId}',
        'POST /api/v1/jobs/{jobId}/cancel',
        'GET /api/v1/workspaces',
        'GET /api/v1/workspaces/{workspaceId}/jobs/{jobId}',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
  });

  it('is generated from the zod schemas: body, query, params and responses are there', async () => {
    const { paths, components } = await openApiDocument();
    const create = paths['/api/v1/jobs']?.post as { requestBody?: unknown; responses: Record<string, unknown> };
    expect(create.requestBody).toBeDefined();
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '413']));
    const list = paths['/api/v1/jobs']?.get as { parameters: Array<{ name: string; in: string }> };
    expect(list.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['status', 'deployment', 'environment', 'resource', 'limit', 'cursor']),
    );
    const get = paths['/api/v1/jobs/{jobId}']?.get as { parameters: Array<{ name: string; in: string; schema: { format?: string } }> };
    expect(get.parameters.find((p) => p.name === 'jobId')).toMatchObject({ in: 'path', schema: { format: 'uuid' } });
    expect(Object.keys(components?.schemas ?? {})).toEqual(expect.arrayContaining(['Job', 'WorkspaceJob', 'CreateJobRequest', 'JobList', 'Error']));
  });

  it('serves interactive docs at /docs', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    const page = response.statusCode === 302 ? await app.inject({ method: 'GET', url: response.headers.location as string }) : response;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger');
  });
});

describe('the OpenAPI document version', () => {
  it("is the service's own version from package.json", async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const app = await buildOfflineApp();
    try {
      const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { info: { version: string } };
      expect(document.info.version).toBe(pkg.version);
    } finally {
      await app.close();
    }
  });
});
