import { afterEach, describe, expect, it } from 'vitest';
import { CTRLPLANE_JOB_STATUSES, HTTP_PULL_AGENT_TYPE, type CtrlplaneJob } from '../../../src/ctrlplane/ctrlplane-job.ts';
import { startCtrlplaneSandbox, type CtrlplaneSandbox } from '../../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';

const API_KEY = 'cp_test.s3cr3t-value';
const WS = '11111111-1111-4111-8111-111111111111';
const OTHER_WS = '22222222-2222-4222-8222-222222222222';
const AGENT = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER_AGENT = 'aaaaaaaa-0000-4000-8000-000000000002';

let sandbox: CtrlplaneSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** A sandbox with one http-pull agent in WS, another agent beside it, and one in OTHER_WS. */
async function start(): Promise<CtrlplaneSandbox> {
  sandbox = await startCtrlplaneSandbox({ apiKeys: [API_KEY], workspaces: [{ id: WS, slug: 'acme' }, { id: OTHER_WS }] });
  sandbox.addJobAgent({ workspaceId: WS, id: AGENT, name: 'github-actions-agent', type: HTTP_PULL_AGENT_TYPE, config: { owner: 'acme' } });
  sandbox.addJobAgent({ workspaceId: WS, id: OTHER_AGENT, name: 'someone-else', type: HTTP_PULL_AGENT_TYPE });
  sandbox.addJobAgent({ workspaceId: OTHER_WS, id: AGENT, name: 'github-actions-agent', type: HTTP_PULL_AGENT_TYPE });
  return sandbox;
}

interface Answer {
  status: number;
  body: any;
}

async function api(
  s: CtrlplaneSandbox,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'x-api-key': API_KEY, ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${s.url}/api${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const agentPath = (agentId = AGENT, ws = WS) => `/v1/workspaces/${ws}/job-agents/${agentId}`;
const claimPath = (jobId: string, agentId = AGENT, ws = WS) => `${agentPath(agentId, ws)}/jobs/${jobId}/claim`;
const statusPath = (jobId: string, ws = WS) => `/v1/workspaces/${ws}/jobs/${jobId}/status`;

function queuedJob(s: CtrlplaneSandbox, overrides: Partial<Parameters<CtrlplaneSandbox['createJob']>[0]> = {}): CtrlplaneJob {
  return s.createJob({
    workspaceId: WS,
    jobAgentId: AGENT,
    dispatchContext: { deployment: { slug: 'web' }, version: { tag: 'v1.2.3' }, variables: { replicas: 3, settings: { object: { a: 1 } } } },
    ...overrides,
  });
}

/** The error a failed `fetch` carries from the socket (ECONNREFUSED, ECONNRESET…). */
async function connectionError(call: Promise<unknown>): Promise<string | undefined> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TypeError);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message;
}

