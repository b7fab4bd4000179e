import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { loadGithubOpenapi } from '../../../src/sandbox/openapi-spec.ts';
import { createRequestValidator } from '../../../src/sandbox/openapi-validator.ts';
import { appJwt, appOctokit, INSTALLATION_ID, installationOctokit, OWNER, REPO, startSandbox, WORKFLOWS } from './sandbox-fixture.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const openapi = loadGithubOpenapi();
const validator = createRequestValidator(openapi);
const shapeProblems = (operationId: string, status: string, body: unknown) => validator.validate(openapi.operation(operationId).responseSchemas[status]!, body);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sandboxWith(overrides: Parameters<typeof startSandbox>[0] = {}): Promise<GithubSandbox> {
  const sandbox = await startSandbox(overrides);
  cleanups.push(() => sandbox.close());
  return sandbox;
}

/** Accepts anything and keeps the raw bodies (form bodies are not JSON). */
async function rawReceiver() {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhook`, bodies };
}

async function dispatchAndWait(sandbox: GithubSandbox, count: number): Promise<void> {
  await installationOctokit(sandbox).rest.actions.createWorkflowDispatch({
    owner: OWNER,
    repo: REPO,
    workflow_id: WORKFLOWS.deploy.id,
    ref: 'main',
    inputs: { job_id: 'j-1' },
  });
  await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(count), { timeout: 10_000, interval: 10 });
}

describe('GitHub sandbox: the App and its webhook', () => {
  it('GET /app shows the events and permissions it was given; installations and tokens their own permissions', async () => {
    const sandbox = await sandboxWith({
      events: ['push'],
      permissions: { actions: 'read', metadata: 'read' },
      installations: [{ id: INSTALLATION_ID, account: OWNER, permissions: { metadata: 'read' } }],
    });
    const app = appOctokit(sandbox);
    const { data } = await app.rest.apps.getAuthenticated();
    expect(data).toMatchObject({ events: ['push'], permissions: { actions: 'read', metadata: 'read' } });
    const { data: installations } = await app.rest.apps.listInstallations();
    expect(installations[0]).toMatchObject({ id: INSTALLATION_ID, permissions: { metadata: 'read' }, events: ['push'] });
    const { data: token } = await app.rest.apps.createInstallationAccessToken({ installation_id: INSTALLATION_ID });
    expect(token.permissions).toEqual({ metadata: 'read' });
    // Without Actions write GitHub refuses the dispatch.
    await expect(
      installationOctokit(sandbox).rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: WORKFLOWS.deploy.id, ref: 'main' }),
    ).rejects.toMatchObject({ status: 403, message: expect.stringContaining('Resource not accessible by integration') });
  });

  it('GET and PATCH /app/hook/config, with the secret masked', async () => {
    const sandbox = await sandboxWith({ webhookUrl: 'https://agent.example.com/api/github/webhook' });
    const app = appOctokit(sandbox);
    const { data } = await app.request('GET /app/hook/config');
    expect(data).toEqual({ url: 'https://agent.example.com/api/github/webhook', content_type: 'json', insecure_ssl: '0', secret: '********' });
    expect(shapeProblems('apps/get-webhook-config-for-app', '200', data)).toEqual([]);

    // auth-app signs only GET /app/hook/config with the JWT; send the JWT ourselves.
    const asApp = new Octokit({ baseUrl: sandbox.url, auth: await appJwt(sandbox) });
    // `url` is Octokit's own option name, so the body goes in `data`.
    const patched = await asApp.request('PATCH /app/hook/config', {
      data: { content_type: 'form', secret: '', url: 'https://other.example.com/hook' },
    } as never);
    expect(patched.data).toEqual({ url: 'https://other.example.com/hook', content_type: 'form', insecure_ssl: '0' });
    expect(sandbox.webhookConfig).toMatchObject({ url: 'https://other.example.com/hook', contentType: 'form' });
    expect(sandbox.webhookConfig.secret).toBeUndefined();
    await expect(asApp.request('PATCH /app/hook/config', { content_type: 42 } as never)).rejects.toMatchObject({ status: 422 });
  });

  it('sends form-encoded deliveries when asked, and unsigned ones without a secret', async () => {
    const hook = await rawReceiver();
    const sandbox = await sandboxWith({ webhookUrl: hook.url, webhookContentType: 'form' });
    await installationOctokit(sandbox)
      .rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: WORKFLOWS.held.id, ref: 'main' })
      .catch(() => undefined);
    await vi.waitFor(() => expect(sandbox.deliveries.length).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 10 });
    const attempt = sandbox.deliveries[0]!;
    const { data } = await appOctokit(sandbox).request('GET /app/hook/deliveries/{delivery_id}', { delivery_id: attempt.deliveryId });
    const headers = data.request.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', sandbox.webhookSecret).update(hook.bodies[0]!).digest('hex')}`);
    const form = new URLSearchParams(hook.bodies[0]);
    expect(JSON.parse(form.get('payload')!)).toMatchObject({ action: 'requested' });

    sandbox.setWebhookConfig({ secret: null, contentType: 'json' });
    await sandbox.completeRun(sandbox.dispatches[0]!.runId, 'success');
    const last = await appOctokit(sandbox).request('GET /app/hook/deliveries/{delivery_id}', { delivery_id: sandbox.deliveries.at(-1)!.deliveryId });
    expect(last.data.request.headers).not.toHaveProperty('x-hub-signature-256');
    expect(last.data.request.headers).toHaveProperty('content-type', 'application/json');
  });

  it("lists deliveries newest first with GitHub's shape, cursor pages and status filter", async () => {
    const hook = await startWebhookReceiver(503);
    cleanups.push(() => hook.close());
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    await dispatchAndWait(sandbox, 3);
    const app = appOctokit(sandbox);
    const { data, headers } = await app.request('GET /app/hook/deliveries', { per_page: 2 });
    expect(shapeProblems('apps/list-webhook-deliveries', '200', data)).toEqual([]);
    expect(data.map((d) => d.action)).toEqual(['completed', 'in_progress']);
    expect(data[0]).toMatchObject({
      guid: sandbox.deliveries[2]!.id,
      status_code: 503,
      status: 'Invalid HTTP Response: 503',
      redelivery: false,
      event: 'workflow_run',
      installation_id: INSTALLATION_ID,
    });
    expect(headers.link).toMatch(/cursor=\d+.*rel="next"/);
    const all = await app.paginate('GET /app/hook/deliveries', { per_page: 2 });
    expect(all.map((d) => d.action)).toEqual(['completed', 'in_progress', 'requested']);
    expect((await app.request('GET /app/hook/deliveries', { status: 'failure' })).data).toHaveLength(3);
    expect((await app.request('GET /app/hook/deliveries', { status: 'success' })).data).toHaveLength(0);
  });

  it('shows one delivery with what was sent and answered, and redelivers it with the same guid and a new id', async () => {
    const hook = await startWebhookReceiver(200);
    cleanups.push(() => hook.close());
    const sandbox = await sandboxWith({ webhookUrl: hook.url });
    await dispatchAndWait(sandbox, 3);
    const app = appOctokit(sandbox);
    const first = sandbox.deliveries[0]!;
    const { data } = await app.request('GET /app/hook/deliveries/{delivery_id}', { delivery_id: first.deliveryId });
    expect(shapeProblems('apps/get-webhook-delivery', '200', data)).toEqual([]);
    expect(data).toMatchObject({ id: first.deliveryId, guid: first.id, url: hook.url, status_code: 200, status: 'OK', action: 'requested' });
    expect((data.request.payload as { action: string }).action).toBe('requested');
    expect(data.response.payload).toBe('{}');

    const redeliver = await app.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: first.deliveryId });
    expect(redeliver.status).toBe(202);
    await vi.waitFor(() => expect(sandbox.deliveries).toHaveLength(4), { timeout: 10_000, interval: 10 });
    const again = sandbox.deliveries[3]!;
    expect(again).toMatchObject({ id: first.id, redelivery: true, action: 'requested', status: 200 });
    expect(again.deliveryId).not.toBe(first.deliveryId);
    expect(hook.received[3]!.raw).toBe(hook.received[0]!.raw);
    expect(hook.received[3]!.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', sandbox.webhookSecret).update(hook.received[3]!.raw).digest('hex')}`,
    );
    await expect(app.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: 1 })).rejects.toMatchObject({ status: 404 });
  });
});

