import { afterEach, describe, expect, it } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { PrimaryRateLimit } from '../../../src/sandbox/primary-rate-limit.ts';
import { appOctokit, INSTALLATION_ID, installationOctokit, NARROW_INSTALLATION_ID, OWNER, REPO, startSandbox } from './sandbox-fixture.ts';

let sandbox: GithubSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("GitHub sandbox: an installation's primary rate limit", () => {
  it('counts every request made with the installation token, says so in x-ratelimit-*, and refuses past the limit with 403', async () => {
    sandbox = await startSandbox({ rateLimitPerHour: 3 });
    const octokit = installationOctokit(sandbox);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { headers } = await octokit.request('GET /repos/{owner}/{repo}/actions/runs', { owner: OWNER, repo: REPO });
      remaining.push(String(headers['x-ratelimit-remaining']));
      expect(headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-resource': 'core' });
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await octokit.request('GET /repos/{owner}/{repo}/actions/runs', { owner: OWNER, repo: REPO }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      status: 403,
      response: {
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '3' },
        data: { message: expect.stringContaining(`API rate limit exceeded for installation ID ${INSTALLATION_ID}`) },
      },
    });
    const reset = Number((refused as { response: { headers: Record<string, string> } }).response.headers['x-ratelimit-reset']);
    expect(reset * 1000).toBeGreaterThan(Date.now() + 59 * 60 * 1000);
    expect(sandbox.rateLimit(INSTALLATION_ID)).toMatchObject({ limit: 3, used: 3, remaining: 0, refused: 1 });
    // Another installation has a budget of its own; the App's JWT requests are not counted against any installation.
    await installationOctokit(sandbox, NARROW_INSTALLATION_ID).request('GET /repos/{owner}/{repo}/actions/runs', { owner: OWNER, repo: 'other' });
    expect(sandbox.rateLimit(NARROW_INSTALLATION_ID)).toMatchObject({ used: 1, remaining: 2 });
    await appOctokit(sandbox).request('GET /app');
    expect(sandbox.rateLimit(INSTALLATION_ID)).toMatchObject({ used: 3, refused: 1 });
  });

  it('has a window of an hour from the first request, after which the installation has its whole limit again', () => {
    let now = 1_000_000;
    const limit = new PrimaryRateLimit(2, () => now);
    expect([limit.take(1).allowed, limit.take(1).allowed, limit.take(1).allowed]).toEqual([true, true, false]);
    now += 59 * 60 * 1000;
    expect(limit.take(1).allowed).toBe(false);
    now += 60 * 1000;
    expect(limit.take(1)).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining': '1', 'x-ratelimit-used': '1' } });
    expect(limit.refused.get(1)).toBe(2);
  });

  it('defaults to GitHub’s 5,000 requests an hour', async () => {
    sandbox = await startSandbox();
    const { headers } = await installationOctokit(sandbox).request('GET /repos/{owner}/{repo}/actions/runs', { owner: OWNER, repo: REPO });
    expect(headers).toMatchObject({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-used': '1' });
  });
});