describe('Ctrlplane sandbox: authentication', () => {
  it('accepts only X-API-Key with a known key; Bearer is refused even with a valid key', async () => {
    const s = await start();
    expect((await api(s, 'GET', agentPath())).status).toBe(200);

    const none = await fetch(`${s.url}/api${agentPath()}`);
    expect(none.status).toBe(401);
    const refused = { message: 'Authentication failed', code: 'AUTH_FAILED' };
    expect(await none.json()).toEqual({
      message: "'X-API-Key' header required",
      code: 'Unauthorized',
      details: [{ path: '/api/v1/workspaces/{workspaceId}/job-agents/{agentId}', message: "'X-API-Key' header required" }],
    });
    const wrong = await api(s, 'GET', agentPath(), { headers: { 'x-api-key': 'cp_test.wrong' } });
    expect(wrong).toEqual({ status: 401, body: refused });
    const bearer = await fetch(`${s.url}/api${agentPath()}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toEqual(refused);

    expect(s.requests().map((r) => [r.auth, r.status])).toEqual([
      ['api-key', 200],
      ['none', 401],
      ['invalid', 401],
      ['bearer', 401],
    ]);
  });

  it('refuses to start with a key not shaped <prefix>.<secret>', async () => {
    await expect(startCtrlplaneSandbox({ apiKeys: ['no-dot'], workspaces: [{ id: WS }] })).rejects.toThrow(/<prefix>\.<secret>/);
  });

  it('answers 404 for an unknown workspace, an unknown route and a wrong method', async () => {
    const s = await start();
    expect((await api(s, 'GET', agentPath(AGENT, '33333333-3333-4333-8333-333333333333'))).status).toBe(404);
    expect((await api(s, 'GET', '/v1/workspaces')).status).toBe(404);
    expect((await api(s, 'DELETE', agentPath())).status).toBe(404);
    expect((await api(s, 'GET', `${agentPath()}/jobs/x/claim`)).status).toBe(404);
  });
});

describe('Ctrlplane sandbox: job agents', () => {
  it('GET returns the agent or 404', async () => {
    const s = await start();
    expect(await api(s, 'GET', agentPath())).toEqual({
      status: 200,
      body: { id: AGENT, workspaceId: WS, name: 'github-actions-agent', type: 'http-pull', config: { owner: 'acme' }, metadata: {} },
    });
    expect(await api(s, 'GET', agentPath('aaaaaaaa-0000-4000-8000-00000000ffff'))).toEqual({ status: 404, body: { message: 'Job agent not found' } });
  });

  it('PUT creates with 202 and replaces name, type and config wholesale', async () => {
    const s = await start();
    const id = 'bbbbbbbb-0000-4000-8000-000000000001';
    const created = await api(s, 'PUT', agentPath(id), { body: { name: 'new-agent', type: 'http-pull', config: { a: 1, nested: { x: 1 } } } });
    expect(created).toEqual({ status: 202, body: { id, message: 'Job agent update requested' } });
    expect((await api(s, 'GET', agentPath(id))).body).toMatchObject({ name: 'new-agent', type: 'http-pull', config: { a: 1, nested: { x: 1 } } });

    const replaced = await api(s, 'PUT', agentPath(id), { body: { name: 'renamed', type: 'github-app', config: { nested: { y: 2 } } } });
    expect(replaced.status).toBe(202);
    expect((await api(s, 'GET', agentPath(id))).body).toEqual({
      id,
      workspaceId: WS,
      name: 'renamed',
      type: 'github-app',
      config: { nested: { y: 2 } },
      metadata: {},
    });
    expect(s.jobAgent(WS, id)?.config).toEqual({ nested: { y: 2 } });
    expect(
      s
        .jobAgents(WS)
        .map((a) => a.name)
        .sort(),
    ).toEqual(['github-actions-agent', 'renamed', 'someone-else']);
  });

  it('a new id with a name already taken in the workspace is a 500, as Ctrlplane’s unique constraint makes it', async () => {
    const s = await start();
    const clash = await api(s, 'PUT', agentPath('bbbbbbbb-0000-4000-8000-000000000002'), {
      body: { name: 'github-actions-agent', type: 'http-pull', config: {} },
    });
    expect(clash.status).toBe(500);
    expect(clash.body).toMatchObject({ message: expect.stringContaining('unique constraint'), code: 'INTERNAL_ERROR' });
    expect(s.jobAgent(WS, 'bbbbbbbb-0000-4000-8000-000000000002')).toBeUndefined();
    // Same id, same name: an ordinary upsert. The same name in another workspace is fine too.
    expect((await api(s, 'PUT', agentPath(), { body: { name: 'github-actions-agent', type: 'http-pull', config: {} } })).status).toBe(202);
    expect(() => s.addJobAgent({ workspaceId: WS, id: 'bbbbbbbb-0000-4000-8000-000000000003', name: 'someone-else', type: 'http-pull' })).toThrow(
      /already exists/,
    );
  });

  it('rejects bodies that are not JSON, lack fields or have the wrong types with 400', async () => {
    const s = await start();
    const id = 'bbbbbbbb-0000-4000-8000-000000000004';
    const notJson = await api(s, 'PUT', agentPath(id), { raw: '{name:', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ code: 'SyntaxError' });
    for (const body of [
      {},
      { name: 'x', type: 'http-pull' },
      { name: 'x', type: 'http-pull', config: [] },
      { name: 'x', type: 'http-pull', config: null },
      { name: 1, type: 'http-pull', config: {} },
      ['x'],
    ]) {
      const answer = await api(s, 'PUT', agentPath(id), { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body, JSON.stringify(body)).toMatchObject({ code: 'Bad Request', message: expect.stringMatching(/^request\/body/) });
      expect(answer.body.details.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    expect((await api(s, 'PUT', agentPath(id))).status).toBe(400);
    expect(s.jobAgent(WS, id)).toBeUndefined();
  });
});

describe('Ctrlplane sandbox: listing jobs', () => {
  it('lists the agent’s jobs newest first, ties by id, with total, limit and offset', async () => {
    const s = await start();
    queuedJob(s, { id: 'job-b', createdAt: '2025-01-01T00:00:02.000Z' });
    queuedJob(s, { id: 'job-a', createdAt: '2025-01-01T00:00:02.000Z' });
    queuedJob(s, { id: 'job-old', createdAt: '2025-01-01T00:00:00.000Z' });
    queuedJob(s, { id: 'job-new', createdAt: '2025-01-01T00:00:05.000Z' });
    queuedJob(s, { id: 'job-other-agent', jobAgentId: OTHER_AGENT });
    queuedJob(s, { id: 'job-other-ws', workspaceId: OTHER_WS });

    const all = await api(s, 'GET', `${agentPath()}/jobs`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((j: CtrlplaneJob) => j.id)).toEqual(['job-new', 'job-b', 'job-a', 'job-old']);
    expect(all.body).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(all.body.items[0]).not.toHaveProperty('dispatchContext');

    const page = await api(s, 'GET', `${agentPath()}/jobs?limit=2&offset=1&includeDispatchContext=true`);
    expect(page.body.items.map((j: CtrlplaneJob) => j.id)).toEqual(['job-b', 'job-a']);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items[0].dispatchContext.deployment).toEqual({ slug: 'web' });

    expect((await api(s, 'GET', `${agentPath()}/jobs?offset=10`)).body).toEqual({ items: [], total: 4, limit: 50, offset: 10 });
  });

  it('filters by status', async () => {
    const s = await start();
    queuedJob(s, { id: 'queued-1' });
    queuedJob(s, { id: 'done-1', status: 'successful' });
    const queued = await api(s, 'GET', `${agentPath()}/jobs?status=queued&includeDispatchContext=false`);
    expect(queued.body.items.map((j: CtrlplaneJob) => j.id)).toEqual(['queued-1']);
    expect(queued.body.total).toBe(1);
    const done = await api(s, 'GET', `${agentPath()}/jobs?status=successful`);
    expect(done.body.items.map((j: CtrlplaneJob) => [j.id, j.status, typeof j.completedAt])).toEqual([['done-1', 'successful', 'string']]);
  });

  it('rejects unknown and malformed query parameters with 400', async () => {
    const s = await start();
    for (const query of [
      'page=2',
      'status=in_progress',
      'status=Queued',
      'status=queued&status=pending',
      'includeDispatchContext=yes',
      'includeDispatchContext=1',
      'limit=1001',
      'limit=0',
      'limit=',
      'limit=abc',
      'limit=2.5',
      'offset=-1',
      'offset=x',
    ]) {
      const answer = await api(s, 'GET', `${agentPath()}/jobs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body, query).toMatchObject({ code: 'Bad Request', message: expect.any(String) });
      expect(answer.body.details[0].path, query).toMatch(/^\/query\//);
    }
    expect((await api(s, 'GET', `${agentPath()}/jobs?limit=1000&offset=0`)).status).toBe(200);
  });

  it('answers 404 for an unknown agent, or an agent of another workspace', async () => {
    const s = await start();
    expect((await api(s, 'GET', `${agentPath('aaaaaaaa-0000-4000-8000-00000000ffff')}/jobs`)).status).toBe(404);
    expect((await api(s, 'GET', `${agentPath(OTHER_AGENT, OTHER_WS)}/jobs`)).status).toBe(404);
  });
});

