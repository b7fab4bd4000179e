import { describe, expect, it } from 'vitest';
import { validateJobAgentConfig, validateJobAgentConfig as parse } from '../../src/shared/job-agent-config.ts';

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
    [{ owner: undefined, organizationId: 'bad org' }, 'organizationId must be a GitHub user or organisation name (letters, digits and -, at most 39)'],
    [{ repo: '..' }, 'repo must be a GitHub repository name'],
    [{ repo: 'a/b' }, 'repo must be a GitHub repository name (letters, digits, ., _ and -, at most 100)'],
    [{ repo: ' ' }, 'repo is required'],
    [{ workflowId: 'deploy' }, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'],
    [{ workflowId: -1 }, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'],
    [{ workflowId: {} }, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'],
    [{ workflowId: '' }, 'workflowId is required'],
    [{ ref: 5 }, 'ref must be text (a branch, tag or commit)'],
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
    expect(parse({ ...valid, ref: null })).toEqual({ ok: false, message: 'ref must be text (a branch, tag or commit)' });
  });
});
