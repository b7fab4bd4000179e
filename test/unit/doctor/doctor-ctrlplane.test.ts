import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.ts';
import { deriveCtrlplaneAgentId } from '../../../src/ctrlplane/agent-id.ts';
import { checkCtrlplane } from '../../../src/doctor/check-ctrlplane.ts';
import { runDoctor } from '../../../src/doctor/run-doctor.ts';
import { type CtrlplaneSandbox, startCtrlplaneSandbox } from '../../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';

const KEY = 'cp_doctor.secret';
const WS = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';
const AGENT = deriveCtrlplaneAgentId(WS, 'github-actions-agent');

let ctrlplane: CtrlplaneSandbox;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  ctrlplane = await startCtrlplaneSandbox({ apiKeys: [KEY], workspaces: [{ id: WS }] });
  env = { CTRLPLANE_URL: ctrlplane.url, CTRLPLANE_API_KEY: KEY, CTRLPLANE_WORKSPACE_ID: WS };
});
afterEach(async () => {
  await ctrlplane.close();
});

const summary = async (overrides: NodeJS.ProcessEnv = {}) =>
  (await checkCtrlplane(loadConfig({ ...env, ...overrides }).ctrlplane)).map((r) => `${r.id} ${r.status}: ${r.detail}`);

describe('gha-agent doctor: the Ctrlplane connection', () => {
  it('is all ok with a reachable Ctrlplane, an accepted key and an http-pull agent', async () => {
    ctrlplane.addJobAgent({ workspaceId: WS, id: AGENT, name: 'github-actions-agent', type: 'http-pull' });
    expect(await summary()).toEqual([
      `ctrlplane.reachable ok: ${ctrlplane.url}/api`,
      'ctrlplane.key ok: accepted',
      `ctrlplane.workspace ok: ${WS} (${WS})`,
      `ctrlplane.agent ok: "github-actions-agent" (${AGENT}), type http-pull; deployments pick it with jobAgentSelector jobAgent.name == 'github-actions-agent'`,
    ]);
  });

  it('warns while the agent does not exist yet, and fails an agent of another type', async () => {
    expect((await summary()).at(-1)).toMatch(/^ctrlplane\.agent warn: no agent .* yet$/);
    ctrlplane.addJobAgent({ workspaceId: WS, id: AGENT, name: 'github-actions-agent', type: 'github-app' });
    expect((await summary()).at(-1)).toMatch(/^ctrlplane\.agent problem: .*has type "github-app"$/);
  });

  it('fails a workspace Ctrlplane does not show this key, naming CTRLPLANE_WORKSPACE_ID, and checks no agent there', async () => {
    const results = await checkCtrlplane(loadConfig({ ...env, CTRLPLANE_WORKSPACE_ID: '11111111-2222-4333-8444-555555555555' }).ctrlplane);
    expect(results.at(-1)).toMatchObject({ id: 'ctrlplane.workspace', status: 'problem', fix: expect.stringContaining('CTRLPLANE_WORKSPACE_ID') });
    expect(results.find((r) => r.id === 'ctrlplane.agent')).toBeUndefined();
  });

  it('fails a refused key and an unreachable Ctrlplane, each with what to fix', async () => {
    const refused = await checkCtrlplane(loadConfig({ ...env, CTRLPLANE_API_KEY: 'cp_doctor.wrong' }).ctrlplane);
    expect(refused.find((r) => r.id === 'ctrlplane.key')).toMatchObject({ status: 'problem', fix: expect.stringContaining('CTRLPLANE_API_KEY') });
    await ctrlplane.goDown();
    const down = await checkCtrlplane(loadConfig(env).ctrlplane);
    expect(down[0]).toMatchObject({ id: 'ctrlplane.reachable', status: 'problem', fix: expect.stringContaining('CTRLPLANE_URL') });
    await ctrlplane.comeBack();
  });

  it('is part of the doctor run, and names missing settings', async () => {
    const report = await runDoctor({ env: { CTRLPLANE_URL: ctrlplane.url } });
    expect(report.results.find((r) => r.id === 'ctrlplane')).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('CTRLPLANE_API_KEY: required when CTRLPLANE_URL is set'),
    });
    const configured = await runDoctor({ env });
    expect(configured.results.filter((r) => r.id.startsWith('ctrlplane')).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'warn']);
  });
});