describe('Ctrlplane sandbox: claiming', () => {
  it('a claim moves the job to inProgress and returns it with dispatchContext; a second claim is 409', async () => {
    const s = await start();
    const job = queuedJob(s, { createdAt: '2025-01-01T00:00:00.000Z' });
    const first = await api(s, 'POST', claimPath(job.id));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: job.id, status: 'inProgress', jobAgentId: AGENT, metadata: {} });
    expect(first.body.startedAt).toEqual(first.body.updatedAt);
    expect(Date.parse(first.body.startedAt)).toBeGreaterThan(Date.parse('2025-01-01T00:00:00.000Z'));
    expect(first.body.dispatchContext.version).toEqual({ tag: 'v1.2.3' });
    // Nothing records who claimed.
    expect(Object.keys(first.body).sort()).toEqual(
      ['createdAt', 'dispatchContext', 'id', 'jobAgentConfig', 'jobAgentId', 'metadata', 'releaseId', 'startedAt', 'status', 'updatedAt'].sort(),
    );

    const second = await api(s, 'POST', claimPath(job.id));
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ message: 'Job is not available to claim' });
    expect(s.claimAttempts(job.id).map((c) => [c.agentId, c.status])).toEqual([
      [AGENT, 200],
      [AGENT, 409],
    ]);
  });

  it('another agent’s job, another workspace’s job, or a missing job is 404 and stays queued', async () => {
    const s = await start();
    const theirs = queuedJob(s, { jobAgentId: OTHER_AGENT });
    expect((await api(s, 'POST', claimPath(theirs.id))).status).toBe(404);
    const otherWs = queuedJob(s, { workspaceId: OTHER_WS });
    expect((await api(s, 'POST', claimPath(otherWs.id))).status).toBe(404);
    expect((await api(s, 'POST', claimPath('no-such-job'))).status).toBe(404);
    expect(s.job(theirs.id)?.status).toBe('queued');
    expect(s.job(otherWs.id)?.status).toBe('queued');
  });

  it('of 20 concurrent claims exactly one wins', async () => {
    const s = await start();
    const job = queuedJob(s);
    const answers = await Promise.all(Array.from({ length: 20 }, () => api(s, 'POST', claimPath(job.id))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.filter((st) => st === 409)).toHaveLength(19);
    expect(s.job(job.id)?.status).toBe('inProgress');
  });
});

