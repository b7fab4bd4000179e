import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities/create-activities.ts';
import { createGithubClientFactory } from '../../src/activities/github-client-factory.ts';
import { SharedRunListings } from '../../src/activities/shared-run-listings.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { GithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import { INSTALLATION_ID, installationOctokit, OWNER, REPO, startSandbox, WORKFLOWS } from './sandbox/sandbox-fixture.ts';

let sandbox: GithubSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('run look-ups of many waiting jobs', () => {
  it('cost one listing of the workflow to find every run, however many jobs ask at once', async () => {
    sandbox = await startSandbox();
    const notBefore = new Date().toISOString();
    const jobIds = Array.from({ length: 30 }, () => randomUUID());
    const octokit = installationOctokit(sandbox);
    for (const jobId of jobIds) {
      await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        owner: OWNER,
        repo: REPO,
        workflow_id: WORKFLOWS.deploy.id,
        ref: 'main',
        inputs: { job_id: jobId },
      });
    }
    const activities = createActivities(
      createGithubClientFactory({
        apiUrl: sandbox.url,
        app: { appId: sandbox.appId, privateKey: sandbox.privateKey },
        logger: createLogger({ level: 'silent' }),
      }),
    );
    const target = { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO };
    const listings = (path: string) => sandbox!.requests.filter((r) => r.method === 'GET' && r.path === path).length;
    const workflowPath = `/repos/${OWNER}/${REPO}/actions/workflows/${WORKFLOWS.deploy.id}/runs`;

    const found = await Promise.all(jobIds.map((jobId) => activities.findWorkflowRun({ ...target, workflowId: WORKFLOWS.deploy.id, jobId, notBefore })));
    expect(listings(workflowPath)).toBe(1);
    // Each job got its own run: the one dispatched with its ID.
    const runIdsInOrder = sandbox.dispatches.map((dispatch) => dispatch.runId);
    expect(found.map((run) => run?.runId)).toEqual(runIdsInOrder);
    // The dispatch's own check lists afresh.
    await activities.findWorkflowRun({ ...target, workflowId: WORKFLOWS.deploy.id, jobId: jobIds[0] as string, notBefore, fresh: true });
    expect(listings(workflowPath)).toBe(2);
  });
});

describe('SharedRunListings', () => {
  it('shares a listing for a few seconds with look-ups it covers, then lists again; a failed listing is not shared', async () => {
    let now = 0;
    const shared = new SharedRunListings<number>(5_000, () => now);
    let calls = 0;
    const list = (since: number) => {
      calls++;
      return Promise.resolve([since]);
    };
    expect(await shared.runs('a', 100, list)).toEqual([100]);
    now = 4_999;
    expect(await shared.runs('a', 200, list)).toEqual([100]);
    // Not covered (asks for older runs), another key, or too old: a listing of its own.
    expect(await shared.runs('a', 50, list)).toEqual([50]);
    expect(await shared.runs('b', 200, list)).toEqual([200]);
    now = 20_000;
    expect(await shared.runs('a', 200, list)).toEqual([200]);
    expect(calls).toBe(4);
    await expect(shared.runs('c', 0, () => Promise.reject(new Error('GitHub down')))).rejects.toThrow('GitHub down');
    expect(await shared.runs('c', 0, list)).toEqual([0]);
  });
});
