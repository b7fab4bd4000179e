import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack();
});
afterAll(async () => {
  await env?.stop();
});

function signedDelivery(secret: string, payload: unknown, signature?: string | null) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'workflow_run',
    'x-github-delivery': randomUUID(),
  };
  if (signature !== null) headers['x-hub-signature-256'] = signature ?? `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return { method: 'POST', headers, body };
}

describe('a job on a real Temporal server', () => {
  it('goes pending → in_progress → successful and dispatches exactly once with the job ID', async () => {
    const created = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103, ref: 'release' } });
    expect(created.status).toBe('pending');

    const running = await env.waitForStatus(created.id, 'in_progress');
    expect(running.externalId).toMatch(/^\d+$/);
    expect(running.links.run).toContain(`/${OWNER}/${REPO}/actions/runs/${running.externalId}`);

    await env.sandbox.completeRun(Number(running.externalId), 'success');
    const done = await env.waitForStatus(created.id, ['successful', 'failure', 'cancelled']);
    expect(done.status).toBe('successful');
    expect(done.completedAt).toBeTruthy();

    const dispatches = env.sandbox.dispatches.filter((d) => d.inputs.job_id === created.id);
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({ owner: OWNER, repo: REPO, ref: 'release', installationId: INSTALLATION_ID, inputs: { job_id: created.id } });
    const dispatchCalls = env.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
    expect(dispatchCalls.length).toBeGreaterThan(0);
    expect(dispatchCalls.every((r) => r.auth === 'installation-token')).toBe(true);
  });

  it('renders templates in the config and ends successful on a workflow that succeeds', async () => {
    const job = await env.createJob({
      jobAgentConfig: { installationId: String(INSTALLATION_ID), owner: '{{.variables.github_org}}', repo: '{{.variables.repo}}', workflowId: 'deploy.yml' },
      variables: { github_org: OWNER, repo: REPO },
    });
    const done = await env.waitForStatus(job.id, ['successful', 'failure', 'invalid_job_agent', 'invalid_integration']);
    expect(done.status).toBe('successful');
    expect(done.renderedJobAgentConfig).toMatchObject({ owner: OWNER, repo: REPO, workflowId: 'deploy.yml', ref: 'main', installationId: INSTALLATION_ID });
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(1);
  });

  it('ends failure when the GitHub workflow concludes failure', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 102 } });
    const done = await env.waitForStatus(job.id, ['successful', 'failure']);
    expect(done.status).toBe('failure');
    expect(done.message).toContain('failure');
  });

  it('shows the rendered target in the Temporal UI details, not the template', async () => {
    const job = await env.createJob();
    const details = await (await env.stack.client.workflow.getHandle(`job-${job.id}`).describe()).staticDetails();
    expect(details).toContain(`GitHub: ${OWNER}/${REPO} · workflow 101 · ref main · installation ${INSTALLATION_ID}`);
    expect(details).not.toContain('{{');
  });

  it('marks a job invalid_job_agent with a message naming the bad field', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: 'not-a-number', owner: OWNER, workflowId: 101 } });
    const done = await env.waitForStatus(job.id, ['invalid_job_agent', 'successful', 'failure', 'invalid_integration']);
    expect(done.status).toBe('invalid_job_agent');
    expect(done.message).toContain('installationId');
    expect(done.message).toContain('repo');
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(0);
  });

  it('marks a job invalid_job_agent, without asking GitHub, when its ref template names a variable the job lacks', async () => {
    const job = await env.createJob({
      jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101, ref: '{{ .variables.branch }}' },
    });
    const done = await env.waitForStatus(job.id, ['invalid_job_agent', 'successful', 'failure', 'invalid_integration']);
    expect(done.status).toBe('invalid_job_agent');
    expect(done.message).toContain('ref rendered as "<no value>"');
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(0);
  });

  it('marks a job invalid_integration when the workflow does not exist, without retrying', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 999 } });
    const done = await env.waitForStatus(job.id, ['invalid_integration', 'failure', 'successful']);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toContain(`workflow not found: ${OWNER}/${REPO}/999 at main`);
    const attempts = env.sandbox.requests.filter((r) => r.path === `/repos/${OWNER}/${REPO}/actions/workflows/999/dispatches`);
    expect(attempts).toHaveLength(1);
  });

  it('accepts a signed webhook only: wrong or missing signature is 401 and changes nothing', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const running = await env.waitForStatus(job.id, 'in_progress');
    const forged = {
      action: 'completed',
      workflow_run: { id: Number(running.externalId), name: 'Deploy', display_title: `Deploy ${job.id}`, status: 'completed', conclusion: 'success' },
    };
    const url = `${env.stack.apiUrl}/api/github/webhook`;
    const wrong = await fetch(url, signedDelivery(env.sandbox.webhookSecret, forged, 'sha256=' + '0'.repeat(64)));
    expect(wrong.status).toBe(401);
    const otherSecret = await fetch(url, signedDelivery('not-the-secret', forged));
    expect(otherSecret.status).toBe(401);
    const missing = await fetch(url, signedDelivery(env.sandbox.webhookSecret, forged, null));
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { message: string }).message).toMatch(/missing/i);

    // Refused with 401 before anything reached the job: it is still running.
    expect((await env.getJob(job.id)).status).toBe('in_progress');
    await env.sandbox.completeRun(Number(running.externalId), 'failure');
    expect((await env.waitForStatus(job.id, ['failure', 'successful'])).status).toBe('failure');
  });

  it('answers 202 for a run that belongs to no job, 400 for bad JSON, 200 for ping', async () => {
    const url = `${env.stack.apiUrl}/api/github/webhook`;
    const unknown = await fetch(
      url,
      signedDelivery(env.sandbox.webhookSecret, {
        action: 'completed',
        workflow_run: { id: 987654321, name: 'Deploy', display_title: `Deploy ${randomUUID()}`, status: 'completed', conclusion: 'success' },
      }),
    );
    expect(unknown.status).toBe(202);
    const badJson = signedDelivery(env.sandbox.webhookSecret, {});
    badJson.body = '{"action": "completed", ';
    badJson.headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', env.sandbox.webhookSecret).update(badJson.body).digest('hex')}`;
    expect((await fetch(url, badJson)).status).toBe(400);
    const ping = signedDelivery(env.sandbox.webhookSecret, { zen: 'Keep it logically awesome.', hook_id: 1 });
    ping.headers['x-github-event'] = 'ping';
    expect((await fetch(url, ping)).status).toBe(200);
  });

  it('cancels the GitHub run when the job is cancelled', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const running = await env.waitForStatus(job.id, 'in_progress');
    const response = await env.api(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(response.status).toBe(202);
    const done = await env.waitForStatus(job.id, ['cancelled', 'successful', 'failure']);
    expect(done.status).toBe('cancelled');
    const cancels = env.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/actions/runs/${running.externalId}/cancel`));
    expect(cancels).toHaveLength(1);
  });

  it('takes a manual status report and refuses one on a finished job with 409', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    await env.waitForStatus(job.id, 'in_progress');
    const patched = await env.api(`/api/v1/jobs/${job.id}`, {
      method: 'PATCH',
      apiKey: null,
      headers: { authorization: 'Bearer test-api-key' },
      json: { status: 'successful', message: 'deployed by hand' },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: job.id, status: 'successful', message: 'deployed by hand' });
    const again = await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: { status: 'failure' } });
    expect(again.status).toBe(409);
    expect((await env.getJob(job.id)).status).toBe('successful');
  });
});

describe('the jobs API guards', () => {
  it('refuses requests without a valid API key with 401', async () => {
    const missing = await env.api('/api/v1/jobs', { method: 'POST', json: {}, apiKey: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });
    const wrong = await env.api(`/api/v1/jobs/${randomUUID()}`, { apiKey: 'nope' });
    expect(wrong.status).toBe(401);
  });

  it('answers 404 for an unknown job and 400 naming the field for a bad body', async () => {
    expect((await env.api(`/api/v1/jobs/${randomUUID()}`)).status).toBe(404);
    const bad = await env.api('/api/v1/jobs', { method: 'POST', json: { environment: { name: 'x' } } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; message: string };
    expect(body.error).toBe('validation_error');
    expect(body.message).toContain('deployment');
  });

  it('creates a job once for the same id: 201 then 200 with the same job', async () => {
    const id = randomUUID();
    const first = await env.api('/api/v1/jobs', { method: 'POST', json: jobBody({ id }) });
    expect(first.status).toBe(201);
    const second = await env.api('/api/v1/jobs', { method: 'POST', json: jobBody({ id }) });
    expect(second.status).toBe(200);
    expect(((await second.json()) as { id: string }).id).toBe(id);
    await env.waitForStatus(id, 'successful');
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === id)).toHaveLength(1);
  });
});

describe('without GitHub App credentials', () => {
  it('ends invalid_integration with "GitHub bot not configured"', async () => {
    const bare = await startE2eStack({ withoutGithubApp: true });
    try {
      const job = await bare.createJob();
      const done = await bare.waitForStatus(job.id, ['invalid_integration', 'successful', 'failure']);
      expect(done.status).toBe('invalid_integration');
      expect(done.message).toBe('GitHub bot not configured');
      expect(bare.sandbox.dispatches).toHaveLength(0);
    } finally {
      await bare.stop();
    }
  });
});
