import { afterEach, describe, expect, it } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { installationOctokit, OWNER, REPO, startSandbox } from './sandbox-fixture.ts';

let sandbox: GithubSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const DISPATCH_PATH = `/repos/${OWNER}/${REPO}/actions/workflows/deploy.yml/dispatches`;

function dispatch(s: GithubSandbox) {
  return installationOctokit(s).rest.actions.createWorkflowDispatch({
    owner: OWNER,
    repo: REPO,
    workflow_id: 'deploy.yml',
    ref: 'main',
    inputs: { job_id: 'j-1' },
    return_run_details: true,
  });
}

async function failure(call: Promise<unknown>): Promise<{ status?: number; response?: { data: unknown; headers: Record<string, string> } }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as { status?: number; response?: { data: unknown; headers: Record<string, string> } };
}

describe('GitHub sandbox, injected faults', () => {
  it('answers a secondary rate limit once with 403 and retry-after, then serves normally', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ kind: 'secondary-rate-limit', method: 'POST', path: DISPATCH_PATH, retryAfterSeconds: 7 });
    const error = await failure(dispatch(sandbox));
    expect(error.status).toBe(403);
    expect(error.response?.headers['retry-after']).toBe('7');
    expect(JSON.stringify(error.response?.data)).toMatch(/secondary rate limit/);
    expect(sandbox.dispatches).toHaveLength(0);

    expect((await dispatch(sandbox)).status).toBe(200);
    expect(sandbox.dispatches).toHaveLength(1);
  });

  it('answers 429 and 500 without doing the work', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ kind: 'too-many-requests', path: DISPATCH_PATH });
    sandbox.injectFault({ kind: 'server-error', path: DISPATCH_PATH });
    expect((await failure(dispatch(sandbox))).status).toBe(429);
    expect((await failure(dispatch(sandbox))).status).toBe(500);
    expect(sandbox.dispatches).toHaveLength(0);
  });

  it('a lost response still starts the run, so the client must look before dispatching again', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ kind: 'lost-response', path: DISPATCH_PATH });
    await failure(dispatch(sandbox));
    expect(sandbox.dispatches).toHaveLength(1);
    const runs = await installationOctokit(sandbox).rest.actions.listWorkflowRunsForRepo({ owner: OWNER, repo: REPO, event: 'workflow_dispatch' });
    expect(runs.data.workflow_runs.map((r) => r.display_title)).toEqual(['Deploy j-1']);
    expect(sandbox.requests.find((r) => r.path === DISPATCH_PATH)?.status).toBe(200);
  });

  it('a reset connection does nothing', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ kind: 'connection-reset', path: DISPATCH_PATH });
    await failure(dispatch(sandbox));
    expect(sandbox.dispatches).toHaveLength(0);
    expect(sandbox.requests.find((r) => r.path === DISPATCH_PATH)?.status).toBe(0);
  });
});
