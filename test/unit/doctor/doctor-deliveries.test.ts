import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppOctokit } from '../../../src/github-app/github-app-octokit.ts';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { closedPort, doctorEnv, INSTALLATION_ID, OWNER, REPO, runDoctorJson, startDoctorSandbox, startSwitchableReceiver } from './doctor-fixture.ts';

let sandbox: GithubSandbox | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Dispatches one run of the good workflow and waits until its three deliveries were attempted. */
async function runOneWorkflow(s: GithubSandbox): Promise<void> {
  const before = s.deliveries.length;
  const github = createAppOctokit(s.url, { appId: s.appId, privateKey: s.privateKey }, INSTALLATION_ID);
  await github.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
    owner: OWNER,
    repo: REPO,
    workflow_id: 'deploy.yml',
    ref: 'main',
    inputs: { job_id: 'job-1' },
  });
  await vi.waitFor(() => expect(s.deliveries.length - before).toBe(3), { timeout: 10_000, interval: 10 });
}

describe('gha-agent doctor: recent deliveries', () => {
  it('names a secret mismatch from deliveries the API refused with 401', async () => {
    const receiver = await startSwitchableReceiver(401);
    cleanups.push(receiver.close);
    sandbox = await startDoctorSandbox({ webhookUrl: receiver.url });
    await runOneWorkflow(sandbox);
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.code).toBe(1);
    expect(run.result('app.deliveries')).toMatchObject({ status: 'problem', detail: expect.stringContaining('3 of 3 in the last 24 h failed') });
    expect(run.result('app.deliveries').detail).toContain('Invalid HTTP Response: 401');
    expect(run.result('app.deliveries').fix).toContain('GITHUB_WEBHOOK_SECRET');
    expect(run.result('app.deliveries').fix).toContain('gha-agent github redeliver');
  });

  it('names an API GitHub cannot reach', async () => {
    sandbox = await startDoctorSandbox({ webhookUrl: `http://127.0.0.1:${await closedPort()}/api/github/webhook` });
    await runOneWorkflow(sandbox);
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.result('app.deliveries')).toMatchObject({ status: 'problem', detail: expect.stringContaining('GitHub could not reach the API') });
    expect(run.result('app.deliveries').fix).toContain('reachable from GitHub');
  });

  it('is satisfied once the failed deliveries were redelivered successfully', async () => {
    const receiver = await startSwitchableReceiver(503);
    cleanups.push(receiver.close);
    sandbox = await startDoctorSandbox({ webhookUrl: receiver.url });
    await runOneWorkflow(sandbox);
    expect((await runDoctorJson(doctorEnv(sandbox))).result('app.deliveries').status).toBe('problem');

    receiver.setStatus(200);
    const app = createAppOctokit(sandbox.url, { appId: sandbox.appId, privateKey: sandbox.privateKey });
    const { data } = await app.request('GET /app/hook/deliveries');
    for (const item of data) await app.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: Number(item.id) });
    await vi.waitFor(() => expect(sandbox?.deliveries).toHaveLength(6), { timeout: 10_000, interval: 10 });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.result('app.deliveries')).toMatchObject({ status: 'ok', detail: '3 in the last 24 h, all answered 2xx' });
  });
});
