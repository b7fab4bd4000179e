import { randomBytes, randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireApiKey } from '../../../src/api/api-key-auth.ts';
import { DEFAULT_WORKSPACE } from '../../../src/api/default-workspace.ts';
import { mintJobToken } from '../../../src/auth/job-token.ts';
import { createPayloadCodecs } from '../../../src/codec/create-payload-codecs.ts';
import { buildOfflineApp } from './offline-app.ts';

const { temporal } = proto;

const UNSCOPED = 'unscoped-key';
const CREATE_ONLY = 'create-only-key';
const READER = 'reader-key';
const REPORTER = 'reporter-key';
const CODEC_ONLY = 'codec-only-key';
const JOBS_ALL = 'jobs-all-key';
const SECRET = randomBytes(32).toString('hex');
const UI_ORIGIN = 'http://127.0.0.1:8233';

const routes: RouteOptions[] = [];
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildOfflineApp({
    apiKeys: [
      UNSCOPED,
      { key: CREATE_ONLY, scopes: ['jobs:create'] },
      { key: READER, scopes: ['jobs:read'] },
      { key: REPORTER, scopes: ['jobs:report'] },
      { key: CODEC_ONLY, scopes: ['codec'] },
      { key: JOBS_ALL, scopes: ['jobs:create', 'jobs:read', 'jobs:report', 'jobs:cancel'] },
    ],
    jobTokenSecrets: [SECRET],
    payloadCodecs: createPayloadCodecs(`k1:${randomBytes(32).toString('base64')}`),
    codecCorsOrigins: [UI_ORIGIN],
    onRoute: (route) => routes.push(route),
  });
});
afterAll(async () => {
  await app?.close();
});

const validBody = () => ({
  id: randomUUID(),
  jobAgentConfig: { installationId: 1, owner: 'acme', repo: 'app', workflowId: 'deploy.yml' },
  deployment: { name: 'api-service' },
  environment: { name: 'production' },
  resource: { identifier: 'cluster-1' },
  version: { tag: 'v1.2.3' },
});

const plainPayloads = () =>
  temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: [defaultPayloadConverter.toPayload({ hello: 'world' })] }), {
    bytes: String,
  });

type Probe = { name: string; scope: string; method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: unknown };

/**
 * One request for every route behind the API-key check, with the scope it needs. Those that would reach Temporal
 * carry invalid input instead: a caller who gets past the check gets a 400 from validation, one who does not a
 * 401/403 (the check runs before validation), and the offline app never waits on Temporal.
 */
function probes(): Probe[] {
  return [
    { name: 'create', scope: 'jobs:create', method: 'POST', url: '/api/v1/jobs', payload: { nope: true } },
    { name: 'render', scope: 'jobs:create', method: 'POST', url: '/api/v1/render', payload: validBody() },
    { name: 'list', scope: 'jobs:read', method: 'GET', url: '/api/v1/jobs?limit=0' },
    { name: 'get', scope: 'jobs:read', method: 'GET', url: '/api/v1/jobs/not-a-uuid' },
    { name: 'workspaces', scope: 'jobs:read', method: 'GET', url: '/api/v1/workspaces' },
    { name: 'workspace job', scope: 'jobs:read', method: 'GET', url: `/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/not-a-uuid` },
    { name: 'report', scope: 'jobs:report', method: 'PATCH', url: `/api/v1/jobs/${randomUUID()}`, payload: { status: 'bogus' } },
    { name: 'cancel', scope: 'jobs:cancel', method: 'POST', url: '/api/v1/jobs/not-a-uuid/cancel' },
    { name: 'encode', scope: 'codec', method: 'POST', url: '/codec/encode', payload: plainPayloads() },
    { name: 'decode', scope: 'codec', method: 'POST', url: '/codec/decode', payload: plainPayloads() },
  ];
}

/** Requests a job token for `jobId` may not make, or (own-job routes) may make only for its own job. */
function tokenProbes(jobId: string): Probe[] {
  return [
    { name: 'create', scope: 'jobs:create', method: 'POST', url: '/api/v1/jobs', payload: validBody() },
    { name: 'render', scope: 'jobs:create', method: 'POST', url: '/api/v1/render', payload: validBody() },
    { name: 'list', scope: 'jobs:read', method: 'GET', url: '/api/v1/jobs' },
    { name: 'cancel', scope: 'jobs:cancel', method: 'POST', url: `/api/v1/jobs/${jobId}/cancel` },
    { name: 'encode', scope: 'codec', method: 'POST', url: '/codec/encode', payload: plainPayloads() },
    { name: 'decode', scope: 'codec', method: 'POST', url: '/codec/decode', payload: plainPayloads() },
  ];
}

