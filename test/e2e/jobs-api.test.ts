import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarativeConfig } from '../../src/config/declarative-config.ts';
import { API_KEY, type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import { getJobInputsCurrentGeneration, getJobInputsFirstGeneration, type StepOutputs } from '../support/get-job-inputs.ts';

const run = promisify(execFile);

/** A Deployment as CONFIG_FILE would define it: the slow workflow, so jobs stay running until told otherwise. */
const config: DeclarativeConfig = {
  jobAgents: new Map([['github-actions', { type: 'JobAgent', name: 'github-actions', agentType: 'github-app' }]]),
  deployments: new Map([
    [
      'configured-service',
      {
        type: 'Deployment',
        name: 'configured-service',
        jobAgent: 'github-actions',
        jobAgentConfig: { installationId: INSTALLATION_ID, owner: '{{.variables.github_org}}', repo: REPO, workflowId: 'deploy.yml', ref: 'release' },
        // The owner's template reads this variable: the Deployment pins it (a locked key renders with its own variables).
        variables: { github_org: OWNER },
        source: 'test',
      },
    ],
  ]),
  ignored: [],
};

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ config });
});
afterAll(async () => {
  await env?.stop();
});

const holdConfig = { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 };

/** Polls until `check` passes: list results come from Temporal visibility, which is eventually consistent. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

describe('get-job-inputs against this API', () => {
  const context = {
    deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
    environment: { id: randomUUID(), name: 'production' },
    resource: { id: randomUUID(), identifier: 'cluster-1', name: 'Cluster 1', kind: 'Kubernetes', config: { namespace: 'prod', 'node.pool': 'blue' } },
    version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3', metadata: { 'git/sha': 'abc123' } },
    variables: { github_org: OWNER, replicas: 3, 'feature-flag': null },
  };

  function expectGuideOutputs(outputs: StepOutputs, jobId: string) {
    expect(outputs).toMatchObject({
      job_id: jobId,
      version_tag: 'v1.2.3',
      version_name: 'Release 1.2.3',
      environment_name: 'production',
      environment_id: context.environment.id,
      resource_identifier: 'cluster-1',
      resource_name: 'Cluster 1',
      resource_kind: 'Kubernetes',
      deployment_name: 'api-service',
    });
    expect(JSON.parse(outputs.resource_config as string)).toEqual({ namespace: 'prod', 'node.pool': 'blue' });
    expect(JSON.parse(outputs.deployment_variables as string)).toEqual({ github_org: OWNER, replicas: 3, 'feature-flag': null });
    // Nested keys flattened with `_`, unsafe characters replaced, null never emitted.
    expect(outputs.resource_config_namespace).toBe('prod');
    expect(outputs.resource_config_node_pool).toBe('blue');
    expect(outputs.version_metadata_git_sha).toBe('abc123');
    expect(outputs.deployment_variables_replicas).toBe('3');
    expect(outputs).not.toHaveProperty('deployment_variables_feature_flag');
  }

  it('yields every output of Ctrlplane’s guide in both generations, with base_url with or without /api', async () => {
    const job = await env.createJob({ ...context, jobAgentConfig: holdConfig });
    const base = env.stack.apiUrl;
    for (const baseUrl of [base, `${base}/`, `${base}/api`]) {
      const first = await getJobInputsFirstGeneration({ baseUrl, apiKey: API_KEY, jobId: job.id });
      expectGuideOutputs(first, job.id);
      expect(first.variables_github_org).toBe(OWNER);

      const current = await getJobInputsCurrentGeneration({ baseUrl, apiKey: API_KEY, jobId: job.id });
      expectGuideOutputs(current, job.id);
      expect(current.variable_github_org).toBe(OWNER);
      const { workspaces } = (await (await env.api('/api/v1/workspaces')).json()) as { workspaces: Array<{ id: string }> };
      expect(current.workspace_id).toBe(workspaces[0]?.id);
    }
    await env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
  });

  it('fails the step for an unknown job or a wrong key, as the action would', async () => {
    const base = env.stack.apiUrl;
    await expect(getJobInputsCurrentGeneration({ baseUrl: base, apiKey: API_KEY, jobId: randomUUID() })).rejects.toThrow(/Job not found/);
    await expect(getJobInputsFirstGeneration({ baseUrl: base, apiKey: 'wrong', jobId: randomUUID() })).rejects.toThrow(/401/);
  });
});

describe('manual status, exactly as Ctrlplane’s guide sends it', () => {
  // The two steps of the guide's "Manual via API (Fallback)", as written there.
  const guideSteps = {
    success: `curl -X PATCH "https://your-ctrlplane-instance.com/api/v1/jobs/\${{ inputs.job_id }}" \\
  -H "Authorization: Bearer \${{ secrets.CTRLPLANE_API_KEY }}" \\
  -H "Content-Type: application/json" \\
  -d '{"status": "successful"}'`,
    failure: `curl -X PATCH "https://your-ctrlplane-instance.com/api/v1/jobs/\${{ inputs.job_id }}" \\
  -H "Authorization: Bearer \${{ secrets.CTRLPLANE_API_KEY }}" \\
  -H "Content-Type: application/json" \\
  -d '{"status": "failure"}'`,
  };

  /** GitHub substitutes the expressions before the shell runs the step; the base URL is ours. */
  async function runStep(step: string, jobId: string): Promise<unknown> {
    const script = step
      .replace('https://your-ctrlplane-instance.com', env.stack.apiUrl)
      .replace('${{ inputs.job_id }}', jobId)
      .replace('${{ secrets.CTRLPLANE_API_KEY }}', API_KEY);
    const { stdout } = await run('bash', ['-e', '-c', `${script} --silent --show-error`]);
    return JSON.parse(stdout);
  }

  it('marks a running job successful, and a finished one stays as it is (409)', async () => {
    const job = await env.createJob({ jobAgentConfig: holdConfig });
    await env.waitForStatus(job.id, 'in_progress');
    expect(await runStep(guideSteps.success, job.id)).toMatchObject({ id: job.id, status: 'successful' });
    expect((await env.getJob(job.id)).status).toBe('successful');
    expect(await runStep(guideSteps.failure, job.id)).toMatchObject({ error: 'conflict' });
    expect((await env.getJob(job.id)).status).toBe('successful');
  });

  it('marks a running job failed', async () => {
    const job = await env.createJob({ jobAgentConfig: holdConfig });
    await env.waitForStatus(job.id, 'in_progress');
    expect(await runStep(guideSteps.failure, job.id)).toMatchObject({ id: job.id, status: 'failure' });
    expect((await env.waitForStatus(job.id, 'failure')).completedAt).toBeTruthy();
  });
});

