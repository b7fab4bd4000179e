import { createHmac, generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { verify } from '@octokit/webhooks-methods';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { loadGithubOpenapi } from '../../../src/sandbox/openapi-spec.ts';
import { createRequestValidator } from '../../../src/sandbox/openapi-validator.ts';
import { appJwt, appOctokit, INSTALLATION_ID, installationOctokit, NARROW_INSTALLATION_ID, OWNER, REPO, startSandbox, WORKFLOWS } from './sandbox-fixture.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const openapi = loadGithubOpenapi();
const validator = createRequestValidator(openapi);
const JOB_ID = '6f1c7a52-0a4b-4d63-9a0e-2f1b6f0c9d11';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sandboxWith(overrides: Parameters<typeof startSandbox>[0] = {}): Promise<GithubSandbox> {
  const sandbox = await startSandbox(overrides);
  cleanups.push(() => sandbox.close());
  return sandbox;
}

async function receiver(status = 200) {
  const r = await startWebhookReceiver(status);
  cleanups.push(() => r.close());
  return r;
}

interface RequestError {
  name: string;
  status: number;
  response?: { data: unknown };
}

/** The RequestError (`HttpError`) an Octokit call fails with; fails the test when the call succeeds. */
async function requestError(call: Promise<unknown>): Promise<RequestError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: 'HttpError', status: expect.any(Number) });
  return error as RequestError;
}

function dispatch(sandbox: GithubSandbox, workflowId: number | string = 'deploy.yml', extra: Record<string, unknown> = {}) {
  return installationOctokit(sandbox).rest.actions.createWorkflowDispatch({
    owner: OWNER,
    repo: REPO,
    workflow_id: workflowId,
    ref: 'main',
    inputs: { job_id: JOB_ID },
    return_run_details: true,
    ...extra,
  });
}

