import { randomUUID } from 'node:crypto';
import type { DeclarativeConfig } from '../../src/config/declarative-config.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobWorkflow } from '../../src/client/start-job-workflow.ts';
import type { JobWorkflowInput } from '../../src/domain/job.ts';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../support/ctrlplane-jobs.ts';
import { defaultSandboxRepos, type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

const deployment = (name: string, jobAgentConfig: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  [name, { type: 'Deployment' as const, name, jobAgent: 'github', source: 'test', jobAgentConfig, ...more }] as const;

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({
    // Any owner of the installation at main (what the lock must stop is not stopped by the allow-list), and the release
    // branch of acme's repository only.
    dispatchAllowlist: `${INSTALLATION_ID}:*/${REPO}:101@main, ${INSTALLATION_ID}:${OWNER}/${REPO}:deploy.yml@release, ${INSTALLATION_ID}:${OWNER}/${REPO}:101@release`,
    // A branch an attacker would like to deploy from.
    sandbox: { repos: defaultSandboxRepos.map((repo) => ({ ...repo, branches: [...(repo.branches ?? []), 'evil'] })) },
    ctrlplane: true,
    config: {
      jobAgents: new Map(),
      deployments: new Map([
        deployment('api-service', { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 }),
        // The shipped example's shape: the owner comes from a variable, which the Deployment pins.
        deployment(
          'templated-service',
          { installationId: INSTALLATION_ID, owner: '{{.variables.github_org}}', repo: REPO, workflowId: 101, ref: 'main' },
          { variables: { github_org: OWNER } },
        ),
        // An operator who lets requests choose the ref says so.
        deployment('release-train', { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101, ref: 'main' }, { overridable: ['ref'] }),
      ]),
      ignored: [],
    } satisfies DeclarativeConfig,
  });
});
afterAll(async () => {
  await env?.stop();
});

describe('dispatch allow-list', () => {
  it('refuses with 403 a job whose rendered config targets a workflow outside it, and starts nothing', async () => {
    // A deployment that CONFIG_FILE does not configure: the request brings its own target.
    const body = jobBody({
      deployment: { name: 'web' },
      jobAgentConfig: { installationId: INSTALLATION_ID, owner: '{{.variables.github_org}}', repo: REPO, workflowId: 102 },
    });
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      `dispatching ${OWNER}/${REPO} workflow 102 at main (installation ${INSTALLATION_ID}) is not allowed by DISPATCH_ALLOWLIST`,
    );
    expect((await env.api(`/api/v1/jobs/${body.id as string}`)).status).toBe(404);
    expect(env.sandbox.dispatches).toHaveLength(0);
    // A job inside the allow-list is dispatched and runs.
    const allowed = await env.createJob();
    expect((await env.waitForStatus(allowed.id, 'successful')).status).toBe('successful');
  });

  it('keeps a configured Deployment on its target: a request cannot override it', async () => {
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: { ...jobBody(), deployment: 'api-service', jobAgentConfig: { repo: 'other' } } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain(
      'repo of the configured Deployment "api-service" cannot be changed by a request',
    );
  });
});

