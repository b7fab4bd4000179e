import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
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
        { owner: EVIL_OWNER, name: EVIL_REPO, workflows: [{ id: 901, path: '.github/workflows/deploy.yml', name: 'Deploy', conclusion: 'success' }] },
      ],
      ...options.sandbox,
    },
  });
  return env;
}

/** The attacker dispatches a run of their own workflow titled with the victim job's ID. */
async function dispatchForeignRun(e: E2eStack, victimJobId: string): Promise<void> {
  const attacker = new Octokit({
    baseUrl: e.sandbox.url,
    authStrategy: createAppAuth,
    auth: { appId: e.sandbox.appId, privateKey: e.sandbox.privateKey, installationId: EVIL_INSTALLATION },
  });
  const response = await attacker.rest.actions.createWorkflowDispatch({ owner: EVIL_OWNER, repo: EVIL_REPO, workflow_id: 901, ref: 'main', inputs: { job_id: victimJobId } });
  expect(response.status).toBe(204);
}

const config = (workflowId: number) => ({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId } });

describe('events bound to their job', () => {
  it('ignores a foreign run titled with the job ID that completes before the dispatch answer; the genuine run ends the job', async () => {
    const e = await stackWith();
    // Our dispatch is answered late, so the foreign run's events all arrive before we know our run's ID.
    e.sandbox.injectFault({ kind: 'delay', method: 'POST', path: `/repos/${OWNER}/${REPO}/actions/workflows/103/dispatches`, delayMs: 3000 });
    const job = await e.createJob(config(103));
    await expect.poll(() => e.sandbox.requests.some((r) => r.path.endsWith('/workflows/103/dispatches')) || e.sandbox.tokenMints(INSTALLATION_ID) > 0, { timeout: 20_000 }).toBe(true);
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
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.getJob(job.id)).status).toBe('in_progress');
    await e.sandbox.completeRun(genuine.runId, 'success');
    expect((await e.waitForStatus(job.id, ['successful', 'failure'])).status).toBe('successful');
  });
});
