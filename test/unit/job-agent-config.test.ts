import { describe, expect, it } from 'vitest';
import { organizationToResolve, validateJobAgentConfig, validateJobAgentConfig as parse, withResolvedOwner } from '../../src/domain/job-agent-config.ts';
import { renderJobAgentConfig } from '../../src/domain/render-job-agent-config.ts';

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

  it.each([[null], [42], [{}], [[]], [true], ['  ']])('takes ref %j as main, as Ctrlplane does with a ref that is not text', (ref) => {
    expect(parse({ installationId: 1, owner: 'o', repo: 'r', workflowId: 1, ref })).toEqual({
      ok: true,
      config: { installationId: 1, owner: 'o', repo: 'r', workflowId: 1, ref: 'main' },
    });
  });
});

describe("organizationId, Ctrlplane's numeric GitHub organization ID", () => {
  it('accepts a JSON number or the digits a template rendered, and marks the owner for lookup', () => {
    for (const organizationId of [1234567, '1234567', ' 1234567 ']) {
      const result = parse({ installationId: 1, organizationId, repo: 'web', workflowId: 7 });
      expect(result).toEqual({ ok: true, config: { installationId: 1, organizationId: 1234567, repo: 'web', workflowId: 7, ref: 'main' } });
      if (!result.ok) return;
      expect(result.config).not.toHaveProperty('owner');
      expect(organizationToResolve(result.config)).toBe(1234567);
    }
  });

  it('takes the looked-up login as the owner, keeping the ID beside it', () => {
    const result = parse({ installationId: 1, organizationId: 1234567, repo: 'web', workflowId: 7 });
    if (!result.ok) throw new Error(result.message);
    expect(withResolvedOwner(result.config, 'acme')).toEqual({
      installationId: 1,
      owner: 'acme',
      organizationId: 1234567,
      repo: 'web',
      workflowId: 7,
      ref: 'main',
    });
  });

  it('lets owner win when both are given: nothing to look up', () => {
    const result = parse({ installationId: 1, owner: 'acme', organizationId: 1234567, repo: 'web', workflowId: 7 });
    expect(result).toEqual({ ok: true, config: { installationId: 1, owner: 'acme', repo: 'web', workflowId: 7, ref: 'main' } });
    expect(result.ok && organizationToResolve(result.config)).toBeUndefined();
  });

  it('keeps a name that is not all digits as the owner login (this agent read organizationId so before)', () => {
    const result = parse({ installationId: 1, organizationId: 'acme-2', repo: 'web', workflowId: 7 });
    expect(result).toEqual({ ok: true, config: { installationId: 1, owner: 'acme-2', repo: 'web', workflowId: 7, ref: 'main' } });
    expect(result.ok && organizationToResolve(result.config)).toBeUndefined();
  });
});

describe('rendering reads a config as Ctrlplane does', () => {
  const input = (jobAgentConfig: Record<string, unknown>) => ({
    id: '0b7a3e52-7c3f-4f3e-9f3b-2a8e0c1d2e3f',
    jobAgentConfig,
    deployment: { name: 'api' },
    environment: { name: 'prod' },
    resource: { identifier: 'c1' },
    version: { tag: 'v1' },
    variables: { org: '1234567' },
    createdAt: '2026-01-01T00:00:00Z',
  });
  const valid = { installationId: 1, repo: 'web', workflowId: 7 };

  it.each([
    ['a ref that is not text is the default ref', { ...valid, owner: 'acme', ref: null }, { ...valid, owner: 'acme', ref: 'main' }],
    ['a numeric organizationId is left to look up', { ...valid, organizationId: 1234567 }, { ...valid, organizationId: 1234567, ref: 'main' }],
    ['a templated numeric organizationId too', { ...valid, organizationId: '{{ .variables.org }}' }, { ...valid, organizationId: 1234567, ref: 'main' }],
    ['an organizationId login is the owner', { ...valid, organizationId: 'acme' }, { ...valid, owner: 'acme', ref: 'main' }],
  ])('%s', (_name, config, expected) => {
    expect(renderJobAgentConfig(input(config))).toMatchObject({ ok: true, config: expected });
  });

  it('refuses a setting that rendered <no value>, naming it', () => {
    const rendered = renderJobAgentConfig(input({ ...valid, owner: 'acme', ref: '{{ .version.missing }}' }));
    expect(rendered).toMatchObject({ ok: false, message: expect.stringContaining('ref rendered as "<no value>"') });
  });
});

