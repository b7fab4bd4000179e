import { describe, expect, it } from 'vitest';
import { ctrlplaneApiBaseUrl, loadConfig } from '../../../src/config/env.ts';
import { deriveCtrlplaneAgentId } from '../../../src/ctrlplane/agent-id.ts';

const WS = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';

describe('Ctrlplane settings from env vars', () => {
  it('has no Ctrlplane connection unless CTRLPLANE_URL is set', () => {
    expect(loadConfig({}).ctrlplane).toBeUndefined();
  });

  it('appends /api to the URL unless it is there, and applies the defaults', () => {
    expect(ctrlplaneApiBaseUrl('https://ctrlplane.example.com/')).toBe('https://ctrlplane.example.com/api');
    expect(ctrlplaneApiBaseUrl('https://example.com/ctrlplane/api')).toBe('https://example.com/ctrlplane/api');
    const config = loadConfig({ CTRLPLANE_URL: 'https://ctrlplane.example.com', CTRLPLANE_API_KEY: 'abc.def', CTRLPLANE_WORKSPACE_ID: WS });
    expect(config.ctrlplane).toEqual({
      apiUrl: 'https://ctrlplane.example.com/api',
      apiKey: 'abc.def',
      workspaceId: WS,
      agentId: undefined,
      agentName: 'github-actions-agent',
      pollIntervalMs: 10_000,
    });
  });

  it('refuses to start without the key and workspace, naming each variable', () => {
    expect(() => loadConfig({ CTRLPLANE_URL: 'https://ctrlplane.example.com' })).toThrow(
      'invalid configuration: CTRLPLANE_API_KEY: required when CTRLPLANE_URL is set; CTRLPLANE_WORKSPACE_ID: required when CTRLPLANE_URL is set',
    );
  });

  it('refuses a workspace slug, a bad URL, a bad agent ID and a bad poll interval', () => {
    const base = { CTRLPLANE_URL: 'https://ctrlplane.example.com', CTRLPLANE_API_KEY: 'a.b', CTRLPLANE_WORKSPACE_ID: WS };
    expect(() => loadConfig({ ...base, CTRLPLANE_WORKSPACE_ID: 'acme' })).toThrow(/CTRLPLANE_WORKSPACE_ID: must be the workspace ID \(a UUID, not its slug\)/);
    expect(() => loadConfig({ ...base, CTRLPLANE_URL: 'ctrlplane.example.com' })).toThrow(/CTRLPLANE_URL: must be an http\(s\) URL/);
    expect(() => loadConfig({ ...base, CTRLPLANE_AGENT_ID: 'agent-1' })).toThrow(/CTRLPLANE_AGENT_ID: must be a UUID/);
    expect(() => loadConfig({ ...base, CTRLPLANE_POLL_INTERVAL: '10' })).toThrow(/CTRLPLANE_POLL_INTERVAL: not a duration/);
    expect(() => loadConfig({ ...base, CTRLPLANE_POLL_INTERVAL: '100ms' })).toThrow(/CTRLPLANE_POLL_INTERVAL: must be at least 1s/);
    expect(loadConfig({ ...base, CTRLPLANE_POLL_INTERVAL: '1m30s' }).ctrlplane?.pollIntervalMs).toBe(90_000);
  });

  it('derives one agent ID per workspace and name, the same on every replica and restart', () => {
    const id = deriveCtrlplaneAgentId(WS, 'github-actions-agent');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveCtrlplaneAgentId(WS.toUpperCase(), 'github-actions-agent')).toBe(id);
    expect(deriveCtrlplaneAgentId(WS, 'github-actions-agent-eu')).not.toBe(id);
    expect(deriveCtrlplaneAgentId('11111111-1111-4111-8111-111111111111', 'github-actions-agent')).not.toBe(id);
  });
});
