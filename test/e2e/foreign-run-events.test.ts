import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { defaultSandboxRepos, type E2eStack, type E2eStackOptions, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

// An attacker inside the organisation: the same GitHub App is installed on their repository `evil/other`, whose
// workflow titles its runs with any job ID it is given. Its webhooks are signed by GitHub like ours.
const EVIL_INSTALLATION = 666;
const EVIL_OWNER = 'evil';
const EVIL_REPO = 'other';

let env: E2eStack | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

async function stackWith(options: E2eStackOptions = {}): Promise<E2eStack> {
  env = await startE2eStack({
    ...options,
    sandbox: {
      installations: [
        { id: INSTALLATION_ID, account: OWNER },
        { id: EVIL_INSTALLATION, account: EVIL_OWNER },
      ],
      repos: [
        ...(defaultSandboxRepos ?? []),
        {
          owner: EVIL_OWNER,
          name: EVIL_REPO,
          workflows: [
            { id: 901, path: '.github/workflows/deploy.yml', name: 'Deploy', conclusion: 'success' },
            // An ordinary manual workflow of that repository: its runs are named without any job ID.
            { id: 902, path: '.github/workflows/release.yml', name: 'Release', runName: '', conclusion: 'success' },
          ],
        },
      ],
      ...options.sandbox,
    },
  });
  return env;
}

function attackerOctokit(e: E2eStack): Octokit {
  return new Octokit({
    baseUrl: e.sandbox.url,
    authStrategy: createAppAuth,
    auth: { appId: e.sandbox.appId, privateKey: e.sandbox.privateKey, installationId: EVIL_INSTALLATION },
  });
}

/** The attacker dispatches a run of their own workflow titled with the victim job's ID. */
async function dispatchForeignRun(e: E2eStack, victimJobId: string): Promise<void> {
  const response = await attackerOctokit(e).rest.actions.createWorkflowDispatch({
    owner: EVIL_OWNER,
    repo: EVIL_REPO,
    workflow_id: 901,
    ref: 'main',
    inputs: { job_id: victimJobId },
  });
  expect(response.status).toBe(204);
}

/** `gha_agent_webhook_temporal_calls_total` of the API, by call. */
async function webhookTemporalCalls(e: E2eStack): Promise<Record<string, number>> {
  const text = await (await fetch(`${e.stack.apiUrl}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^gha_agent_webhook_temporal_calls_total\{call="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

const config = (workflowId: number) => ({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId } });

describe('events bound to their job', () => {
  it('ignores a foreign run titled with the job ID that completes before the dispatch answer; the genuine run ends the job', async () => {
    const e = await stackWith();
    // Our dispatch is answered late, so the foreign run's events all arrive before we know our run's ID.
    e.sandbox.injectFault({ kind: 'delay', method: 'POST', path: `/repos/${OWNER}/${REPO}/actions/workflows/103/dispatches`, delayMs: 3000 });
    const job = await e.createJob(config(103));
    await expect
      .poll(() => e.sandbox.requests.some((r) => r.path.endsWith('/workflows/103/dispatches')) || e.sandbox.tokenMints(INSTALLATION_ID) > 0, {
        timeout: 20_000,
      })
      .toBe(true);
    await dispatchForeignRun(e, job.id);
    const foreign = e.sandbox.dispatches.find((d) => d.owner === EVIL_OWNER)!;
    // The foreign run completes (success) and its signed deliveries reach the API.
    await expect.poll(() => e.relay.forwarded.filter((f) => f.runId === foreign.runId && f.action === 'completed').length, { timeout: 20_000 }).toBe(1);
    const running = await e.waitForStatus(job.id, 'in_progress');
    expect(running.externalId).not.toBe(String(foreign.runId));
    expect(Number(running.externalId)).toBe(e.sandbox.dispatches.find((d) => d.inputs.job_id === job.id && d.owner === OWNER)!.runId);
    // Cancel targets the genuine run, not the attacker's.
    await e.sandbox.completeRun(Number(running.externalId), 'failure');
    const done = await e.waitForStatus(job.id, ['successful', 'failure']);
    expect(done.status).toBe('failure');
  });

  it('on a server that answers 204 (GHES), a foreign run found by title alone never becomes the job run', async () => {
    const e = await stackWith({ sandbox: { returnRunDetails: false }, jobTimeouts: { quietPeriod: '1 second', pollInterval: '1 second' } });
    e.sandbox.injectFault({ kind: 'delay', method: 'POST', path: `/repos/${OWNER}/${REPO}/actions/workflows/103/dispatches`, delayMs: 2000 });
    const job = await e.createJob(config(103));
    await expect.poll(() => e.sandbox.tokenMints(INSTALLATION_ID) > 0, { timeout: 20_000 }).toBe(true);
    await dispatchForeignRun(e, job.id);
    const foreign = e.sandbox.dispatches.find((d) => d.owner === EVIL_OWNER)!;
    await expect.poll(() => e.relay.forwarded.filter((f) => f.runId === foreign.runId && f.action === 'completed').length, { timeout: 20_000 }).toBe(1);
    // The genuine run is found on the job's repository (its events confirmed through the API) and stays in progress.
    await expect.poll(() => e.sandbox.dispatches.some((d) => d.inputs.job_id === job.id && d.owner === OWNER), { timeout: 20_000 }).toBe(true);
    const genuine = e.sandbox.dispatches.find((d) => d.inputs.job_id === job.id && d.owner === OWNER)!;
    await expect.poll(async () => (await e.getJob(job.id)).externalId, { timeout: 30_000 }).toBe(String(genuine.runId));
    // The job goes on looking its run up (1-second quiet period), and the foreign run's completion never counts.
    const lookUps = () => e.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/repos/${OWNER}/${REPO}/actions/`)).length;
    const lookedUp = lookUps();
    await expect.poll(lookUps, { timeout: 20_000 }).toBeGreaterThanOrEqual(lookedUp + 2);
    expect((await e.getJob(job.id)).status).toBe('in_progress');
    await e.sandbox.completeRun(genuine.runId, 'success');
    expect((await e.waitForStatus(job.id, ['successful', 'failure'])).status).toBe('successful');
  });

  it('answers a foreign run titled with the job ID without signalling the job: its history stays untouched', async () => {
    const e = await stackWith();
    const job = await e.createJob(config(103));
    const running = await e.waitForStatus(job.id, 'in_progress');
    await dispatchForeignRun(e, job.id);
    const foreign = e.sandbox.dispatches.find((d) => d.owner === EVIL_OWNER)!;
    await expect.poll(() => e.relay.forwarded.filter((f) => f.runId === foreign.runId && f.action === 'completed').length, { timeout: 20_000 }).toBe(1);
    // Every foreign delivery was answered "not for a job", none reached Temporal as a signal.
    const foreignAnswers = e.relay.forwarded.filter((f) => f.runId === foreign.runId).map((f) => f.status);
    expect(foreignAnswers.length).toBeGreaterThanOrEqual(2);
    expect(new Set(foreignAnswers)).toEqual(new Set([202]));
    const history = await e.stack.client.workflow.getHandle(jobWorkflowId(job.id)).fetchHistory();
    const signalled = (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes);
    const genuineRunId = Number(running.externalId);
    expect(signalled.length).toBe(e.relay.forwarded.filter((f) => f.runId === genuineRunId && f.status === 200).length);
    // The genuine run still ends the job.
    await e.sandbox.completeRun(genuineRunId, 'success');
    expect((await e.waitForStatus(job.id, ['successful', 'failure'])).status).toBe('successful');
  });

  it('answers manual runs of a repository that has no running job without a Temporal call per delivery', async () => {
    const e = await stackWith();
    // A job elsewhere keeps Temporal busy with genuine traffic meanwhile.
    const job = await e.createJob(config(103));
    await e.waitForStatus(job.id, 'in_progress');
    const before = await webhookTemporalCalls(e);
    const started = Date.now();
    const attacker = attackerOctokit(e);
    const runs = 15;
    await Promise.all(
      Array.from({ length: runs }, () => attacker.rest.actions.createWorkflowDispatch({ owner: EVIL_OWNER, repo: EVIL_REPO, workflow_id: 902, ref: 'main' })),
    );
    const foreignRunIds = new Set(e.sandbox.dispatches.filter((d) => d.owner === EVIL_OWNER).map((d) => d.runId));
    const foreign = () => e.relay.forwarded.filter((f) => f.runId !== undefined && foreignRunIds.has(f.runId));
    await expect.poll(() => foreign().filter((f) => f.action === 'completed').length, { timeout: 30_000 }).toBe(runs);
    const seconds = (Date.now() - started) / 1000;
    expect(new Set(foreign().map((f) => f.status))).toEqual(new Set([202]));
    const after = await webhookTemporalCalls(e);
    const delta = (call: string) => (after[call] ?? 0) - (before[call] ?? 0);
    // No signal, no describe; repository lookups are batched, at most one per 250 ms, never one per delivery.
    expect(delta('signal')).toBe(0);
    expect(delta('describe')).toBe(0);
    expect(foreign().length).toBeGreaterThanOrEqual(runs * 3);
    expect(delta('visibility')).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
    expect(delta('visibility')).toBeLessThan(foreign().length / 2);
    // The job is untouched and still ends with its own run.
    const running = await e.getJob(job.id);
    expect(running.status).toBe('in_progress');
    await e.sandbox.completeRun(Number(running.externalId), 'success');
    expect((await e.waitForStatus(job.id, ['successful', 'failure'])).status).toBe('successful');
  });
});
