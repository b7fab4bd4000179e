import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DeploymentDefinition, loadDeclarativeConfig } from '../../../src/config/declarative-config.ts';
import { lockedKeys, lockedKeysChanged, lockedSettingsChanged } from '../../../src/config/configured-deployment-lock.ts';
import type { JobWorkflowInput } from '../../../src/domain/job.ts';

const deployment = (jobAgentConfig: Record<string, unknown>, more: Partial<DeploymentDefinition> = {}): DeploymentDefinition => ({
  type: 'Deployment',
  name: 'api-service',
  jobAgent: 'github-actions',
  source: 'test',
  jobAgentConfig,
  ...more,
});
const TARGET = { installationId: 1, owner: 'acme', repo: 'deploy-demo', workflowId: 'deploy.yml' };
const job = (configured: DeploymentDefinition, request: Record<string, unknown>, variables: Record<string, unknown> = {}): JobWorkflowInput => ({
  id: '00000000-0000-4000-8000-000000000001',
  createdAt: '2026-12-07T00:00:00Z',
  deployment: { name: 'api-service' },
  environment: { name: 'production' },
  resource: { identifier: 'cluster-1' },
  version: { tag: 'v1' },
  jobAgentConfig: { ...configured.jobAgentConfig, ...request },
  variables: { ...configured.variables, ...variables },
});

describe('the lock of a configured Deployment', () => {
  it('locks every setting a job reads, ref included, and every configured key, but the overridable ones', () => {
    expect(lockedKeys(deployment({ ...TARGET, extra: 'x' }))).toEqual([
      'installationId',
      'owner',
      'organizationId',
      'repo',
      'workflowId',
      'ref',
      'jobTokenInput',
      'extra',
    ]);
    expect(lockedKeys(deployment(TARGET, { overridable: ['ref', 'extra'] }))).not.toContain('ref');
  });

  it('compares rendered values: another ref is a change, the same value written otherwise is not', () => {
    const configured = deployment(TARGET);
    expect(lockedKeysChanged(configured, job(configured, { ref: 'evil' }))).toEqual(['ref']);
    expect(lockedKeysChanged(configured, job(configured, { ref: 'main' }))).toEqual([]);
    expect(lockedKeysChanged(configured, job(configured, { ref: '{{.variables.b}}' }, { b: 'evil' }))).toEqual(['ref']);
    expect(lockedKeysChanged(configured, job(configured, { installationId: '1', repo: '{{ "deploy-demo" }}', owner: ' acme' }))).toEqual([]);
    expect(lockedKeysChanged(configured, job(configured, { organizationId: 99 }))).toEqual(['organizationId']);
  });

  it('reads a ref as the job will: a number or a blank ref is the default ref, not its digits', () => {
    const configured = deployment({ ...TARGET, ref: '2024' });
    expect(lockedKeysChanged(configured, job(configured, { ref: 2024 }))).toEqual(['ref']);
    expect(lockedKeysChanged(configured, job(configured, { ref: '  ' }))).toEqual(['ref']);
    const onMain = deployment({ ...TARGET });
    expect(lockedKeysChanged(onMain, job(onMain, { ref: 2024 }))).toEqual([]);
  });

  it("renders the Deployment's own setting with its own variables: a request's variables cannot steer it", () => {
    const pinned = deployment({ ...TARGET, owner: '{{.variables.github_org}}' }, { variables: { github_org: 'acme' } });
    expect(lockedKeysChanged(pinned, job(pinned, {}, { github_org: 'evil' }))).toEqual(['owner']);
    expect(lockedKeysChanged(pinned, job(pinned, {}, { github_org: 'acme' }))).toEqual([]);
    expect(lockedKeysChanged(pinned, job(pinned, {}))).toEqual([]);
    // A template of a locked key that reads a variable the Deployment does not pin is the request's to choose: refused.
    const unpinned = deployment({ ...TARGET, owner: '{{.variables.github_org}}' });
    expect(lockedKeysChanged(unpinned, job(unpinned, {}, { github_org: 'acme' }))).toEqual(['owner']);
    // The job's context (environment here) is the Deployment's to read.
    const perEnvironment = deployment({ ...TARGET, ref: 'deploy/{{.environment.name}}' });
    expect(lockedKeysChanged(perEnvironment, job(perEnvironment, {}))).toEqual([]);
  });

  it('checks the settings the worker is about to dispatch', () => {
    const pinned = deployment({ ...TARGET, owner: '{{.variables.github_org}}' }, { variables: { github_org: 'acme' } });
    const { jobAgentConfig: _config, variables: _variables, ...context } = job(pinned, {});
    const dispatched = { installationId: 1, owner: 'acme', repo: 'deploy-demo', workflowId: 'deploy.yml', ref: 'main' };
    expect(lockedSettingsChanged(pinned, context, dispatched)).toEqual([]);
    expect(lockedSettingsChanged(pinned, context, { ...dispatched, owner: 'evil', ref: 'evil' })).toEqual(['owner', 'ref']);
  });

  it('reads overridable and variables from CONFIG_FILE, and names a malformed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gha-agent-lock-'));
    try {
      const agent = 'type: JobAgent\nname: github-actions\nagentType: github-app\n---\n';
      const base =
        'type: Deployment\nname: api-service\njobAgent: github-actions\njobAgentConfig:\n  installationId: 1\n  owner: acme\n  repo: r\n  workflowId: 1\n';
      await writeFile(join(dir, 'ok.yaml'), `${agent}${base}overridable: [ref]\nvariables:\n  github_org: acme\n`);
      const config = await loadDeclarativeConfig(join(dir, 'ok.yaml'));
      expect(config.deployments.get('api-service')).toMatchObject({ overridable: ['ref'], variables: { github_org: 'acme' } });
      await writeFile(join(dir, 'bad.yaml'), `${agent}${base}overridable: ref\n`);
      await expect(loadDeclarativeConfig(join(dir, 'bad.yaml'))).rejects.toThrow(/overridable: overridable must be a list of jobAgentConfig keys/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
