import { describe, expect, it } from 'vitest';
import { describeRefusedTarget, isDispatchAllowed, parseDispatchAllowlist } from '../../../src/config/dispatch-allowlist.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { validateJobAgentConfig } from '../../../src/domain/job-agent-config.ts';

const target = (owner: string, repo: string, workflowId: number | string = 'deploy.yml', installationId = 4242, ref = 'main') => ({
  installationId,
  owner,
  repo,
  workflowId,
  ref,
});

describe('DISPATCH_ALLOWLIST', () => {
  it('allows everything when unset, and only what a rule names when set', () => {
    expect(isDispatchAllowed(undefined, target('evil', 'other'))).toBe(true);
    const rules = parseDispatchAllowlist('4242:acme/deploy-*:deploy.yml, acme/infra:101, platform/*');
    expect(isDispatchAllowed(rules, target('acme', 'deploy-web'))).toBe(true);
    expect(isDispatchAllowed(rules, target('ACME', 'Deploy-Web'))).toBe(true);
    expect(isDispatchAllowed(rules, target('acme', 'deploy-web', 'deploy.yml', 1))).toBe(false);
    expect(isDispatchAllowed(rules, target('acme', 'deploy-web', 'ci.yml'))).toBe(false);
    expect(isDispatchAllowed(rules, target('acme', 'infra', 101))).toBe(true);
    expect(isDispatchAllowed(rules, target('acme', 'infra', 102))).toBe(false);
    expect(isDispatchAllowed(rules, target('platform', 'anything', 7, 9))).toBe(true);
    expect(isDispatchAllowed(rules, target('evil', 'deploy-web'))).toBe(false);
  });

  it('lets any owner match while the owner is not known yet (a numeric organizationId the job looks up)', () => {
    const rules = parseDispatchAllowlist('acme/deploy-*, platform/infra:101');
    const unknownOwner = (repo: string, workflowId: number | string = 'deploy.yml') => ({ installationId: 4242, repo, workflowId, ref: 'main' });
    expect(isDispatchAllowed(rules, unknownOwner('deploy-web'))).toBe(true);
    expect(isDispatchAllowed(rules, unknownOwner('infra', 101))).toBe(true);
    expect(isDispatchAllowed(rules, unknownOwner('infra', 102))).toBe(false);
    expect(describeRefusedTarget(unknownOwner('infra', 102))).toBe(
      'dispatching repository infra of any organization workflow 102 at main (installation 4242) is not allowed by DISPATCH_ALLOWLIST',
    );
  });

  it('restricts the ref when a rule names one (* as a wildcard), and any ref when it does not', () => {
    const rules = parseDispatchAllowlist('4242:acme/deploy:deploy.yml@main, acme/deploy:101@release/*, acme/infra@refs/tags/v*, acme/open');
    const at = (repo: string, ref: string, workflowId: number | string = 'deploy.yml') => target('acme', repo, workflowId, 4242, ref);
    expect(isDispatchAllowed(rules, at('deploy', 'main'))).toBe(true);
    expect(isDispatchAllowed(rules, at('deploy', 'refs/heads/main'))).toBe(true);
    expect(isDispatchAllowed(rules, at('deploy', 'evil'))).toBe(false);
    expect(isDispatchAllowed(rules, at('deploy', 'refs/heads/evil'))).toBe(false);
    expect(isDispatchAllowed(rules, at('deploy', 'Main'))).toBe(false);
    expect(isDispatchAllowed(rules, at('deploy', 'release/1.2', 101))).toBe(true);
    expect(isDispatchAllowed(rules, at('deploy', 'release/1.2'))).toBe(false);
    expect(isDispatchAllowed(rules, at('infra', 'refs/tags/v1.0'))).toBe(true);
    expect(isDispatchAllowed(rules, at('infra', 'main'))).toBe(false);
    expect(isDispatchAllowed(rules, at('open', 'anything/at-all'))).toBe(true);
    expect(describeRefusedTarget(at('deploy', 'evil'))).toBe(
      'dispatching acme/deploy workflow deploy.yml at evil (installation 4242) is not allowed by DISPATCH_ALLOWLIST',
    );
    expect(() => loadConfig({ DISPATCH_ALLOWLIST: 'acme/deploy@' })).toThrow(
      /DISPATCH_ALLOWLIST: rule 1 \("acme\/deploy@"\) is not \[installationId:\]owner\/repo\[:workflow\]\[@ref\]/,
    );
    expect(() => loadConfig({ DISPATCH_ALLOWLIST: 'acme/deploy@a b' })).toThrow(/DISPATCH_ALLOWLIST: rule 1/);
  });

  it('refuses a malformed rule at start-up, naming it', () => {
    expect(() => loadConfig({ DISPATCH_ALLOWLIST: 'acme/*, acme' })).toThrow(
      /DISPATCH_ALLOWLIST: rule 2 \("acme"\) is not \[installationId:\]owner\/repo\[:workflow\]/,
    );
    expect(() => loadConfig({ DISPATCH_ALLOWLIST: 'acme/(a|b)' })).toThrow(/DISPATCH_ALLOWLIST: rule 1/);
  });

  it('accepts only GitHub names for owner and repo', () => {
    const base = { installationId: 1, repo: 'deploy', workflowId: 'deploy.yml' };
    expect(validateJobAgentConfig({ ...base, owner: 'acme-corp' }).ok).toBe(true);
    expect(validateJobAgentConfig({ ...base, owner: '../acme' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('owner must be a GitHub user or organisation name'),
    });
    expect(validateJobAgentConfig({ ...base, owner: '<no value>' })).toMatchObject({ ok: false });
    expect(validateJobAgentConfig({ ...base, owner: 'acme', repo: 'a/b' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('repo must be a GitHub repository name'),
    });
    expect(validateJobAgentConfig({ ...base, owner: 'acme', repo: '..' })).toMatchObject({ ok: false });
  });
});