describe('configured Deployments, as an attacker with jobs:create', () => {
  const dispatchesOf = (id: unknown) => env.sandbox.dispatches.filter((d) => d.inputs.job_id === id);
  /** A request naming a configured Deployment: the job's context, and only the keys given in `extra`. */
  const configuredBody = (name: string, extra: Record<string, unknown> = {}) => {
    const { jobAgentConfig: _own, variables: _variables, ...context } = jobBody();
    return { ...context, deployment: name, ...extra, id: context.id as string };
  };

  it('refuses ref: evil on a Deployment that locks its ref (403), and dispatches nothing', async () => {
    const body = configuredBody('api-service', { jobAgentConfig: { ref: 'evil' } });
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: 'forbidden',
      message: expect.stringContaining('ref of the configured Deployment "api-service" cannot be changed by a request') as unknown,
    });
    expect((await env.api(`/api/v1/jobs/${body.id}`)).status).toBe(404);
    expect(dispatchesOf(body.id)).toHaveLength(0);
  });

  it('refuses a template that renders to another ref, and accepts one that renders to the locked one', async () => {
    const steered = configuredBody('api-service', { jobAgentConfig: { ref: '{{.variables.branch}}' }, variables: { branch: 'evil' } });
    expect((await env.api('/api/v1/jobs', { method: 'POST', json: steered })).status).toBe(403);
    // The same value written differently is the same setting: compared as rendered, not as text.
    const same = configuredBody('api-service', { jobAgentConfig: { installationId: String(INSTALLATION_ID), repo: '{{ "deploy-demo" }}' } });
    const created = await env.api('/api/v1/jobs', { method: 'POST', json: same });
    expect(created.status, await created.clone().text()).toBe(201);
    expect((await env.waitForStatus(same.id, 'successful')).status).toBe('successful');
    expect(dispatchesOf(same.id)).toMatchObject([{ owner: OWNER, repo: REPO, ref: 'main' }]);
  });

  it('refuses variables that steer a locked owner (403), and runs the job with the pinned ones', async () => {
    const body = configuredBody('templated-service', { variables: { github_org: 'evil' } });
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain('owner of the configured Deployment "templated-service"');
    expect(dispatchesOf(body.id)).toHaveLength(0);
    // Without variables the Deployment's own fill its template.
    const plain = configuredBody('templated-service');
    expect((await env.api('/api/v1/jobs', { method: 'POST', json: plain })).status).toBe(201);
    expect((await env.waitForStatus(plain.id, 'successful')).status).toBe('successful');
    expect(dispatchesOf(plain.id)).toMatchObject([{ owner: OWNER, repo: REPO, ref: 'main' }]);
  });

  it('refuses a request that names a configured Deployment as an object to bring its own target', async () => {
    const body = jobBody({
      deployment: { name: 'api-service', slug: 'api-service' },
      jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101, ref: 'evil' },
    });
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(response.status).toBe(403);
    expect(dispatchesOf(body.id)).toHaveLength(0);
  });

  it('is enforced by the worker too: a job started past the API (straight into Temporal) ends invalid_integration, nothing dispatched', async () => {
    const { jobAgentConfig: _config, variables: _variables, ...context } = jobBody();
    const started = async (deploymentName: string, jobAgentConfig: Record<string, unknown>, variables: Record<string, unknown> = {}) => {
      const input = { ...context, id: randomUUID(), createdAt: new Date().toISOString(), deployment: { name: deploymentName }, jobAgentConfig, variables };
      await startJobWorkflow(env.stack.client, input as JobWorkflowInput, { taskQueue: env.stack.taskQueue });
      return input.id;
    };
    const target = { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 };
    // A ref the allow-list lets through, but not the Deployment's.
    const evilRef = await started('api-service', { ...target, ref: 'release' });
    const steered = await started('templated-service', { ...target, owner: '{{.variables.github_org}}', ref: 'main' }, { github_org: 'evil' });
    for (const id of [evilRef, steered]) {
      const done = await env.waitForStatus(id, ['invalid_integration', 'successful', 'failure']);
      expect(done.status).toBe('invalid_integration');
      expect(done.message).toContain('of the configured Deployment');
      expect(dispatchesOf(id)).toHaveLength(0);
    }
    expect((await env.getJob(evilRef)).message).toContain('ref of the configured Deployment "api-service" cannot be changed by a request');
    expect((await env.getJob(steered)).message).toContain('owner of the configured Deployment "templated-service" cannot be changed by a request');
    // Its own settings, started the same way, dispatch.
    const own = await started('api-service', { ...target });
    expect((await env.waitForStatus(own, ['invalid_integration', 'successful', 'failure'])).status).toBe('successful');
  });

  it('lets a request change what the operator lists as overridable', async () => {
    const body = configuredBody('release-train', { jobAgentConfig: { ref: 'release' } });
    expect((await env.api('/api/v1/jobs', { method: 'POST', json: body })).status).toBe(201);
    expect((await env.waitForStatus(body.id, 'successful')).status).toBe('successful');
    expect(dispatchesOf(body.id)).toMatchObject([{ ref: 'release' }]);
    const repo = configuredBody('release-train', { jobAgentConfig: { repo: 'other' } });
    expect((await env.api('/api/v1/jobs', { method: 'POST', json: repo })).status).toBe(403);
  });

  it('refuses with 403 a ref its rules do not name, and dispatches the named one', async () => {
    const target = { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 };
    const body = jobBody({ deployment: { name: 'web' }, jobAgentConfig: { ...target, ref: 'evil' } });
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      `dispatching ${OWNER}/${REPO} workflow 101 at evil (installation ${INSTALLATION_ID}) is not allowed by DISPATCH_ALLOWLIST`,
    );
    expect((await env.api(`/api/v1/jobs/${body.id as string}`)).status).toBe(404);
    // GitHub takes refs/heads/<branch> for the branch: the rule for the branch is the rule for both spellings.
    const spelt = jobBody({ deployment: { name: 'web' }, jobAgentConfig: { ...target, ref: 'refs/heads/evil' } });
    expect((await env.api('/api/v1/jobs', { method: 'POST', json: spelt })).status).toBe(403);
    const release = jobBody({ deployment: { name: 'web' }, jobAgentConfig: { ...target, ref: 'refs/heads/release' } });
    expect((await env.api('/api/v1/jobs', { method: 'POST', json: release })).status).toBe(201);
    expect((await env.waitForStatus(release.id as string, 'successful')).status).toBe('successful');
    expect(env.sandbox.dispatches.filter((d) => [body.id, spelt.id, release.id].includes(d.inputs.job_id))).toMatchObject([{ ref: 'refs/heads/release' }]);
  });

  it('refuses another ref at the worker too: a Ctrlplane job at it ends invalidIntegration without a dispatch', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, env.stack.ctrlplane!.origin.agentId, { variables: { settings: { object: { branch: 'evil' } } } });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'invalidIntegration');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['invalidIntegration']);
    expect((await env.getJob(queued.id)).message).toContain(`dispatching ${OWNER}/${REPO} workflow 101 at evil (installation ${INSTALLATION_ID})`);
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === queued.id)).toHaveLength(0);
  });

  it('is enforced by the worker too: a Ctrlplane job outside it ends invalidIntegration without a dispatch', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, env.stack.ctrlplane!.origin.agentId, { workflowId: 102 });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'invalidIntegration');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['invalidIntegration']);
    expect((await env.getJob(queued.id)).message).toContain('is not allowed by DISPATCH_ALLOWLIST');
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === queued.id)).toHaveLength(0);
  });
});