const ORGANIZATION_ID_MESSAGE = 'organizationId must be a numeric GitHub organization ID or an organisation name (letters, digits and -, at most 39)';

describe('job agent config messages (what a job that fails validation says)', () => {
  const valid = { installationId: 1, owner: 'acme', repo: 'web', workflowId: 'deploy.yml' };
  const messageFor = (config: unknown): string => {
    const result = parse(config);
    if (result.ok) throw new Error(`expected ${JSON.stringify(config)} to be refused`);
    return result.message;
  };

  it('names every missing setting of an empty config as required', () => {
    expect(messageFor({})).toBe('installationId is required; repo is required; workflowId is required; owner is required');
  });

  it('says a config that is not an object must be one', () => {
    for (const config of [null, undefined, 'deploy.yml', 5, [], [valid]]) {
      expect(messageFor(config)).toBe('must be an object of settings (installationId, owner, repo, workflowId, …)');
    }
  });

  it.each([
    [{ installationId: 1.5 }, 'installationId must be a positive integer'],
    [{ installationId: 0 }, 'installationId must be a positive integer'],
    [{ installationId: -3 }, 'installationId must be a positive integer'],
    [{ installationId: '1e3' }, 'installationId must be a positive integer'],
    [{ installationId: 1e20 }, 'installationId must be a positive integer'],
    [{ installationId: true }, 'installationId must be a positive integer'],
    [{ installationId: null }, 'installationId is required'],
    [{ installationId: '  ' }, 'installationId is required'],
    [{ owner: 'ac me' }, 'owner must be a GitHub user or organisation name (letters, digits and -, at most 39)'],
    [{ owner: 5 }, 'owner must be a GitHub user or organisation name (letters, digits and -, at most 39)'],
    [{ owner: '' }, 'owner is required'],
    [{ owner: null }, 'owner must be a GitHub user or organisation name (letters, digits and -, at most 39)'],
    [{ owner: undefined, organizationId: 'bad org' }, ORGANIZATION_ID_MESSAGE],
    [{ owner: undefined, organizationId: 0 }, ORGANIZATION_ID_MESSAGE],
    [{ owner: undefined, organizationId: '0' }, ORGANIZATION_ID_MESSAGE],
    [{ owner: undefined, organizationId: 1.5 }, ORGANIZATION_ID_MESSAGE],
    [{ owner: undefined, organizationId: null }, ORGANIZATION_ID_MESSAGE],
    [{ organizationId: 'bad org' }, ORGANIZATION_ID_MESSAGE],
    [{ repo: '..' }, 'repo must be a GitHub repository name'],
    [{ repo: 'a/b' }, 'repo must be a GitHub repository name (letters, digits, ., _ and -, at most 100)'],
    [{ repo: ' ' }, 'repo is required'],
    [{ workflowId: 'deploy' }, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'],
    [{ workflowId: -1 }, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'],
    [{ workflowId: {} }, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'],
    [{ workflowId: '' }, 'workflowId is required'],
    [{ jobTokenInput: 'job_id' }, 'jobTokenInput cannot be job_id'],
    [{ jobTokenInput: '1abc' }, 'jobTokenInput must be a workflow_dispatch input name such as job_token'],
    [{ jobTokenInput: 7 }, 'jobTokenInput must be a workflow_dispatch input name such as job_token'],
  ])('%j is refused with one clear message', (change, message) => {
    expect(messageFor({ ...valid, ...change })).toBe(message);
  });

  it('refuses <no value> once per setting, saying what it means', () => {
    const result = validateJobAgentConfig({ ...valid, repo: '<no value>', ref: 'release/<no value>' }, { refuseNoValue: true });
    expect(result).toEqual({
      ok: false,
      message:
        'repo rendered as "<no value>": its template names something the job\'s context does not have; ' +
        'ref rendered as "<no value>": its template names something the job\'s context does not have',
    });
  });

  it('trims what a template rendered, keeps keys it does not read, and takes organizationId as the owner', () => {
    expect(
      parse({ installationId: ' 7 ', organizationId: ' acme ', repo: ' web ', workflowId: ' 12 ', ref: ' v1 ', jobTokenInput: ' job_token ', note: 'x' }),
    ).toEqual({ ok: true, config: { installationId: 7, owner: 'acme', repo: 'web', workflowId: 12, ref: 'v1', jobTokenInput: 'job_token', note: 'x' } });
  });
});