describe('scoped API keys', () => {
  it('answer 403 naming the missing scope on every route outside their scopes, and get past the check inside them', async () => {
    const keys: Record<string, string[]> = {
      [CREATE_ONLY]: ['jobs:create'],
      [READER]: ['jobs:read'],
      [REPORTER]: ['jobs:report'],
      [CODEC_ONLY]: ['codec'],
      [JOBS_ALL]: ['jobs:create', 'jobs:read', 'jobs:report', 'jobs:cancel'],
    };
    for (const [key, scopes] of Object.entries(keys)) {
      for (const probe of probes()) {
        const response = await app.inject({ method: probe.method, url: probe.url, payload: probe.payload as never, headers: { 'x-api-key': key } });
        const label = `${key} ${probe.name}`;
        if (scopes.includes(probe.scope)) {
          expect([200, 400], label).toContain(response.statusCode);
        } else {
          expect(response.statusCode, label).toBe(403);
          expect(response.json(), label).toEqual({ error: 'forbidden', message: `this API key lacks the ${probe.scope} scope` });
        }
      }
    }
  });

  it('refuse a create without jobs:create before anything starts, by either header', async () => {
    for (const headers of [{ 'x-api-key': READER }, { authorization: `Bearer ${READER}` }]) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/jobs', payload: validBody(), headers });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ error: 'forbidden', message: 'this API key lacks the jobs:create scope' });
    }
  });

  it('check the scope before validating the request, so a caller learns nothing about input it may not send', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/jobs', payload: { nope: true }, headers: { 'x-api-key': CODEC_ONLY } });
    expect(response.statusCode).toBe(403);
  });

  it('let a codec-only key decode, and refuse it the jobs API; a jobs key may not decode', async () => {
    const encoded = await app.inject({ method: 'POST', url: '/codec/encode', payload: plainPayloads(), headers: { 'x-api-key': CODEC_ONLY } });
    expect(encoded.statusCode).toBe(200);
    const decoded = await app.inject({ method: 'POST', url: '/codec/decode', payload: encoded.json(), headers: { 'x-api-key': CODEC_ONLY } });
    expect(decoded.statusCode).toBe(200);
    expect(decoded.json()).toEqual(plainPayloads());
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { 'x-api-key': CODEC_ONLY } })).statusCode).toBe(403);
    const refused = await app.inject({ method: 'POST', url: '/codec/decode', payload: encoded.json(), headers: { 'x-api-key': JOBS_ALL } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: 'forbidden', message: 'this API key lacks the codec scope' });
  });

  it('leave an unscoped key every scope', async () => {
    for (const probe of probes()) {
      const response = await app.inject({ method: probe.method, url: probe.url, payload: probe.payload as never, headers: { 'x-api-key': UNSCOPED } });
      expect([200, 400], probe.name).toContain(response.statusCode);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { 'x-api-key': UNSCOPED } })).statusCode).toBe(200);
  });

  it('still answer 401, not 403, for a missing or unknown key', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/jobs', payload: validBody() })).statusCode).toBe(401);
    const unknown = await app.inject({ method: 'POST', url: '/codec/decode', payload: plainPayloads(), headers: { 'x-api-key': 'nope' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual({ error: 'unauthorized', message: 'invalid API key' });
  });
});

describe('every route behind the API-key check declares a scope', () => {
  it('holds for each /api/v1 and /codec route of the app', () => {
    const guarded = routes.filter((route) => /^\/(api\/v1|codec)(\/|$)/.test(route.url) && route.method !== 'OPTIONS');
    const described = guarded.map((route) => `${String(route.method)} ${route.url} → ${route.config?.scope ?? 'NONE'}`);
    expect(described).toEqual(
      expect.arrayContaining([
        'POST /api/v1/jobs → jobs:create',
        'POST /api/v1/render → jobs:create',
        'GET /api/v1/jobs → jobs:read',
        'GET /api/v1/jobs/:jobId → jobs:read',
        'PATCH /api/v1/jobs/:jobId → jobs:report',
        'POST /api/v1/jobs/:jobId/cancel → jobs:cancel',
        'GET /api/v1/workspaces → jobs:read',
        'GET /api/v1/workspaces/:workspaceId/jobs/:jobId → jobs:read',
        'POST /codec/encode → codec',
        'POST /codec/decode → codec',
      ]),
    );
    expect(described.filter((line) => line.endsWith('NONE'))).toEqual([]);
    // Job tokens reach exactly the routes get-job-inputs and the status report use.
    expect(
      guarded
        .filter((route) => route.config?.jobToken)
        .map((route) => `${String(route.method)} ${route.url}`)
        .sort(),
    ).toEqual(
      [
        'GET /api/v1/jobs/:jobId',
        'GET /api/v1/workspaces',
        'GET /api/v1/workspaces/:workspaceId/jobs/:jobId',
        'HEAD /api/v1/jobs/:jobId',
        'HEAD /api/v1/workspaces',
        'HEAD /api/v1/workspaces/:workspaceId/jobs/:jobId',
        'PATCH /api/v1/jobs/:jobId',
      ].sort(),
    );
  });

  it('is enforced: a route added behind the check without a scope stops the app from starting', async () => {
    const bare = Fastify();
    const registered = bare.register(async (scoped) => {
      requireApiKey(scoped, { apiKeys: ['k'] });
      scoped.get('/api/v1/unscoped', async () => ({ ok: true }));
    });
    await expect(registered).rejects.toThrow(/GET \/api\/v1\/unscoped .*declares no scope/);
    await bare.close().catch(() => undefined);
  });
});

