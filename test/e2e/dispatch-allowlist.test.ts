import type { DeclarativeConfig } from '../../src/config/declarative-config.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../support/ctrlplane-jobs.ts';
import { type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({
    dispatchAllowlist: `${INSTALLATION_ID}:${OWNER}/${REPO}:101`,
    ctrlplane: true,
    config: {
      jobAgents: new Map(),
      deployments: new Map([
        [
          'api-service',
          {
            type: 'Deployment' as const,
            name: 'api-service',
            jobAgent: 'github',
            source: 'test',
            jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 },
          },
        ],
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
    const body = jobBody({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: '{{.variables.github_org}}', repo: REPO, workflowId: 102 } });
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: body });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      `dispatching ${OWNER}/${REPO} workflow 102 (installation ${INSTALLATION_ID}) is not allowed by DISPATCH_ALLOWLIST`,
    );
    expect((await env.api(`/api/v1/jobs/${body.id as string}`)).status).toBe(404);
    expect(env.sandbox.dispatches).toHaveLength(0);
    // Inside it, as before.
    const allowed = await env.createJob();
    expect((await env.waitForStatus(allowed.id, 'successful')).status).toBe('successful');
  });

  it('keeps a configured Deployment on its target: a request cannot override it', async () => {
    const response = await env.api('/api/v1/jobs', { method: 'POST', json: { ...jobBody(), deployment: 'api-service', jobAgentConfig: { repo: 'other' } } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain(
      'repo of the configured Deployment "api-service" cannot be changed by a request',
    );
    const ref = await env.api('/api/v1/jobs', { method: 'POST', json: { ...jobBody(), deployment: 'api-service', jobAgentConfig: { ref: 'release' } } });
    expect(ref.status).toBe(201);
  });

  it('is enforced by the worker too: a Ctrlplane job outside it ends invalidIntegration without a dispatch', async () => {
    const queued = queueCtrlplaneJob(env.ctrlplane!, env.stack.ctrlplane!.origin.agentId, { workflowId: 102 });
    await waitForCtrlplaneStatus(env.ctrlplane!, queued.id, 'invalidIntegration');
    expect(reportedStatuses(env.ctrlplane!, queued.id)).toEqual(['invalidIntegration']);
    expect((await env.getJob(queued.id)).message).toContain('is not allowed by DISPATCH_ALLOWLIST');
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === queued.id)).toHaveLength(0);
  });
});
