import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { type E2eStack, startE2eStack } from '../support/e2e-stack.ts';
import { ctrlplaneApi, ctrlplaneEnv, ctrlplaneRoot, seed } from '../support/real-ctrlplane.ts';
import { spawnWorker, type SpawnedWorker } from '../support/spawned-worker.ts';

// What a new user gets wrong on the first start, against Ctrlplane's real API: the worker keeps running (jobs from
// the API run; a fix made in Ctrlplane is picked up without a restart), logs an error that names the setting to
// fix, and creates nothing in Ctrlplane.
let env: E2eStack;
const workers: SpawnedWorker[] = [];
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
});
afterAll(async () => {
  await env?.stop();
});

/** Starts `gha-agent worker` and waits for its first error log line (what an operator reads), as `msg: err.message`. */
async function startWorker(agentName: string, overrides: Record<string, string> = {}): Promise<{ worker: SpawnedWorker; output: string }> {
  const worker = await spawnWorker(env, { ctrlplane: ctrlplaneEnv(ctrlplaneRoot(), agentName, overrides) });
  workers.push(worker);
  const output = await vi.waitFor(
    () => {
      const error = worker
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } })
        .find((entry) => entry.level >= 50);
      if (!error) throw new Error(`no error logged yet:\n${worker.output().slice(-3000)}`);
      return `${error.msg}: ${error.err?.message}`;
    },
    { timeout: 60_000, interval: 100 },
  );
  return { worker, output };
}

const alive = (worker: SpawnedWorker) => worker.child.exitCode === null && worker.child.signalCode === null;

const agentsNamed = async (name: string) => {
  const { body } = await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents?limit=1000`);
  return (body as { items: Array<{ id: string; name: string }> }).items.filter((agent) => agent.name === name);
};

describe('a worker started with a Ctrlplane setting that cannot work keeps running and says what to fix', () => {
  it('names CTRLPLANE_WORKSPACE_ID for a workspace Ctrlplane does not know, and runs jobs from the API meanwhile', async () => {
    const workspaceId = randomUUID();
    const { worker, output } = await startWorker('gha-unknown-workspace', { CTRLPLANE_WORKSPACE_ID: workspaceId });
    expect(output).toContain(`workspace ${workspaceId}`);
    expect(output).toContain('CTRLPLANE_WORKSPACE_ID');
    const job = await env.createJob();
    expect((await env.waitForStatus(job.id, ['successful', 'failure'])).status).toBe('successful');
    expect(alive(worker)).toBe(true);
  });

  it("names both settings for a workspace the key's user is no member of, and creates no agent there", async () => {
    const { worker, output } = await startWorker('gha-outsider', { CTRLPLANE_API_KEY: seed.outsiderApiKey });
    expect(alive(worker)).toBe(true);
    expect(output).toContain('CTRLPLANE_WORKSPACE_ID');
    expect(output).toContain('CTRLPLANE_API_KEY');
    expect(await agentsNamed('gha-outsider')).toEqual([]);
  });

  it('names CTRLPLANE_API_KEY for a key Ctrlplane refuses', async () => {
    const { worker, output } = await startWorker('gha-refused-key', { CTRLPLANE_API_KEY: 'cp_wrong.not-a-key' });
    expect(alive(worker)).toBe(true);
    expect(output).toContain('HTTP 401');
    expect(output).toContain('CTRLPLANE_API_KEY');
  });

  it('names an agent of another type and what to change, and leaves it as it was', async () => {
    const agentName = 'gha-other-type';
    const agentId = deriveCtrlplaneAgentId(seed.workspaceId, agentName);
    expect(
      (
        await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents/${agentId}`, {
          method: 'PUT',
          json: { name: agentName, type: 'github-app', config: {} },
        })
      ).status,
    ).toBe(202);
    const { worker, output } = await startWorker(agentName);
    expect(alive(worker)).toBe(true);
    expect(output).toContain('of type "github-app"');
    expect(output).toContain('CTRLPLANE_AGENT_NAME');
    // The operator's agent is left as it was.
    expect((await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents/${agentId}`)).body).toMatchObject({ type: 'github-app' });
  });

  it('names the agent that already has the name, and CTRLPLANE_AGENT_ID', async () => {
    const agentName = 'gha-taken-name';
    const otherId = randomUUID();
    expect(
      (
        await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents/${otherId}`, {
          method: 'PUT',
          json: { name: agentName, type: 'http-pull', config: {} },
        })
      ).status,
    ).toBe(202);
    const { worker, output } = await startWorker(agentName);
    expect(alive(worker)).toBe(true);
    expect(output).toContain(`CTRLPLANE_AGENT_ID=${otherId}`);
    expect(output).toContain('CTRLPLANE_AGENT_NAME');
    expect(await agentsNamed(agentName)).toEqual([expect.objectContaining({ id: otherId })]);
  });
});
