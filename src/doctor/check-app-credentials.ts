import { createPrivateKey } from 'node:crypto';
import { normalizePrivateKey, type GithubAppCredentials } from '../config/env.ts';
import { ok, problem, type CheckResult } from './check-result.ts';

const WHERE = 'GitHub → Settings → Developer settings → GitHub Apps → your App';
const HELM = 'with Helm: global.integrations.github.bot.appId / .privateKey';

/**
 * Guide: "`GitHub bot not configured` error" — both variables set, the ID numeric, the key a PEM
 * private key GitHub could have issued (RSA). Returns the credentials only when both are usable.
 */
export function checkAppCredentials(env: { GITHUB_BOT_APP_ID?: string | undefined; GITHUB_BOT_PRIVATE_KEY?: string | undefined }): {
  results: CheckResult[];
  credentials?: GithubAppCredentials;
} {
  const results: CheckResult[] = [];
  const rawId = env.GITHUB_BOT_APP_ID?.trim();
  let appId: number | undefined;
  if (!rawId) {
    results.push(
      problem(
        'credentials.app-id',
        'GitHub App ID',
        'GITHUB_BOT_APP_ID is not set: every job would end "GitHub bot not configured"',
        `set GITHUB_BOT_APP_ID on the worker to the numeric App ID (${WHERE} → App ID; ${HELM})`,
      ),
    );
  } else if (!/^\d+$/.test(rawId) || Number(rawId) <= 0) {
    results.push(
      problem(
        'credentials.app-id',
        'GitHub App ID',
        `GITHUB_BOT_APP_ID is "${rawId}", not a numeric ID`,
        `use the numeric App ID from ${WHERE} → App ID (not the Client ID "Iv1..." nor the App's name)`,
      ),
    );
  } else {
    appId = Number(rawId);
    results.push(ok('credentials.app-id', 'GitHub App ID', `GITHUB_BOT_APP_ID=${appId}`));
  }

  const rawKey = env.GITHUB_BOT_PRIVATE_KEY?.trim();
  let privateKey: string | undefined;
  if (!rawKey) {
    results.push(
      problem(
        'credentials.private-key',
        'GitHub App private key',
        'GITHUB_BOT_PRIVATE_KEY is not set: every job would end "GitHub bot not configured"',
        `generate a key (${WHERE} → Private keys → Generate a private key) and set the whole PEM file as GITHUB_BOT_PRIVATE_KEY on the worker (${HELM})`,
      ),
    );
  } else {
    const pem = normalizePrivateKey(rawKey);
    try {
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType !== 'rsa') {
        results.push(
          problem(
            'credentials.private-key',
            'GitHub App private key',
            `GITHUB_BOT_PRIVATE_KEY is a ${key.asymmetricKeyType ?? 'non-RSA'} key; GitHub App keys are RSA`,
            `set the .pem file GitHub generated for the App (${WHERE} → Private keys)`,
          ),
        );
      } else {
        privateKey = pem;
        const bits = key.asymmetricKeyDetails?.modulusLength;
        const format = pem.includes('BEGIN RSA PRIVATE KEY') ? 'PKCS#1' : 'PKCS#8';
        results.push(ok('credentials.private-key', 'GitHub App private key', `parses: RSA${bits ? ` ${bits}-bit` : ''}, ${format} PEM`));
      }
    } catch (error) {
      results.push(
        problem(
          'credentials.private-key',
          'GitHub App private key',
          `GITHUB_BOT_PRIVATE_KEY does not parse as a PEM private key (${(error as Error).message})`,
          'set the whole .pem file including the "-----BEGIN ... PRIVATE KEY-----" and "-----END ...-----" lines; newlines may be real or written as \\n',
        ),
      );
    }
  }
  return { results, ...(appId !== undefined && privateKey ? { credentials: { appId, privateKey } } : {}) };
}
