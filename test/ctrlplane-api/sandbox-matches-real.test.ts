import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CTRLPLANE_API_HOME } from '../../scripts/ensure-ctrlplane-api.mjs';
import { type CtrlplaneSandbox, startCtrlplaneSandbox } from '../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';
import { queueRealCtrlplaneJob, seed } from '../support/real-ctrlplane.ts';

// The Ctrlplane sandbox serves fast tests and `npm run dev`; Ctrlplane's real API is the judge. One scenario, every
// request an http-pull agent makes and the mistakes it can meet, runs against both, and their answers must agree:
// status codes, error messages and codes, and the fields of every body.

interface Target {
  /** API base, ending in `/api`. */
  url: string;
  /** A queued job for the agent; `release: false` makes one of no release. */
  queueJob(agentId: string, agentName: string, release: boolean): Promise<string>;
}

let sandbox: CtrlplaneSandbox;
beforeAll(async () => {
  sandbox = await startCtrlplaneSandbox({ apiKeys: [seed.apiKey], workspaces: [{ id: seed.workspaceId, name: 'Demo', slug: 'demo' }] });
});
afterAll(async () => {
  await sandbox?.close();
});

const real = (): Target => ({
  url: inject('ctrlplaneApiUrl'),
  queueJob: (agentId, agentName, release) => queueRealCtrlplaneJob({ agentId, agentName, release }),
});

const emulated = (): Target => ({
  url: `${sandbox.url}/api`,
  async queueJob(agentId, _agentName, release) {
    const context = JSON.parse(readFileSync(join(CTRLPLANE_API_HOME, 'dispatch-context.example.json'), 'utf8')) as Record<string, unknown>;
    const { jobAgent: _agent, jobAgentConfig, ...given } = context;
    const job = sandbox.createJob({
      workspaceId: seed.workspaceId,
      jobAgentId: agentId,
      deploymentJobAgentConfig: jobAgentConfig as Record<string, unknown>,
      dispatchContext: given,
      ...(release ? {} : { releaseId: '' }),
    });
    return job.id;
  },
});

/**
 * What must agree in one answer: the status; for an error its message and code (the message only where it is
 * Ctrlplane's own sentence: a validator's or database's wording is checked by code), and whether it has details; for
 * a success the body's fields, with the values that mean something to an agent.
 */
function comparable(status: number, body: unknown): unknown {
  if (body === null || typeof body !== 'object') return { status, body: typeof body };
  const record = body as Record<string, unknown>;
  if (status >= 400) {
    const wordingVaries = status === 400 || status === 413 || status === 500;
    return { status, code: record.code, ...(wordingVaries ? {} : { message: record.message }), details: record.details !== undefined };
  }
  const fields = (value: unknown) => (value && typeof value === 'object' ? Object.keys(value).sort() : value);
  const meaningful = ['status', 'name', 'type', 'message', 'total', 'limit', 'offset'].filter((key) => key in record);
  return {
    status,
    fields: fields(record),
    values: Object.fromEntries(meaningful.map((key) => [key, record[key]])),
    ...(Array.isArray(record.items)
      ? {
          items: (record.items as Array<Record<string, unknown>>).map((item) => ({
            fields: fields(item),
            status: item.status,
            noRelease: item.releaseId === '',
          })),
        }
      : {}),
    ...('releaseId' in record ? { noRelease: record.releaseId === '' } : {}),
  };
}