describe('GitHub sandbox: contents, branches and refs', () => {
  it('serves a generated workflow file in base64 that says what the spec says', async () => {
    const sandbox = await sandboxWith();
    const github = installationOctokit(sandbox);
    const { data } = await github.rest.repos.getContent({ owner: OWNER, repo: REPO, path: WORKFLOWS.deploy.path });
    expect(shapeProblems('repos/get-content', '200', data)).toEqual([]);
    const file = data as { type: string; encoding: string; content: string; name: string; path: string; size: number };
    expect(file).toMatchObject({ type: 'file', encoding: 'base64', name: 'deploy.yml', path: WORKFLOWS.deploy.path });
    const text = Buffer.from(file.content, 'base64').toString('utf8');
    expect(file.size).toBe(Buffer.byteLength(text));
    expect(parse(text)).toMatchObject({
      name: 'Deploy',
      'run-name': 'Deploy ${{ inputs.job_id }}',
      on: { workflow_dispatch: { inputs: { job_id: { required: true } } } },
    });
    const pushOnly = parse(
      Buffer.from(
        ((await github.rest.repos.getContent({ owner: OWNER, repo: REPO, path: WORKFLOWS.pushOnly.path })).data as { content: string }).content,
        'base64',
      ).toString('utf8'),
    );
    expect(pushOnly.on).not.toHaveProperty('workflow_dispatch');
    const failing = parse(
      Buffer.from(
        ((await github.rest.repos.getContent({ owner: OWNER, repo: REPO, path: WORKFLOWS.failing.path })).data as { content: string }).content,
        'base64',
      ).toString('utf8'),
    );
    expect(failing).not.toHaveProperty('run-name');
  });

  it('serves a given yaml text, only on the refs that hold it', async () => {
    const yaml = 'name: Custom\non: workflow_dispatch\n';
    const sandbox = await sandboxWith({
      repos: [
        {
          owner: OWNER,
          name: REPO,
          branches: ['release'],
          workflows: [{ id: 1, path: '.github/workflows/custom.yml', name: 'Custom', yaml, refs: ['release'] }],
        },
      ],
    });
    const github = installationOctokit(sandbox);
    const { data } = await github.rest.repos.getContent({ owner: OWNER, repo: REPO, path: '.github/workflows/custom.yml', ref: 'release' });
    expect(Buffer.from((data as { content: string }).content, 'base64').toString('utf8')).toBe(yaml);
    await expect(github.rest.repos.getContent({ owner: OWNER, repo: REPO, path: '.github/workflows/custom.yml' })).rejects.toMatchObject({ status: 404 });
    await expect(github.rest.repos.getContent({ owner: OWNER, repo: REPO, path: '.github/workflows/custom.yml', ref: 'nope' })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('answers branch and git ref look-ups for branches and tags only', async () => {
    const sandbox = await sandboxWith({ repos: [{ owner: OWNER, name: REPO, branches: ['feature/x'], tags: ['v1.2.3'], workflows: [] }] });
    const github = installationOctokit(sandbox);
    const branch = await github.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'feature/x' });
    expect(branch.data).toMatchObject({ name: 'feature/x', protected: false });
    expect(shapeProblems('repos/get-branch', '200', branch.data)).toEqual([]);
    await expect(github.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'v1.2.3' })).rejects.toMatchObject({ status: 404 });
    const tag = await github.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'tags/v1.2.3' });
    expect(tag.data).toMatchObject({ ref: 'refs/tags/v1.2.3', object: { type: 'commit' } });
    expect(shapeProblems('git/get-ref', '200', tag.data)).toEqual([]);
    expect((await github.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' })).data.ref).toBe('refs/heads/main');
    await expect(github.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/v1.2.3' })).rejects.toMatchObject({ status: 404 });
  });
});