describe('POST /api/v1/jobs/{jobId}/cancel', () => {
  it('answers 404 for an unknown job, 202 for a running one, 409 once it is finished', async () => {
    expect((await env.api(`/api/v1/jobs/${randomUUID()}/cancel`, { method: 'POST' })).status).toBe(404);
    const job = await env.createJob({ jobAgentConfig: holdConfig });
    await env.waitForStatus(job.id, 'in_progress');
    const accepted = await env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ ok: true, job: { id: job.id } });
    await env.waitForStatus(job.id, 'cancelled');
    const again = await env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
});

describe('GET /api/v1/jobs', () => {
  type Page = { jobs: Array<{ id: string; status: string; deployment?: string; environment?: string; resource?: string }>; nextCursor?: string };
  const list = async (query: string): Promise<Page> => {
    const response = await env.api(`/api/v1/jobs?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page;
  };

  it('filters by deployment, environment, resource and status, and pages with a cursor', async () => {
    const deployment = `list-${randomUUID()}`;
    const make = (environment: string, resource: string) =>
      env.createJob({
        jobAgentConfig: holdConfig,
        deployment: { name: deployment },
        environment: { name: environment },
        resource: { identifier: resource },
      });
    const jobs = [await make('staging', 'r1'), await make('production', 'r1'), await make('production', 'r2')];
    const ids = jobs.map((job) => job.id).sort();

    const all = await eventually(
      () => list(`deployment=${encodeURIComponent(deployment)}`),
      (page) => page.jobs.length === 3,
    );
    expect(all.jobs.map((job) => job.id).sort()).toEqual(ids);
    expect(all.jobs.every((job) => job.deployment === deployment)).toBe(true);

    const production = await eventually(
      () => list(`deployment=${encodeURIComponent(deployment)}&environment=production`),
      (page) => page.jobs.length === 2,
    );
    expect(production.jobs.map((job) => job.id).sort()).toEqual([jobs[1]!.id, jobs[2]!.id].sort());
    const r2 = await eventually(
      () => list(`deployment=${encodeURIComponent(deployment)}&resource=r2`),
      (page) => page.jobs.length === 1,
    );
    expect(r2.jobs[0]).toMatchObject({ id: jobs[2]!.id, environment: 'production', resource: 'r2' });

    const first = await list(`deployment=${encodeURIComponent(deployment)}&limit=2`);
    expect(first.jobs).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await list(`deployment=${encodeURIComponent(deployment)}&limit=2&cursor=${first.nextCursor}`);
    expect(second.jobs).toHaveLength(1);
    expect([...first.jobs, ...second.jobs].map((job) => job.id).sort()).toEqual(ids);

    // The status filter follows the CtrlplaneJobStatus search attribute as jobs move on.
    await env.api(`/api/v1/jobs/${jobs[0]!.id}/cancel`, { method: 'POST' });
    await env.waitForStatus(jobs[0]!.id, 'cancelled');
    const cancelled = await eventually(
      () => list(`deployment=${encodeURIComponent(deployment)}&status=cancelled`),
      (page) => page.jobs.length === 1,
    );
    expect(cancelled.jobs[0]).toMatchObject({ id: jobs[0]!.id, status: 'cancelled' });
    const running = await eventually(
      () => list(`deployment=${encodeURIComponent(deployment)}&status=inProgress,pending`),
      (page) => page.jobs.length === 2,
    );
    expect(running.jobs.map((job) => job.id).sort()).toEqual([jobs[1]!.id, jobs[2]!.id].sort());

    for (const job of jobs.slice(1)) await env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
  });

  it('answers 400 for a cursor it did not issue or one reused with other filters, and treats quotes in a filter as data', async () => {
    const bogus = await env.api('/api/v1/jobs?cursor=bm90LWEtdG9rZW4');
    expect(bogus.status).toBe(400);
    expect(((await bogus.json()) as { error: string }).error).toBe('validation_error');
    const deployment = `cursor-${randomUUID()}`;
    for (let i = 0; i < 2; i++) await env.createJob({ jobAgentConfig: { ...holdConfig, workflowId: 101 }, deployment: { name: deployment } });
    const first = await eventually(
      () => list(`deployment=${deployment}&limit=1`),
      (page) => page.nextCursor !== undefined,
    );
    const reused = await env.api(`/api/v1/jobs?deployment=other&limit=1&cursor=${first.nextCursor}`);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { message: string }).message).toContain('query.cursor');
    const quoted = await list(`deployment=${encodeURIComponent("x' OR WorkflowType = 'jobWorkflow")}`);
    expect(quoted.jobs).toEqual([]);
  });
});

describe('creating the same job twice', () => {
  it('starts one workflow and one run even when the requests race: one 201, the rest 200', async () => {
    const id = randomUUID();
    const body = jobBody({ id });
    const answers = await Promise.all(Array.from({ length: 5 }, () => env.api('/api/v1/jobs', { method: 'POST', json: body })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 201]);
    for (const answer of answers) expect(((await answer.json()) as { id: string }).id).toBe(id);
    await env.waitForStatus(id, 'successful');
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === id)).toHaveLength(1);
  });
});

describe('deployments from CONFIG_FILE', () => {
  it('creates a job by deployment name with the configured jobAgentConfig, once per id', async () => {
    const id = randomUUID();
    const body = { ...jobBody({ id }), deployment: 'configured-service' } as Record<string, unknown>;
    delete body.jobAgentConfig;
    const first = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(first.status).toBe(201);
    const created = (await first.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ id, deployment: { name: 'configured-service', slug: 'configured-service' } });
    expect(created.jobAgentConfig).toMatchObject({ repo: REPO, workflowId: 'deploy.yml', ref: 'release' });
    const second = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(second.status).toBe(200);

    const done = await env.waitForStatus(id, ['successful', 'failure', 'invalid_job_agent', 'invalid_integration']);
    expect(done.status).toBe('successful');
    const dispatches = env.sandbox.dispatches.filter((d) => d.inputs.job_id === id);
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({ owner: OWNER, repo: REPO, ref: 'release' });
  });
});
