import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE } from '../../../src/api/default-workspace.ts';
import { createLogger } from '../../../src/logging/create-logger.ts';
import { buildOfflineApp, TEST_KEYS } from './offline-app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildOfflineApp();
});
afterAll(async () => {
  await app?.close();
});

const key = { 'x-api-key': TEST_KEYS[1] as string };
const validBody = () => ({
  id: randomUUID(),
  jobAgentConfig: { installationId: 1, owner: 'acme', repo: 'app', workflowId: 'deploy.yml' },
  deployment: { name: 'api-service' },
  environment: { name: 'production' },
  resource: { identifier: 'cluster-1' },
  version: { tag: 'v1.2.3' },
});

describe('API keys', () => {
  it('answers 401 with a JSON body that says the key is missing', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/workspaces' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.json()).toEqual({ error: 'unauthorized', message: expect.stringMatching(/missing API key.*X-API-Key.*Authorization: Bearer/) });
  });

  it('answers 401 for a wrong key, and accepts every configured key by either header', async () => {
    const wrong = await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { 'x-api-key': 'key-three' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('invalid API key');
    for (const apiKey of TEST_KEYS) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { 'x-api-key': apiKey } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { authorization: `Bearer ${apiKey}` } })).statusCode).toBe(200);
    }
  });

  it('checks the key before anything else, so a caller without one learns nothing about jobs or input', async () => {
    const probes = [
      { method: 'GET' as const, url: `/api/v1/jobs/${randomUUID()}` },
      { method: 'GET' as const, url: '/api/v1/jobs/not-a-uuid' },
      { method: 'GET' as const, url: `/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/${randomUUID()}` },
      { method: 'PATCH' as const, url: `/api/v1/jobs/${randomUUID()}`, payload: { status: 'bogus' } },
      { method: 'POST' as const, url: '/api/v1/jobs', payload: { nope: true } },
    ];
    for (const probe of probes) {
      const response = await app.inject({ ...probe, headers: { 'x-api-key': 'wrong' } });
      expect(response.statusCode, `${probe.method} ${probe.url}`).toBe(401);
      expect(response.json()).toEqual({ error: 'unauthorized', message: 'invalid API key' });
    }
  });

  it('never writes a presented key to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logged = await buildOfflineApp({ logger: createLogger({ level: 'trace', destination: sink }) });
    try {
      await logged.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { 'x-api-key': TEST_KEYS[0] as string } });
      await logged.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { authorization: 'Bearer secret-guess-123' } });
    } finally {
      await logged.close();
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(TEST_KEYS[0]);
    expect(lines.join('')).not.toContain('secret-guess-123');
  });
});

describe('bad input', () => {
  it('answers 400 for malformed JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { ...key, 'content-type': 'application/json' },
      payload: '{"deployment": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/JSON/i) });
  });

  it('names unknown fields of a create body', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: key, payload: { ...validBody(), deploymnet: 'typo' } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toBe('validation_error');
    expect(body.message).toContain('deploymnet');
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: key,
      payload: { ...validBody(), variables: { blob: 'x'.repeat(1024 * 1024 + 1) } },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers 400 naming the field for invalid UUIDs in path and body', async () => {
    const inPath = await app.inject({ method: 'GET', url: '/api/v1/jobs/123', headers: key });
    expect(inPath.statusCode).toBe(400);
    expect(inPath.json().details).toEqual([{ field: 'params.jobId', message: 'jobId must be a UUID' }]);
    const inWorkspacePath = await app.inject({ method: 'GET', url: `/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/123`, headers: key });
    expect(inWorkspacePath.statusCode).toBe(400);
    const inBody = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: key, payload: { ...validBody(), id: 'job-1' } });
    expect(inBody.statusCode).toBe(400);
    expect(inBody.json().message).toContain('body.id');
  });

  it('answers 400 for an unknown status, in a report and in a list filter', async () => {
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/jobs/${randomUUID()}`, headers: key, payload: { status: 'done' } });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().message).toContain('unknown status "done"');
    const list = await app.inject({ method: 'GET', url: '/api/v1/jobs?status=successful,finished', headers: key });
    expect(list.statusCode).toBe(400);
    expect(list.json().message).toContain('unknown status "finished"');
  });

  it('answers 400 for a page size out of range, a malformed cursor and an unknown query parameter', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'cursor=not%20a%20cursor', 'owner=acme']) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/jobs?${query}`, headers: key });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error).toBe('validation_error');
    }
  });

  it('answers 400 for a deployment name that no CONFIG_FILE defines when the request does not name its whole target', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: key,
      payload: { ...validBody(), deployment: 'web', jobAgentConfig: { ref: 'release' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'validation_error', message: expect.stringContaining('"web" is not a configured Deployment') });
  });

  it('answers 400 when neither jobAgentConfig nor a configured deployment is given', async () => {
    const { jobAgentConfig: _omitted, ...body } = validBody();
    const response = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: key, payload: body });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([{ field: 'body.jobAgentConfig', message: 'required' }]);
  });
});

describe('workspaces', () => {
  it('lists the one default workspace', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: key });
    expect(response.json()).toEqual({ workspaces: [DEFAULT_WORKSPACE], total: 1 });
  });

  it('answers 404 for any other workspace', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/workspaces/${randomUUID()}/jobs/${randomUUID()}`, headers: key });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe('not_found');
  });

  it('is reachable with base_url with or without /api, as Ctrlplane clients build the URL', async () => {
    for (const url of ['/api/v1/workspaces', '/api/api/v1/workspaces', '/v1/workspaces']) {
      const response = await app.inject({ method: 'GET', url, headers: key });
      expect(response.statusCode, url).toBe(200);
      expect(response.json().total).toBe(1);
    }
  });
});

describe('the dispatch context a job needs', () => {
  it('names each missing part of the context and what it must hold, instead of "Invalid input"', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/render',
      headers: key,
      payload: { jobAgentConfig: { installationId: 1, owner: 'acme', repo: 'app', workflowId: 'deploy.yml' }, environment: {} },
    });
    expect(response.statusCode).toBe(400);
    const { message } = response.json() as { message: string };
    expect(message).toContain('body.deployment: required: the deployment, an object with at least name (or the name of a configured Deployment)');
    expect(message).toContain('body.environment.name: required: the environment name');
    expect(message).toContain('body.resource: required: the resource, an object with at least identifier');
    expect(message).toContain('body.version: required: the version, an object with at least tag');
    expect(message).not.toMatch(/Invalid input/);
  });
});

describe('content types', () => {
  it('answers 415 naming the content type it got and the one it takes', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...key, 'content-type': 'application/xml' }, payload: '<job/>' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: 'unsupported_media_type', message: 'content type application/xml is not accepted here: send application/json' });
  });
});

describe('a deployment given by name', () => {
  it('is just a name when no Deployment is configured by it and the request brings its own config', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/render',
      headers: key,
      payload: {
        deployment: 'web',
        environment: { name: 'production' },
        resource: { identifier: 'cluster-1' },
        version: { tag: 'v1' },
        jobAgentConfig: { installationId: 1, owner: 'acme', repo: '{{ .deployment.name }}-deploy', workflowId: 'deploy.yml' },
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ valid: true, config: { repo: 'web-deploy' } });
  });

  it('still names the configured Deployments when it brings no config', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/render',
      headers: key,
      payload: { deployment: 'web', environment: { name: 'production' }, resource: { identifier: 'cluster-1' }, version: { tag: 'v1' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/"web" is not a configured Deployment/);
  });
});
