import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../src/domain/job-status.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

// A job agent config written for Ctrlplane's built-in GitHub agent (docs/ctrlplane-config.md): the owner given as a
// numeric GitHub organization ID, a ref that is not text.
let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack();
});
afterAll(async () => {
  await env?.stop();
});

const TERMINAL: JobStatus[] = ['successful', 'failure', 'cancelled', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'];
const lookups = (organizationId: number) => env.sandbox.requests.filter((r) => r.method === 'GET' && r.path === `/organizations/${organizationId}`);

describe("a config read as Ctrlplane's GitHub agent reads it", () => {
  it('looks a numeric organizationId up once, dispatches once to its login and ends successful', async () => {
    const organizationId = env.sandbox.organizationId(OWNER) as number;
    expect(organizationId).toEqual(expect.any(Number));
    const before = lookups(organizationId).length;
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, organizationId, repo: REPO, workflowId: 101 } });
    const done = await env.waitForStatus(job.id, TERMINAL);
    expect(done.status).toBe('successful');
    expect(done.renderedJobAgentConfig).toEqual({ installationId: INSTALLATION_ID, owner: OWNER, organizationId, repo: REPO, workflowId: 101, ref: 'main' });

    const dispatches = env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id);
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({ owner: OWNER, repo: REPO, workflowId: 101, ref: 'main', installationId: INSTALLATION_ID });
    expect(lookups(organizationId).slice(before)).toEqual([
      expect.objectContaining({ auth: 'installation-token', installationId: INSTALLATION_ID, status: 200 }),
    ]);
  });

  it('takes the digits a template rendered, and a ref that is not text as main; a retried dispatch does not look up again', async () => {
    const organizationId = env.sandbox.organizationId(OWNER) as number;
    const before = lookups(organizationId).length;
    // The first dispatch starts its run but its answer is lost: the retry finds the run, with the owner from history.
    env.sandbox.injectFault({ kind: 'lost-response', method: 'POST', path: `/repos/${OWNER}/${REPO}/actions/workflows/101/dispatches` });
    const job = await env.createJob({
      jobAgentConfig: { installationId: INSTALLATION_ID, organizationId: '{{ .variables.github_org_id }}', repo: REPO, workflowId: 101, ref: null },
      variables: { github_org_id: String(organizationId) },
    });
    const done = await env.waitForStatus(job.id, TERMINAL);
    expect(done.status).toBe('successful');
    expect(done.renderedJobAgentConfig).toMatchObject({ owner: OWNER, organizationId, ref: 'main' });
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toEqual([expect.objectContaining({ owner: OWNER, repo: REPO, ref: 'main' })]);
    // The retry happened: it looked for the run the lost answer had started.
    const since = Date.parse(job.createdAt);
    expect(env.sandbox.requests.some((r) => r.method === 'GET' && r.path === `/repos/${OWNER}/${REPO}/actions/workflows/101/runs` && r.at >= since)).toBe(true);
    expect(lookups(organizationId).slice(before)).toHaveLength(1);
  });

  it('ends invalid_integration, naming the organization ID and the installation, for an ID GitHub does not know; nothing is dispatched', async () => {
    const unknown = 1;
    expect(env.sandbox.organizationId(OWNER)).not.toBe(unknown);
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, organizationId: unknown, repo: REPO, workflowId: 101 } });
    const done = await env.waitForStatus(job.id, TERMINAL);
    expect(done.status).toBe('invalid_integration');
    expect(done.message).toContain(`GitHub organization ID ${unknown}`);
    expect(done.message).toContain(`installation ${INSTALLATION_ID}`);
    expect(done.message).toContain('not found');
    expect(done.renderedJobAgentConfig).toBeUndefined();
    expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(0);
    // A 404 is final: asked once, not retried.
    expect(lookups(unknown)).toHaveLength(1);
  });
});
