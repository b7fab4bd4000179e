import { describe, expect, it } from 'vitest';
import { validateJobAgentConfig as parse } from '../../src/shared/job-agent-config.ts';

describe('job agent config validation', () => {
  it('accepts rendered strings for numbers and defaults ref to main', () => {
    expect(parse({ installationId: '42', owner: 'acme', repo: 'web', workflowId: '7' })).toEqual({
      ok: true,
      config: { installationId: 42, owner: 'acme', repo: 'web', workflowId: 7, ref: 'main' },
    });
  });

  it('accepts a workflow file name and organizationId for owner', () => {
    const result = parse({ installationId: 1, organizationId: 'acme', repo: 'web', workflowId: 'deploy.yaml', ref: 'v2' });
    expect(result).toEqual({ ok: true, config: { installationId: 1, owner: 'acme', repo: 'web', workflowId: 'deploy.yaml', ref: 'v2' } });
  });

  it('names each bad field', () => {
    const result = parse({ installationId: 'abc', workflowId: 'not a workflow' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('installationId');
    expect(result.message).toContain('repo is required');
    expect(result.message).toContain('workflowId');
    expect(result.message).toContain('owner is required');
  });

  it('treats an empty rendered ref as main (a template that rendered nothing)', () => {
    expect(parse({ installationId: 1, owner: 'o', repo: 'r', workflowId: 1, ref: '' })).toMatchObject({ ok: true, config: { ref: 'main' } });
  });
});
