import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { startGithubSandbox, type GithubSandbox, type GithubSandboxOptions } from '../../../src/sandbox/github-sandbox.ts';

export const OWNER = 'acme';
export const REPO = 'deploy';
export const INSTALLATION_ID = 42;
/** An installation of the same account that only sees `acme/other`. */
export const NARROW_INSTALLATION_ID = 43;

export const WORKFLOWS = {
  deploy: { id: 1001, path: '.github/workflows/deploy.yml', name: 'Deploy' },
  held: { id: 1002, path: '.github/workflows/held.yml', name: 'Held', hold: true },
  pushOnly: { id: 1003, path: '.github/workflows/push-only.yml', name: 'Push only', dispatchable: false },
  failing: { id: 1004, path: '.github/workflows/failing.yml', name: 'Failing', conclusion: 'failure', runName: '' },
} satisfies Record<string, GithubSandboxOptions['repos'][number]['workflows'][number]>;

export function sandboxOptions(overrides: Partial<GithubSandboxOptions> = {}): GithubSandboxOptions {
  return {
    webhookSecret: 'sandbox-test-secret',
    stepDelayMs: 10,
    installations: [
      { id: INSTALLATION_ID, account: OWNER },
      { id: NARROW_INSTALLATION_ID, account: OWNER, repositories: [`${OWNER}/other`] },
    ],
    repos: [
      { owner: OWNER, name: REPO, branches: ['release'], workflows: Object.values(WORKFLOWS) },
      { owner: OWNER, name: 'other', workflows: [{ id: 2001, path: '.github/workflows/deploy.yml', name: 'Deploy' }] },
    ],
    ...overrides,
  };
}

export function startSandbox(overrides: Partial<GithubSandboxOptions> = {}): Promise<GithubSandbox> {
  return startGithubSandbox(sandboxOptions(overrides));
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Octokit as the service builds it: the App's key, one installation, the sandbox as base URL. */
export function installationOctokit(sandbox: GithubSandbox, installationId = INSTALLATION_ID, privateKey = sandbox.privateKey, baseUrl = sandbox.url): Octokit {
  return new Octokit({
    baseUrl,
    authStrategy: createAppAuth,
    auth: { appId: sandbox.appId, privateKey, installationId },
    log: silent,
  });
}

/** Octokit authenticated as the App itself (JWT). */
export function appOctokit(sandbox: GithubSandbox): Octokit {
  return new Octokit({
    baseUrl: sandbox.url,
    authStrategy: createAppAuth,
    auth: { appId: sandbox.appId, privateKey: sandbox.privateKey },
    log: silent,
  });
}

/** A fresh App JWT, as auth-app makes it. */
export async function appJwt(sandbox: GithubSandbox): Promise<string> {
  const auth = createAppAuth({ appId: sandbox.appId, privateKey: sandbox.privateKey });
  return (await auth({ type: 'app' })).token;
}
