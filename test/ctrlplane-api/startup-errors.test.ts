import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { type E2eStack, startE2eStack } from '../support/e2e-stack.ts';
import { ctrlplaneApi, ctrlplaneEnv, ctrlplaneRoot, seed } from '../support/real-ctrlplane.ts';
import { runCli } from '../support/run-cli.ts';
import { workerEnv } from '../support/worker-process.ts';

// What a new user gets wrong on the first start, against Ctrlplane's real API: the worker stops at once (exit 1)
// with a message that names the setting to fix, and creates nothing in Ctrlplane.
let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
});
afterAll(async () => {
  await env?.stop();
});

/** Runs `gha-agent worker` until it exits; `output` is the message of its fatal log line (what an operator reads). */
async function startWorker(agentName: string, overrides: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const result = await runCli(['worker'], workerEnv(env, ctrlplaneEnv(ctrlplaneRoot(), agentName, overrides)), 90_000);
  const fatal = (result.stdout + result.stderr)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } })
    .find((entry) => entry.level === 60);
  return { code: result.code, output: fatal ? `${fatal.msg}: ${fatal.err?.message}` : result.stdout + result.stderr };
}

const agentsNamed = async (name: string) => {
  const { body } = await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents?limit=1000`);
  return (body as { items: Array<{ id: string; name: string }> }).items.filter((agent) => agent.name === name);
};

describe('a worker started with a Ctrlplane setting that cannot work', () => {
  it('stops on a workspace Ctrlplane does not know, naming CTRLPLANE_WORKSPACE_ID', async () => {
    const workspaceId = randomUUID();
    const { code, output } = await startWorker('gha-unknown-workspace', { CTRLPLANE_WORKSPACE_ID: workspaceId });
    expect(code).toBe(1);
    expect(output).toContain(`workspace ${workspaceId}`);
    expect(output).toContain('CTRLPLANE_WORKSPACE_ID');
  });

  it("stops on a workspace the key's user is no member of, naming both settings, and creates no agent there", async () => {
    const { code, output } = await startWorker('gha-outsider', { CTRLPLANE_API_KEY: seed.outsiderApiKey });
    expect(code).toBe(1);
    expect(output).toContain('CTRLPLANE_WORKSPACE_ID');
    expect(output).toContain('CTRLPLANE_API_KEY');
    expect(await agentsNamed('gha-outsider')).toEqual([]);
  });

  it('stops on a key Ctrlplane refuses, naming CTRLPLANE_API_KEY', async () => {
    const { code, output } = await startWorker('gha-refused-key', { CTRLPLANE_API_KEY: 'cp_wrong.not-a-key' });
    expect(code).toBe(1);
    expect(output).toContain('HTTP 401');
    expect(output).toContain('CTRLPLANE_API_KEY');
  });

  it('stops on an agent of another type, naming it and what to change', async () => {
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
    const { code, output } = await startWorker(agentName);
    expect(code).toBe(1);
    expect(output).toContain('of type "github-app"');
    expect(output).toContain('CTRLPLANE_AGENT_NAME');
    // The operator's agent is left as it was.
    expect((await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents/${agentId}`)).body).toMatchObject({ type: 'github-app' });
  });

  it('stops on a name another agent already has, naming that agent and CTRLPLANE_AGENT_ID', async () => {
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
    const { code, output } = await startWorker(agentName);
    expect(code).toBe(1);
    expect(output).toContain(`CTRLPLANE_AGENT_ID=${otherId}`);
    expect(output).toContain('CTRLPLANE_AGENT_NAME');
    expect(await agentsNamed(agentName)).toEqual([expect.objectContaining({ id: otherId })]);
  });
});