describe('Ctrlplane sandbox: reading and reporting', () => {
  it('GET job returns it with dispatchContext within its workspace, else 404', async () => {
    const s = await start();
    const job = queuedJob(s);
    const read = await api(s, 'GET', `/v1/workspaces/${WS}/jobs/${job.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(job);
    expect(read.body.dispatchContext.variables).toEqual({ replicas: 3, settings: { object: { a: 1 } } });
    expect((await api(s, 'GET', `/v1/workspaces/${OTHER_WS}/jobs/${job.id}`)).status).toBe(404);
    expect((await api(s, 'GET', `/v1/workspaces/${WS}/jobs/missing`)).status).toBe(404);
  });

  it('accepts only camelCase statuses, ignores every other field and stamps completedAt for final ones', async () => {
    const s = await start();
    const job = queuedJob(s);
    expect((await api(s, 'PUT', statusPath(job.id), { body: { status: 'in_progress' } })).status).toBe(400);
    expect((await api(s, 'PUT', statusPath(job.id), { body: { message: 'no status' } })).status).toBe(400);
    expect((await api(s, 'PUT', statusPath(job.id), { raw: 'status=successful' })).status).toBe(400);
    expect(s.job(job.id)?.status).toBe('queued');

    const done = await api(s, 'PUT', statusPath(job.id), { body: { status: 'successful', message: 'x', externalId: '123' } });
    expect(done.status).toBe(202);
    const stored = s.job(job.id);
    expect(stored?.status).toBe('successful');
    expect(stored).not.toHaveProperty('message');
    expect(stored).not.toHaveProperty('externalId');
    expect(typeof stored?.completedAt).toBe('string');
    expect(stored?.updatedAt).toBe(stored?.completedAt);
    expect(s.statusReports(job.id)).toEqual([
      { jobId: job.id, status: 'successful', body: { status: 'successful', message: 'x', externalId: '123' }, at: expect.any(Number) },
    ]);

    expect((await api(s, 'PUT', statusPath('missing'), { body: { status: 'failure' } })).status).toBe(404);
    expect((await api(s, 'PUT', statusPath(job.id, OTHER_WS), { body: { status: 'failure' } })).status).toBe(404);
    expect(s.statusReports()).toHaveLength(1);
  });

  it('applies any transition, backwards and after a final one', async () => {
    const s = await start();
    const job = queuedJob(s);
    for (const status of ['cancelled', 'inProgress', 'queued'] as const) {
      expect((await api(s, 'PUT', statusPath(job.id), { body: { status } })).status).toBe(202);
      expect(s.job(job.id)?.status).toBe(status);
    }
    // Back in queued, it can be claimed again.
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(200);
    expect(s.statusReports(job.id).map((r) => r.status)).toEqual(['cancelled', 'inProgress', 'queued']);
  });

  it('every camelCase status is accepted', async () => {
    const s = await start();
    const job = queuedJob(s);
    for (const status of CTRLPLANE_JOB_STATUSES) {
      expect((await api(s, 'PUT', statusPath(job.id), { body: { status } })).status, status).toBe(202);
    }
    expect(s.statusReports(job.id)).toHaveLength(CTRLPLANE_JOB_STATUSES.length);
  });

  it('setJobStatus acts like a user in the UI: status and timestamps, no status report', async () => {
    const s = await start();
    const job = queuedJob(s, { createdAt: '2025-01-01T00:00:00.000Z' });
    s.setJobStatus(job.id, 'cancelled');
    const read = await api(s, 'GET', `/v1/workspaces/${WS}/jobs/${job.id}`);
    expect(read.body.status).toBe('cancelled');
    expect(read.body.completedAt).toBe(read.body.updatedAt);
    expect(read.body.updatedAt).not.toBe('2025-01-01T00:00:00.000Z');
    expect(s.statusReports()).toEqual([]);
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(409);
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const s = await start();
    const job = queuedJob(s);
    const big = await api(s, 'PUT', statusPath(job.id), { body: { status: 'successful', pad: 'x'.repeat(1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(s.job(job.id)?.status).toBe('queued');
  });
});

describe('Ctrlplane sandbox: jobs', () => {
  it('merges config agent → deployment → version, later wins, maps merged deeply', async () => {
    const s = await start();
    s.addJobAgent({
      workspaceId: WS,
      id: AGENT,
      name: 'github-actions-agent',
      type: 'http-pull',
      config: { a: 1, list: [1, 2], nested: { x: 1, y: 1, deep: { p: 1 } } },
    });
    const job = queuedJob(s, {
      deploymentJobAgentConfig: { b: 2, list: [3], nested: { y: 2, z: 2, deep: { q: 2 } } },
      versionJobAgentConfig: { a: 3, nested: { z: 3, deep: { p: 3 } } },
    });
    const merged = { a: 3, b: 2, list: [3], nested: { x: 1, y: 2, z: 3, deep: { p: 3, q: 2 } } };
    expect(job.jobAgentConfig).toEqual(merged);
    expect(job.dispatchContext?.jobAgentConfig).toEqual(merged);
    expect(job.dispatchContext?.jobAgent).toEqual({
      id: AGENT,
      name: 'github-actions-agent',
      type: 'http-pull',
      config: { a: 1, list: [1, 2], nested: { x: 1, y: 1, deep: { p: 1 } } },
    });
    expect(Object.keys(job).sort()).toEqual(
      ['createdAt', 'dispatchContext', 'id', 'jobAgentConfig', 'jobAgentId', 'metadata', 'releaseId', 'status', 'updatedAt'].sort(),
    );
    expect(job.status).toBe('queued');
  });

  it('createJob refuses an agent that is not registered in the workspace', async () => {
    const s = await start();
    expect(() => queuedJob(s, { jobAgentId: 'aaaaaaaa-0000-4000-8000-00000000ffff' })).toThrow(/no job agent/);
    expect(() => queuedJob(s, { workspaceId: OTHER_WS, jobAgentId: OTHER_AGENT })).toThrow(/no job agent/);
    expect(() => queuedJob(s, { dispatchContext: { jobAgentConfig: {} } })).toThrow(/filled in by Ctrlplane/);
  });

  it('takes releaseId from dispatchContext.release.id', async () => {
    const s = await start();
    const job = queuedJob(s, { dispatchContext: { release: { id: 'rel-1' } } });
    expect(job.releaseId).toBe('rel-1');
  });
});

describe('Ctrlplane sandbox: faults and outages', () => {
  it('a lost response on claim still claims: the job is inProgress and a retried claim gets 409', async () => {
    const s = await start();
    const job = queuedJob(s);
    s.injectFault({ kind: 'lost-response', method: 'POST', path: `/api${claimPath(job.id)}` });
    await connectionError(api(s, 'POST', claimPath(job.id)));
    expect(s.job(job.id)?.status).toBe('inProgress');
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(409);
    expect(s.requests().map((r) => [r.status, r.handledStatus])).toEqual([
      [0, 200],
      [409, undefined],
    ]);
  });

  it('a server error or a reset connection does not do the work', async () => {
    const s = await start();
    const job = queuedJob(s);
    s.injectFault({ kind: 'server-error', path: /\/claim$/ });
    s.injectFault({ kind: 'connection-reset', method: 'POST' });
    const error = await api(s, 'POST', claimPath(job.id));
    expect(error).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' } });
    await connectionError(api(s, 'POST', claimPath(job.id)));
    expect(s.job(job.id)?.status).toBe('queued');
    expect(s.claimAttempts()).toEqual([]);
    expect(s.requests().map((r) => r.status)).toEqual([500, 0]);
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(200);
  });

  it('a fault matches only its method and path, `times` times', async () => {
    const s = await start();
    s.injectFault({ kind: 'server-error', method: 'PUT', path: `/api${agentPath()}`, times: 2 });
    expect((await api(s, 'GET', agentPath())).status).toBe(200);
    const body = { name: 'github-actions-agent', type: 'http-pull', config: {} };
    expect((await api(s, 'PUT', agentPath(), { body })).status).toBe(500);
    expect((await api(s, 'PUT', agentPath(), { body })).status).toBe(500);
    expect((await api(s, 'PUT', agentPath(), { body })).status).toBe(202);
  });

  it('a delay answers late and does the work', async () => {
    const s = await start();
    const job = queuedJob(s);
    s.injectFault({ kind: 'delay', path: `/api${claimPath(job.id)}`, delayMs: 150 });
    const started = Date.now();
    const pending = api(s, 'POST', claimPath(job.id));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.job(job.id)?.status).toBe('queued');
    expect((await pending).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('goDown refuses connections; comeBack serves the same URL with all state kept', async () => {
    const s = await start();
    const job = queuedJob(s);
    const url = s.url;
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(200);
    await s.goDown();
    expect(await connectionError(api(s, 'GET', `/v1/workspaces/${WS}/jobs/${job.id}`))).toBe('ECONNREFUSED');
    await s.comeBack();
    expect(s.url).toBe(url);
    const read = await api(s, 'GET', `/v1/workspaces/${WS}/jobs/${job.id}`);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('inProgress');
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(409);
  });

  it('a delayed request cut off by goDown does nothing', async () => {
    const s = await start();
    const job = queuedJob(s);
    s.injectFault({ kind: 'delay', path: `/api${claimPath(job.id)}`, delayMs: 100 });
    const pending = connectionError(api(s, 'POST', claimPath(job.id)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await s.goDown();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(s.job(job.id)?.status).toBe('queued');
    await s.comeBack();
    expect((await api(s, 'POST', claimPath(job.id))).status).toBe(200);
  });
});