describe('GitHub sandbox, app authentication', () => {
  it('mints an installation token through createAppAuth and dispatches with that token, not the JWT', async () => {
    const sandbox = await sandboxWith();
    const response = await dispatch(sandbox);

    expect(response.status).toBe(200);
    const details = response.data as { workflow_run_id: number; run_url: string; html_url: string };
    expect(validator.validate(openapi.operation('actions/create-workflow-dispatch').responseSchemas['200']!, details)).toEqual([]);
    expect(details.run_url).toBe(`${sandbox.url}/repos/${OWNER}/${REPO}/actions/runs/${details.workflow_run_id}`);
    expect(details.html_url).toBe(`https://github.com/${OWNER}/${REPO}/actions/runs/${details.workflow_run_id}`);

    const mint = sandbox.requests.find((r) => r.path === `/app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(mint).toMatchObject({ method: 'POST', auth: 'jwt', status: 201 });
    const call = sandbox.requests.find((r) => r.path.endsWith('/dispatches'));
    expect(call).toMatchObject({ method: 'POST', auth: 'installation-token', installationId: INSTALLATION_ID, status: 200 });
    expect(sandbox.tokenMints(INSTALLATION_ID)).toBe(1);
    expect(sandbox.dispatches).toEqual([
      expect.objectContaining({
        owner: OWNER,
        repo: REPO,
        workflowId: WORKFLOWS.deploy.id,
        workflowRef: 'deploy.yml',
        ref: 'main',
        inputs: { job_id: JOB_ID },
        installationId: INSTALLATION_ID,
        runId: details.workflow_run_id,
      }),
    ]);
  });

  it('refuses a JWT signed with another key with 401 and mints nothing', async () => {
    const sandbox = await sandboxWith();
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await requestError(
      installationOctokit(sandbox, INSTALLATION_ID, otherKey).rest.actions.createWorkflowDispatch({
        owner: OWNER,
        repo: REPO,
        workflow_id: 'deploy.yml',
        ref: 'main',
      }),
    );
    expect(error.status).toBe(401);
    expect(error.response?.data).toMatchObject({ message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' });
    expect(sandbox.tokenMints()).toBe(0);
    expect(sandbox.dispatches).toEqual([]);
  });

  it('answers 401 Bad credentials for an unknown installation token', async () => {
    const sandbox = await sandboxWith();
    const response = await fetch(`${sandbox.url}/repos/${OWNER}/${REPO}/actions/runs`, {
      headers: { authorization: 'token ghs_notARealTokenAtAll000000000000000000' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect(sandbox.requests.at(-1)).toMatchObject({ auth: 'invalid', status: 401 });
  });

  it('serves the app, its installations and the installation of a repository to the App JWT', async () => {
    const sandbox = await sandboxWith();
    const octokit = appOctokit(sandbox);
    const app = await octokit.rest.apps.getAuthenticated();
    expect(app.data).toMatchObject({ id: sandbox.appId, client_id: sandbox.clientId });
    expect(validator.validate(openapi.schema('integration'), app.data)).toEqual([]);

    const installations = await octokit.rest.apps.listInstallations();
    expect(installations.data.map((i) => i.id)).toEqual([INSTALLATION_ID, NARROW_INSTALLATION_ID]);

    const installation = await octokit.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    expect(installation.data).toMatchObject({ id: INSTALLATION_ID, app_id: sandbox.appId, account: { login: OWNER } });
    expect(validator.validate(openapi.schema('installation'), installation.data)).toEqual([]);
    expect(sandbox.requests.every((r) => r.auth === 'jwt')).toBe(true);
  });

  it('after revokeInstallation, token exchanges answer 404 and earlier tokens 401', async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox);
    await octokit.rest.actions.listRepoWorkflows({ owner: OWNER, repo: REPO });
    const token = (await fetchToken(sandbox)).token;

    sandbox.revokeInstallation(INSTALLATION_ID);

    const mint = await fetch(`${sandbox.url}/app/installations/${INSTALLATION_ID}/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await appJwt(sandbox)}` },
    });
    expect(mint.status).toBe(404);
    expect(await mint.json()).toMatchObject({ message: 'Not Found' });
    const old = await fetch(`${sandbox.url}/repos/${OWNER}/${REPO}/actions/workflows`, { headers: { authorization: `token ${token}` } });
    expect(old.status).toBe(401);
  });

  it('hides repositories an installation was not given with 404', async () => {
    const sandbox = await sandboxWith();
    const narrow = installationOctokit(sandbox, NARROW_INSTALLATION_ID);
    const error = await requestError(narrow.rest.actions.listWorkflowRunsForRepo({ owner: OWNER, repo: REPO }));
    expect(error.status).toBe(404);
    const visible = await narrow.rest.actions.listRepoWorkflows({ owner: OWNER, repo: 'other' });
    expect(visible.data.total_count).toBe(1);
  });
});

describe('GitHub sandbox, workflow dispatch', () => {
  it('answers 404 for an unknown workflow and 422 for an unknown ref, as Octokit RequestErrors', async () => {
    const sandbox = await sandboxWith();
    const unknownWorkflow = await requestError(dispatch(sandbox, 'nope.yml'));
    expect(unknownWorkflow.status).toBe(404);
    expect(unknownWorkflow.response?.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
      status: '404',
    });

    const unknownRef = await requestError(dispatch(sandbox, 'deploy.yml', { ref: 'no-such-branch' }));
    expect(unknownRef.status).toBe(422);
    expect(unknownRef.response?.data).toMatchObject({ message: 'No ref found for: no-such-branch' });
    expect(sandbox.dispatches).toEqual([]);
  });

  it('answers 422 for a workflow without a workflow_dispatch trigger', async () => {
    const sandbox = await sandboxWith();
    const error = await requestError(dispatch(sandbox, WORKFLOWS.pushOnly.id));
    expect(error.status).toBe(422);
    expect(error.response?.data).toMatchObject({ message: "Workflow does not have 'workflow_dispatch' trigger" });
  });

  it('answers 422 "Unexpected inputs provided" for an input the workflow file does not declare, as GitHub does', async () => {
    const sandbox = await sandboxWith();
    const error = await requestError(dispatch(sandbox, 'deploy.yml', { inputs: { job_id: JOB_ID, job_token: 'gha_job_x' } }));
    expect(error.status).toBe(422);
    expect(error.response?.data).toMatchObject({ message: 'Unexpected inputs provided: ["job_token"]' });
    expect(sandbox.dispatches).toEqual([]);
  });

  it('accepts the extra inputs a workflow declares (extraInputs), and its file shows them', async () => {
    const withToken = { id: 1010, path: '.github/workflows/deploy-token.yml', name: 'Deploy (token)', extraInputs: ['job_token'] };
    const sandbox = await sandboxWith({ repos: [{ owner: OWNER, name: REPO, workflows: [withToken] }] });
    await dispatch(sandbox, 'deploy-token.yml', { inputs: { job_id: JOB_ID, job_token: 'gha_job_x' } });
    expect(sandbox.dispatches[0]?.inputs).toEqual({ job_id: JOB_ID, job_token: 'gha_job_x' });
    const { data } = await installationOctokit(sandbox).rest.repos.getContent({ owner: OWNER, repo: REPO, path: withToken.path });
    const text = Buffer.from((data as { content: string }).content, 'base64').toString('utf8');
    expect(text).toMatch(/job_token:\n\s+description: .*\n\s+required: false/);
  });

  it("answers 422 with GitHub's validation message for a body that breaks the schema", async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox);
    const route = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
    const missingRef = await requestError(octokit.request(route, { owner: OWNER, repo: REPO, workflow_id: 'deploy.yml', inputs: {} } as never));
    expect(missingRef.status).toBe(422);
    expect(missingRef.response?.data).toMatchObject({ message: `Invalid request.\n\n"ref" wasn't supplied.` });

    const badInputs = await requestError(octokit.request(route, { owner: OWNER, repo: REPO, workflow_id: 'deploy.yml', ref: 'main', inputs: 'x' } as never));
    expect(badInputs.status).toBe(422);
    expect(badInputs.response?.data).toMatchObject({ message: `Invalid request.\n\nFor 'properties/inputs', "x" is not an object.` });
  });

  it('accepts the numeric workflow id and a refs/heads/ ref, and getRun matches the REST answer', async () => {
    const sandbox = await sandboxWith();
    const response = await dispatch(sandbox, WORKFLOWS.deploy.id, { ref: 'refs/heads/release' });
    const runId = (response.data as { workflow_run_id: number }).workflow_run_id;
    const run = await installationOctokit(sandbox).rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId });
    expect(run.data).toMatchObject({
      id: runId,
      name: 'Deploy',
      display_title: `Deploy ${JOB_ID}`,
      event: 'workflow_dispatch',
      head_branch: 'release',
      workflow_id: WORKFLOWS.deploy.id,
      path: WORKFLOWS.deploy.path,
      run_attempt: 1,
      html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${runId}`,
      repository: { full_name: `${OWNER}/${REPO}` },
    });
    expect(validator.validate(openapi.schema('workflow-run'), run.data)).toEqual([]);
    expect(sandbox.getRun(runId)).toMatchObject({ id: runId, display_title: `Deploy ${JOB_ID}` });
  });

  it('answers 204 without a body when returnRunDetails is off, even when run details are asked for', async () => {
    const sandbox = await sandboxWith({ returnRunDetails: false });
    const response = await dispatch(sandbox);
    expect(response.status).toBe(204);
    expect(response.data).toBeFalsy();
    expect(sandbox.dispatches).toHaveLength(1);
  });

  it('answers 204 when the body does not ask for run details', async () => {
    const sandbox = await sandboxWith();
    const response = await installationOctokit(sandbox).rest.actions.createWorkflowDispatch({
      owner: OWNER,
      repo: REPO,
      workflow_id: 'deploy.yml',
      ref: 'main',
      inputs: { job_id: JOB_ID },
    });
    expect(response.status).toBe(204);
  });
});

describe('GitHub sandbox, runs and webhooks', () => {
  it('plays requested → in_progress → completed and delivers three signed workflow_run webhooks', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    const runId = ((await dispatch(sandbox)).data as { workflow_run_id: number }).workflow_run_id;

    await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });
    expect(hook.received.map((d) => d.body.action)).toEqual(['requested', 'in_progress', 'completed']);
    expect(hook.received.map((d) => d.body.workflow_run.status)).toEqual(['queued', 'in_progress', 'completed']);
    expect(hook.received.at(-1)?.body.workflow_run.conclusion).toBe('success');

    for (const delivery of hook.received) {
      const h = delivery.headers;
      expect(await verify(sandbox.webhookSecret, delivery.raw, String(h['x-hub-signature-256']))).toBe(true);
      expect(h['x-hub-signature']).toBe(`sha1=${createHmac('sha1', sandbox.webhookSecret).update(delivery.raw).digest('hex')}`);
      expect(h['x-github-event']).toBe('workflow_run');
      expect(h['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      expect(h['x-github-hook-id']).toMatch(/^\d+$/);
      expect(h['x-github-hook-installation-target-type']).toBe('integration');
      expect(h['x-github-hook-installation-target-id']).toBe(String(sandbox.appId));
      expect(h['user-agent']).toMatch(/^GitHub-Hookshot\//);
      expect(h['content-type']).toBe('application/json');
      expect(delivery.body).toMatchObject({
        installation: { id: INSTALLATION_ID },
        repository: { full_name: `${OWNER}/${REPO}` },
        workflow: { id: WORKFLOWS.deploy.id, path: WORKFLOWS.deploy.path },
        workflow_run: { id: runId, display_title: `Deploy ${JOB_ID}`, event: 'workflow_dispatch', head_branch: 'main' },
      });
      const schema = openapi.schema(`webhook-workflow-run-${String(delivery.body.action).replace('_', '-')}`);
      expect(validator.validate(schema, delivery.body)).toEqual([]);
    }
    expect(sandbox.deliveries.map((d) => [d.action, d.runId, d.status])).toEqual([
      ['requested', runId, 200],
      ['in_progress', runId, 200],
      ['completed', runId, 200],
    ]);
    expect(sandbox.deliveries.map((d) => d.id)).toEqual(hook.received.map((d) => d.headers['x-github-delivery']));
  });

  it('uses the workflow name as display_title when the workflow has no run-name, and its conclusion', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    await dispatch(sandbox, 'failing.yml');
    await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });
    expect(hook.received.at(-1)?.body.workflow_run).toMatchObject({ display_title: 'Failing', name: 'Failing', conclusion: 'failure' });
  });

  it('cancels a held run: 202, completed/cancelled with a delivery, then 409 on a second cancel', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    const octokit = installationOctokit(sandbox);
    const runId = ((await dispatch(sandbox, 'held.yml')).data as { workflow_run_id: number }).workflow_run_id;
    await vi.waitFor(() => expect(sandbox.deliveries.map((d) => d.action)).toEqual(['requested', 'in_progress']), { timeout: 10_000, interval: 10 });
    expect(sandbox.getRun(runId)).toMatchObject({ status: 'in_progress', conclusion: null });

    const cancel = await octokit.rest.actions.cancelWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId });
    expect(cancel.status).toBe(202);
    await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });
    expect(hook.received.at(-1)?.body).toMatchObject({ action: 'completed', workflow_run: { status: 'completed', conclusion: 'cancelled' } });

    const again = await requestError(octokit.rest.actions.cancelWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId }));
    expect(again.status).toBe(409);
    expect(again.response?.data).toMatchObject({ message: 'Cannot cancel a workflow run that is completed.' });
  });

  it('completeRun ends a held run with the given conclusion once its delivery went out', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    const runId = ((await dispatch(sandbox, 'held.yml')).data as { workflow_run_id: number }).workflow_run_id;
    await sandbox.completeRun(runId, 'timed_out');
    expect(sandbox.deliveries.at(-1)).toMatchObject({ action: 'completed', runId, status: 200 });
    expect(sandbox.getRun(runId)).toMatchObject({ status: 'completed', conclusion: 'timed_out' });
    await expect(sandbox.completeRun(runId, 'success')).rejects.toThrow(/already completed/);
  });

  it('records a delivery the receiver refused with its status', async () => {
    const hook = await receiver(503);
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    await dispatch(sandbox);
    await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });
    expect(sandbox.deliveries.map((d) => d.status)).toEqual([503, 503, 503]);
  });

  it('lists runs filtered by created and event, newest first and paginated', async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox);
    const first = ((await dispatch(sandbox)).data as { workflow_run_id: number }).workflow_run_id;
    const second = ((await dispatch(sandbox, 'failing.yml')).data as { workflow_run_id: number }).workflow_run_id;
    const list = (query: Record<string, string | number>) =>
      octokit.rest.actions.listWorkflowRunsForRepo({ owner: OWNER, repo: REPO, ...query }).then((r) => r.data);

    expect((await list({ event: 'workflow_dispatch' })).workflow_runs.map((r) => r.id)).toEqual([second, first]);
    expect((await list({ event: 'push' })).total_count).toBe(0);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list({ created: `>=${hourAgo}` })).total_count).toBe(2);
    expect((await list({ created: `>=${inAnHour}` })).total_count).toBe(0);
    expect((await list({ created: `<${hourAgo}` })).total_count).toBe(0);
    expect((await list({ created: `${hourAgo}..${inAnHour}`, event: 'workflow_dispatch' })).total_count).toBe(2);

    const page = await list({ per_page: 1 });
    expect(page.total_count).toBe(2);
    expect(page.workflow_runs).toHaveLength(1);
    const all = await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, { owner: OWNER, repo: REPO, per_page: 1 });
    expect(all.map((r) => r.id)).toEqual([second, first]);

    const ofWorkflow = await octokit.rest.actions.listWorkflowRuns({ owner: OWNER, repo: REPO, workflow_id: 'deploy.yml', status: 'completed' });
    expect(ofWorkflow.data.workflow_runs.every((r) => r.workflow_id === WORKFLOWS.deploy.id)).toBe(true);
  });

  it('lists workflows and gets one by id or file name', async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox);
    const list = await octokit.rest.actions.listRepoWorkflows({ owner: OWNER, repo: REPO });
    expect(list.data.workflows.map((w) => w.id)).toEqual(Object.values(WORKFLOWS).map((w) => w.id));
    const byFile = await octokit.rest.actions.getWorkflow({ owner: OWNER, repo: REPO, workflow_id: 'deploy.yml' });
    expect(byFile.data).toMatchObject({ id: WORKFLOWS.deploy.id, name: 'Deploy', path: WORKFLOWS.deploy.path, state: 'active' });
    expect(validator.validate(openapi.schema('workflow'), byFile.data)).toEqual([]);
  });

  it('also answers under /api/v3, the API base of GitHub Enterprise Server', async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox, INSTALLATION_ID, sandbox.privateKey, `${sandbox.url}/api/v3`);
    const list = await octokit.rest.actions.listRepoWorkflows({ owner: OWNER, repo: REPO });
    expect(list.data.total_count).toBe(Object.keys(WORKFLOWS).length);
    expect(sandbox.requests.map((r) => r.path)).toContain(`/repos/${OWNER}/${REPO}/actions/workflows`);
  });

  it("answers unknown routes with GitHub's 404 body", async () => {
    const sandbox = await sandboxWith();
    const response = await fetch(`${sandbox.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  });

  it('never writes the private key into its logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const hook = await receiver();
    const sandbox = await sandboxWith({ webhookUrl: hook.url, logger: pino({ level: 'trace' }, sink) });
    await dispatch(sandbox);
    await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });
    const keyBody = sandbox.privateKey.split('\n')[1] as string;
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(keyBody);
    expect(lines.join('')).not.toContain(sandbox.webhookSecret);
  });
});

async function fetchToken(sandbox: GithubSandbox): Promise<{ token: string }> {
  const response = await fetch(`${sandbox.url}/app/installations/${INSTALLATION_ID}/access_tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await appJwt(sandbox)}` },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string };
}