/** Every exchange of the scenario, named, in order. */
async function scenario(target: Target, agentName: string): Promise<Array<[string, unknown]>> {
  const answers: Array<[string, unknown]> = [];
  const call = async (name: string, method: string, path: string, options: { json?: unknown; raw?: string; apiKey?: string; bearer?: string } = {}) => {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        ...(options.apiKey === '' ? {} : { 'x-api-key': options.apiKey ?? seed.apiKey }),
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
        ...(options.json !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text
    }
    answers.push([name, comparable(response.status, body)]);
  };
  const ws = `/v1/workspaces/${seed.workspaceId}`;
  const agentId = randomUUID();
  const agent = `${ws}/job-agents/${agentId}`;
  const unknown = randomUUID();

  await call('workspace', 'GET', ws);
  await call('unknown workspace', 'GET', `/v1/workspaces/${unknown}`);
  await call('no key', 'GET', agent, { apiKey: '' });
  await call('a Bearer token instead of the key', 'GET', agent, { apiKey: '', bearer: seed.apiKey });
  await call('refused key', 'GET', agent, { apiKey: 'cp_wrong.key' });
  await call('absent agent', 'GET', agent);
  await call('jobs of an absent agent', 'GET', `${agent}/jobs?status=queued`);
  await call('create agent', 'PUT', agent, { json: { name: agentName, type: 'http-pull', config: {} } });
  await call('agent', 'GET', agent);
  await call('agent without config', 'PUT', agent, { json: { name: agentName, type: 'http-pull' } });
  await call('agent body not JSON', 'PUT', agent, { raw: '{name:' });
  await call('taken name', 'PUT', `${ws}/job-agents/${randomUUID()}`, { json: { name: agentName, type: 'http-pull', config: {} } });
  await call('agent in an unknown workspace', 'PUT', `/v1/workspaces/${unknown}/job-agents/${randomUUID()}`, {
    json: { name: agentName, type: 'http-pull', config: {} },
  });
  await call('agent of an unknown workspace', 'GET', `/v1/workspaces/${unknown}/job-agents/${agentId}`);
  await call('unknown query parameter', 'GET', `${agent}/jobs?status=queued&page=2`);
  await call('limit too large', 'GET', `${agent}/jobs?limit=5000`);
  await call('status not an enum value', 'GET', `${agent}/jobs?status=in_progress`);
  await call('no jobs yet', 'GET', `${agent}/jobs?status=queued&includeDispatchContext=true`);

  const released = await target.queueJob(agentId, agentName, true);
  // Newest first: created apart, so the order is the same on both sides.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const unreleased = await target.queueJob(agentId, agentName, false);
  const job = `${ws}/jobs/${released}`;
  await call('queued jobs with context', 'GET', `${agent}/jobs?status=queued&includeDispatchContext=true`);
  await call('queued jobs without context', 'GET', `${agent}/jobs?status=queued`);
  await call('claim', 'POST', `${agent}/jobs/${released}/claim`);
  await call('claim again', 'POST', `${agent}/jobs/${released}/claim`);
  await call('claim an unknown job', 'POST', `${agent}/jobs/${randomUUID()}/claim`);
  await call('claim a job of no release', 'POST', `${agent}/jobs/${unreleased}/claim`);
  await call('job', 'GET', job);
  await call('job of no release', 'GET', `${ws}/jobs/${unreleased}`);
  await call('unknown job', 'GET', `${ws}/jobs/${randomUUID()}`);
  await call('report', 'PUT', `${job}/status`, { json: { status: 'successful' } });
  await call('report with more fields', 'PUT', `${job}/status`, { json: { status: 'successful', message: 'ignored', externalId: '42' } });
  await call('job after the report', 'GET', job);
  await call('report for a job of no release', 'PUT', `${ws}/jobs/${unreleased}/status`, { json: { status: 'successful' } });
  await call('report for an unknown job', 'PUT', `${ws}/jobs/${randomUUID()}/status`, { json: { status: 'successful' } });
  await call('report a status that is not camelCase', 'PUT', `${job}/status`, { json: { status: 'in_progress' } });
  await call('report body not JSON', 'PUT', `${job}/status`, { raw: 'not json' });
  await call('jobs in progress', 'GET', `${agent}/jobs?status=inProgress`);
  await call('unknown route', 'GET', '/v1/nothing-here');
  return answers;
}

describe("the Ctrlplane sandbox answers as Ctrlplane's real API", () => {
  it('gives the same status, error and fields to every request of an http-pull agent', async () => {
    const agentName = `compare-${randomUUID().slice(0, 8)}`;
    const fromReal = await scenario(real(), agentName);
    const fromSandbox = await scenario(emulated(), agentName);
    expect(fromSandbox.map(([name]) => name)).toEqual(fromReal.map(([name]) => name));
    // Every exchange where they differ, named, with both answers.
    const differences = fromReal
      .map(([name, real], index) => ({ name, real, sandbox: fromSandbox[index]?.[1] }))
      .filter(({ real, sandbox }) => JSON.stringify(real) !== JSON.stringify(sandbox));
    expect(differences).toEqual([]);
  });
});
