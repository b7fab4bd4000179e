import { afterEach, describe, expect, it } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { loadGithubOpenapi } from '../../../src/sandbox/openapi-spec.ts';
import { createRequestValidator } from '../../../src/sandbox/openapi-validator.ts';
import { appJwt, appOctokit, INSTALLATION_ID, installationOctokit, OWNER, startSandbox } from './sandbox-fixture.ts';

const openapi = loadGithubOpenapi();
const validator = createRequestValidator(openapi);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sandboxWith(): Promise<GithubSandbox> {
  const sandbox = await startSandbox();
  cleanups.push(() => sandbox.close());
  return sandbox;
}

/** The status and JSON body of a call, whether Octokit resolves or rejects it. */
async function answer(call: Promise<{ status: number; data: unknown }>): Promise<{ status: number; body: unknown }> {
  try {
    const { status, data } = await call;
    return { status, body: data };
  } catch (error) {
    const failed = error as { status?: number; response?: { data?: unknown } };
    if (typeof failed.status !== 'number') throw error;
    return { status: failed.status, body: failed.response?.data };
  }
}

describe('GitHub sandbox, organizations', () => {
  it('serves GET /organizations/{id} for an installation account: the /orgs/{org} object, by the ID its installation shows', async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox);
    const { data: installation } = await appOctokit(sandbox).rest.apps.getInstallation({ installation_id: INSTALLATION_ID });
    const id = sandbox.organizationId(OWNER);
    expect(id).toBe((installation.account as { id: number }).id);

    const byId = await octokit.request('GET /organizations/{id}', { id });
    expect(byId.status).toBe(200);
    expect(validator.validate(openapi.operation('orgs/get').responseSchemas['200']!, byId.data)).toEqual([]);
    expect(byId.data).toMatchObject({
      login: OWNER,
      id,
      type: 'Organization',
      url: `${sandbox.url}/orgs/${OWNER}`,
      repos_url: `${sandbox.url}/orgs/${OWNER}/repos`,
      html_url: `https://github.com/${OWNER}`,
    });
    // The public view: what GitHub shows only to owners (plan, billing, member settings) is not there.
    expect(byId.data).not.toHaveProperty('plan');
    expect(byId.data).not.toHaveProperty('billing_email');

    const byLogin = await octokit.rest.orgs.get({ org: OWNER.toUpperCase() });
    expect(byLogin.data).toEqual(byId.data);
    expect(sandbox.requests.filter((r) => r.path === `/organizations/${id}`)).toEqual([
      expect.objectContaining({ method: 'GET', auth: 'installation-token', installationId: INSTALLATION_ID, status: 200 }),
    ]);
  });

  it("answers 404 in GitHub's shape for an unknown or non-numeric ID, and for an unknown login", async () => {
    const sandbox = await sandboxWith();
    const octokit = installationOctokit(sandbox);
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
    expect(await answer(octokit.request('GET /organizations/{id}', { id: 1 }))).toEqual({ status: 404, body: notFound });
    expect(await answer(octokit.request('GET /organizations/{id}', { id: OWNER }))).toEqual({ status: 404, body: notFound });
    expect(await answer(octokit.rest.orgs.get({ org: 'nobody' }))).toMatchObject({ status: 404, body: { message: 'Not Found', status: '404' } });
  });

  it('needs an installation token, as the other installation routes do', async () => {
    const sandbox = await sandboxWith();
    const id = sandbox.organizationId(OWNER) as number;
    const anonymous = await fetch(`${sandbox.url}/organizations/${id}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ message: 'Requires authentication' });
    const asApp = await fetch(`${sandbox.url}/organizations/${id}`, { headers: { authorization: `Bearer ${await appJwt(sandbox)}` } });
    expect(asApp.status).toBe(401);
    expect(sandbox.organizationId('nobody')).toBeUndefined();
  });
});
