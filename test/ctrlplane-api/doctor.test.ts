import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { runDoctorJson } from '../unit/doctor/doctor-fixture.ts';
import { ctrlplaneApi, ctrlplaneEnv, ctrlplaneRoot, seed } from '../support/real-ctrlplane.ts';

/** The Ctrlplane checks of `gha-agent doctor` against the real API, as `status: detail`. */
async function ctrlplaneChecks(agentName: string, overrides: Record<string, string> = {}) {
  const run = await runDoctorJson(ctrlplaneEnv(ctrlplaneRoot(), agentName, overrides));
  return Object.fromEntries(
    run.report.results.filter((r) => r.id.startsWith('ctrlplane')).map((r) => [r.id, `${r.status}: ${r.detail}${r.fix ? ` (fix: ${r.fix})` : ''}`]),
  );
}

describe("gha-agent doctor against Ctrlplane's real API", () => {
  it('passes a fresh workspace, warning that the agent will be created, then passes the agent once it exists', async () => {
    const agentName = 'gha-doctor';
    const before = await ctrlplaneChecks(agentName);
    expect(before).toMatchObject({
      'ctrlplane.reachable': expect.stringMatching(/^ok/),
      'ctrlplane.key': 'ok: accepted',
      'ctrlplane.workspace': `ok: Demo (${seed.workspaceId})`,
      'ctrlplane.agent': expect.stringMatching(/^warn: no agent .* yet/),
    });
    const agentId = deriveCtrlplaneAgentId(seed.workspaceId, agentName);
    await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents/${agentId}`, { method: 'PUT', json: { name: agentName, type: 'http-pull', config: {} } });
    expect((await ctrlplaneChecks(agentName))['ctrlplane.agent']).toMatch(/^ok: "gha-doctor" .*type http-pull/);
  });

  it('names CTRLPLANE_WORKSPACE_ID for an unknown workspace and for one the key cannot see, and CTRLPLANE_API_KEY for a refused key', async () => {
    expect((await ctrlplaneChecks('gha-doctor', { CTRLPLANE_WORKSPACE_ID: randomUUID() }))['ctrlplane.workspace']).toMatch(
      /^problem: .*CTRLPLANE_WORKSPACE_ID/,
    );
    expect((await ctrlplaneChecks('gha-doctor', { CTRLPLANE_API_KEY: seed.outsiderApiKey }))['ctrlplane.workspace']).toMatch(
      /^problem: .*CTRLPLANE_WORKSPACE_ID/,
    );
    expect((await ctrlplaneChecks('gha-doctor', { CTRLPLANE_API_KEY: 'cp_wrong.key' }))['ctrlplane.key']).toMatch(/^problem: HTTP 401.*CTRLPLANE_API_KEY/);
  });
});
