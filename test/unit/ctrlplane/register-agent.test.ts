import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CtrlplaneClient, CtrlplaneRequestError } from '../../../src/ctrlplane/ctrlplane-client.ts';
import { ensureAgentRegistered } from '../../../src/ctrlplane/register-agent.ts';
import { type CtrlplaneSandbox, startCtrlplaneSandbox } from '../../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';

const KEY = 'cp_unit.secret';
const WS = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';
const AGENT = '9a1d5c1e-6b7f-5d3e-8c2b-1a0f9e8d7c6b';

let ctrlplane: CtrlplaneSandbox;
let client: CtrlplaneClient;
beforeEach(async () => {
  ctrlplane = await startCtrlplaneSandbox({ apiKeys: [KEY], workspaces: [{ id: WS }] });
  client = new CtrlplaneClient({ apiUrl: `${ctrlplane.url}/api`, apiKey: KEY });
});
afterEach(async () => {
  await ctrlplane.close();
});

describe('registering the http-pull agent', () => {
  it('creates the agent when the workspace has none with that ID', async () => {
    const result = await ensureAgentRegistered(client, { workspaceId: WS, agentId: AGENT, agentName: 'github-actions-agent' });
    expect(result.created).toBe(true);
    expect(ctrlplane.jobAgent(WS, AGENT)).toMatchObject({ name: 'github-actions-agent', type: 'http-pull', config: {} });
  });

  it('leaves an existing agent exactly as the operator configured it', async () => {
    ctrlplane.addJobAgent({ workspaceId: WS, id: AGENT, name: 'renamed-in-ctrlplane', type: 'http-pull', config: { installationId: 7 } });
    const result = await ensureAgentRegistered(client, { workspaceId: WS, agentId: AGENT, agentName: 'github-actions-agent' });
    expect(result.created).toBe(false);
    expect(ctrlplane.jobAgent(WS, AGENT)).toMatchObject({ name: 'renamed-in-ctrlplane', config: { installationId: 7 } });
    expect(ctrlplane.requests().filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('refuses an agent of another type, saying what to change', async () => {
    ctrlplane.addJobAgent({ workspaceId: WS, id: AGENT, name: 'github-actions-agent', type: 'github-app' });
    await expect(ensureAgentRegistered(client, { workspaceId: WS, agentId: AGENT, agentName: 'github-actions-agent' })).rejects.toThrow(
      /is of type "github-app", not "http-pull".*Set CTRLPLANE_AGENT_NAME \(or CTRLPLANE_AGENT_ID\)/,
    );
  });

  it('explains a name taken by an agent with another ID', async () => {
    ctrlplane.addJobAgent({ workspaceId: WS, id: '11111111-1111-4111-8111-111111111111', name: 'github-actions-agent', type: 'http-pull' });
    await expect(ensureAgentRegistered(client, { workspaceId: WS, agentId: AGENT, agentName: 'github-actions-agent' })).rejects.toThrow(
      /name "github-actions-agent" is taken by agent 11111111-1111-4111-8111-111111111111 .*set CTRLPLANE_AGENT_ID=11111111-1111-4111-8111-111111111111, or choose another CTRLPLANE_AGENT_NAME/,
    );
  });

  it('says how to fix a key Ctrlplane refuses, and tells a dead Ctrlplane apart (no HTTP status)', async () => {
    const wrongKey = new CtrlplaneClient({ apiUrl: `${ctrlplane.url}/api`, apiKey: 'cp_unit.wrong' });
    const refused = await wrongKey.getJobAgent(WS, AGENT).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CtrlplaneRequestError);
    expect((refused as CtrlplaneRequestError).status).toBe(401);
    expect((refused as Error).message).toMatch(/HTTP 401.*check CTRLPLANE_API_KEY/);
    await ctrlplane.goDown();
    const down = await client.getJobAgent(WS, AGENT).catch((error: unknown) => error);
    expect((down as CtrlplaneRequestError).status).toBeUndefined();
    expect((down as Error).message).toMatch(/no answer \(ECONNREFUSED\)/);
    await ctrlplane.comeBack();
  });
});
