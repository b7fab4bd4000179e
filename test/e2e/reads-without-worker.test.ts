import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.ts';
import { searchAttributes } from '../../src/contract/search-attributes.ts';
import { API_KEY, type E2eStack, startE2eStack } from '../support/e2e-stack.ts';
import { getJobInputsCurrentGeneration } from '../support/get-job-inputs.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
});
afterAll(async () => {
  await env?.stop();
});

describe('reading a job while no worker runs (a worker rollout)', () => {
  it('answers GET from what Temporal stores, for a job that never met a worker and for one whose run is going', { timeout: 90_000 }, async () => {
    const waiting = await env.createJob();
    const started = Date.now();
    const response = await env.api(`/api/v1/jobs/${waiting.id}`);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(8000);
    const job = (await response.json()) as Job;
    expect(job).toMatchObject({
      id: waiting.id,
      status: 'pending',
      version: { tag: 'v1.2.3' },
      resource: { identifier: 'cluster-1' },
      variables: { github_org: 'acme' },
    });

    // A job that got going, then lost its worker: status and run come from its search attributes.
    const worker = await env.startWorker();
    const running = await env.createJob({ jobAgentConfig: { installationId: 4242, owner: 'acme', repo: 'deploy-demo', workflowId: 103 } });
    const inProgress = await env.waitForStatus(running.id, 'in_progress');
    await expect
      .poll(async () => (await env.stack.client.workflow.getHandle(`job-${running.id}`).describe()).typedSearchAttributes.get(searchAttributes.runId), {
        timeout: 10_000,
      })
      .toBeDefined();
    await worker.stop();
    const read = (await (await env.api(`/api/v1/jobs/${running.id}`)).json()) as Job;
    expect(read).toMatchObject({ id: running.id, status: 'in_progress', externalId: inProgress.externalId });
    // The current get-job-inputs generation reads the workspace route: it works as well.
    const outputs = await getJobInputsCurrentGeneration({ baseUrl: env.stack.apiUrl, apiKey: API_KEY, jobId: running.id });
    expect(outputs.version_tag).toBe('v1.2.3');
  });
});
