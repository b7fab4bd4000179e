import { describe, expect, it } from 'vitest';
import { rebaseExample } from '../../../src/sandbox/rebase-example.ts';

const example = {
  url: 'https://api.github.com/repos/octocat/Hello-World',
  html_url: 'https://github.com/octocat/Hello-World',
  owner: { login: 'octocat', url: 'https://api.github.com/users/octocat', repos_url: 'https://api.github.com/users/octocat/repos' },
  topics: ['octocat', 'octocatalog'],
  description: 'Made by octocat, for octocat-fans',
};
const target = { apiBaseUrl: 'http://127.0.0.1:9/', fullName: { from: 'octocat/Hello-World', to: 'acme/app' }, owner: { from: 'octocat', to: 'acme' } };

describe('rebaseExample', () => {
  it('moves API URLs to the sandbox and replaces names only as whole path segments (or whole values)', () => {
    const out = rebaseExample(example, target);
    expect(out.url).toBe('http://127.0.0.1:9/repos/acme/app');
    expect(out.html_url).toBe('https://github.com/acme/app');
    expect(out.owner).toEqual({ login: 'acme', url: 'http://127.0.0.1:9/users/acme', repos_url: 'http://127.0.0.1:9/users/acme/repos' });
    expect(out.topics).toEqual(['acme', 'octocatalog']);
    expect(out.description).toBe('Made by octocat, for octocat-fans');
  });

  it('gives every call a copy of its own, so a caller changing one changes no other (results are cached)', () => {
    const first = rebaseExample(example, target);
    first.owner.url = 'changed';
    first.topics.push('changed');
    const second = rebaseExample(example, target);
    expect(second.owner.url).toBe('http://127.0.0.1:9/users/acme');
    expect(second.topics).toEqual(['acme', 'octocatalog']);
    expect(example.owner.url).toBe('https://api.github.com/users/octocat');
  });

  it('rebases to each API base and each owner of its own', () => {
    expect(rebaseExample(example, { ...target, apiBaseUrl: 'http://127.0.0.1:10' }).url).toBe('http://127.0.0.1:10/repos/acme/app');
    expect(rebaseExample(example, { apiBaseUrl: target.apiBaseUrl, owner: { from: 'octocat', to: 'initech' } }).owner.url).toBe(
      'http://127.0.0.1:9/users/initech',
    );
    expect(rebaseExample(example, target).owner.url).toBe('http://127.0.0.1:9/users/acme');
  });

  it('rebases to each target of its own', () => {
    const other = rebaseExample(example, { ...target, owner: { from: 'octocat', to: 'globex' }, fullName: { from: 'octocat/Hello-World', to: 'globex/site' } });
    expect(other.url).toBe('http://127.0.0.1:9/repos/globex/site');
    expect(rebaseExample(example, target).url).toBe('http://127.0.0.1:9/repos/acme/app');
  });
});