describe('job tokens', () => {
  const jobId = randomUUID();
  const token = mintJobToken(SECRET, jobId);
  const asToken = { 'x-api-key': token };

  it('answer 403 on every route but reading and reporting their own job', async () => {
    for (const probe of tokenProbes(jobId)) {
      const response = await app.inject({ method: probe.method, url: probe.url, payload: probe.payload as never, headers: asToken });
      expect(response.statusCode, probe.name).toBe(403);
      expect(response.json(), probe.name).toEqual({ error: 'forbidden', message: expect.stringMatching(/job token/) });
    }
  });

  it('answer 403 for another job on the routes they may call, through either header', async () => {
    const other = randomUUID();
    const ownJobRoutes: Probe[] = [
      { name: 'get', scope: 'jobs:read', method: 'GET', url: `/api/v1/jobs/${other}` },
      { name: 'workspace job', scope: 'jobs:read', method: 'GET', url: `/api/v1/workspaces/${DEFAULT_WORKSPACE.id}/jobs/${other}` },
      { name: 'report', scope: 'jobs:report', method: 'PATCH', url: `/api/v1/jobs/${other}`, payload: { status: 'successful' } },
    ];
    for (const probe of ownJobRoutes) {
      for (const headers of [asToken, { authorization: `Bearer ${token}` }]) {
        const response = await app.inject({ method: probe.method, url: probe.url, payload: probe.payload as never, headers });
        expect(response.statusCode, probe.name).toBe(403);
        expect(response.json()).toEqual({ error: 'forbidden', message: `this job token is for job ${jobId} only` });
      }
    }
    // A path that is no job ID at all is another job too.
    expect((await app.inject({ method: 'GET', url: '/api/v1/jobs/not-a-uuid', headers: asToken })).statusCode).toBe(403);
  });

  it('are refused 401 when forged, tampered with, or when the API has no JOB_TOKEN_SECRET', async () => {
    const forged = mintJobToken(randomBytes(32).toString('hex'), jobId);
    const [head, issued, mac] = token.split('.') as [string, string, string];
    // Another job ID: its last hex digit changed (always to a different one, whatever the random ID ends in).
    const otherLastDigit = head.endsWith('0') ? '1' : '0';
    const tampered = [`${head}.${Number(issued) + 1}.${mac}`, `${head.slice(0, -1)}${otherLastDigit}.${issued}.${mac}`, `${token}x`, 'gha_job_'];
    expect(tampered).not.toContain(token);
    for (const credential of [forged, ...tampered]) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: { 'x-api-key': credential } });
      expect(response.statusCode, credential).toBe(401);
      expect(response.json()).toEqual({ error: 'unauthorized', message: 'invalid API key' });
    }
    const withoutSecret = await buildOfflineApp({ apiKeys: [UNSCOPED] });
    try {
      expect((await withoutSecret.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: asToken })).statusCode).toBe(401);
    } finally {
      await withoutSecret.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin = UI_ORIGIN) =>
    app.inject({
      method: 'OPTIONS',
      url,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
  const corsHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((name) => name.startsWith('access-control-'));

  it('answers a preflight on the codec routes for an allowed origin', async () => {
    const response = await preflight('/codec/decode');
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  });

  it('serves no CORS headers anywhere else, even to the codec endpoint’s own origin', async () => {
    for (const url of ['/api/v1/jobs', `/api/v1/jobs/${randomUUID()}`, '/api/v1/workspaces', '/api/github/webhook', '/healthz', '/metrics', '/docs']) {
      const response = await preflight(url);
      expect(corsHeaders(response.headers), url).toEqual([]);
      expect(response.statusCode, url).not.toBe(204);
    }
    const get = await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { origin: UI_ORIGIN, 'x-api-key': UNSCOPED } });
    expect(get.statusCode).toBe(200);
    expect(corsHeaders(get.headers)).toEqual([]);
  });
});
