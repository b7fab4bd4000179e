import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_ERRORS } from '../../../src/sandbox/app-auth.ts';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { startSandbox } from './sandbox-fixture.ts';

let sandbox: GithubSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const now = () => Math.floor(Date.now() / 1000);

async function jwt(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(createPrivateKey(sandbox.privateKey));
}

async function getApp(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/app`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GitHub sandbox, App JWT checks', () => {
  it('hands out a PKCS#1 PEM key like the one GitHub lets you download', () => {
    expect(sandbox.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });

  it('accepts iss as a number, a numeric string or the client id', async () => {
    for (const iss of [sandbox.appId, String(sandbox.appId), sandbox.clientId]) {
      const { status, body } = await getApp(await jwt({ iss, iat: now() - 30, exp: now() + 540 }));
      expect({ iss, status }).toEqual({ iss, status: 200 });
      expect(body.id).toBe(sandbox.appId);
    }
  });

  it.each([
    ['another app id', { iss: 999, iat: now() - 30, exp: now() + 300 }, JWT_ERRORS.undecodable],
    ['a non-numeric issuer', { iss: 'my-app', iat: now() - 30, exp: now() + 300 }, JWT_ERRORS.issuer],
    ['an expired token', { iss: 1, iat: now() - 700, exp: now() - 100 }, JWT_ERRORS.expired],
    ['an expiry over ten minutes away', { iss: 1, iat: now(), exp: now() + 900 }, JWT_ERRORS.tooFar],
    ['an issue time in the future', { iss: 1, iat: now() + 300, exp: now() + 500 }, JWT_ERRORS.issuedAt],
  ])('refuses %s with 401 and the message GitHub sends', async (_name, claims, message) => {
    const { status, body } = await getApp(await jwt(claims));
    expect(status).toBe(401);
    expect(body).toEqual({ message, documentation_url: 'https://docs.github.com/rest', status: '401' });
  });

  it('refuses a garbled token and a missing one', async () => {
    expect((await getApp('abc.def.ghi')).body.message).toBe(JWT_ERRORS.undecodable);
    const anonymous = await fetch(`${sandbox.url}/app`);
    expect(anonymous.status).toBe(401);
  });

  it('refuses an installation token on App endpoints', async () => {
    const mint = await fetch(`${sandbox.url}/app/installations/42/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await jwt({ iss: sandbox.appId, iat: now() - 30, exp: now() + 300 })}` },
    });
    const { token, expires_at, repository_selection, permissions } = (await mint.json()) as Record<string, string>;
    expect(mint.status).toBe(201);
    expect(token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(Date.parse(expires_at as string) - Date.now()).toBeGreaterThan(50 * 60 * 1000);
    expect(repository_selection).toBe('all');
    expect(permissions).toMatchObject({ actions: 'write' });

    const { status, body } = await getApp(token as string);
    expect(status).toBe(401);
    expect(body.message).toBe(JWT_ERRORS.undecodable);
  });
});
