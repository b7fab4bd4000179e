import { describe, expect, it } from 'vitest';
import { githubApiBaseUrl, loadConfig, normalizePrivateKey } from '../../src/config/env.ts';

describe('configuration from env vars', () => {
  it('derives the API base from GITHUB_URL: github.com or GitHub Enterprise Server', () => {
    expect(githubApiBaseUrl({})).toBe('https://api.github.com');
    expect(githubApiBaseUrl({ GITHUB_URL: 'https://github.com/' })).toBe('https://api.github.com');
    expect(githubApiBaseUrl({ GITHUB_URL: 'https://ghe.example.com' })).toBe('https://ghe.example.com/api/v3');
    expect(githubApiBaseUrl({ GITHUB_URL: 'https://ghe.example.com', GITHUB_API_URL: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
  });

  it('accepts a private key with literal \\n', () => {
    expect(normalizePrivateKey('-----BEGIN KEY-----\\nabc\\n-----END KEY-----')).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----');
  });

  it('has no GitHub App unless both app ID and key are set, and refuses a non-numeric app ID', () => {
    expect(loadConfig({ GITHUB_BOT_APP_ID: '12' }).githubApp).toBeUndefined();
    expect(loadConfig({ GITHUB_BOT_APP_ID: '12', GITHUB_BOT_PRIVATE_KEY: 'pem' }).githubApp).toEqual({ appId: 12, privateKey: 'pem' });
    expect(() => loadConfig({ GITHUB_BOT_APP_ID: 'my-app', GITHUB_BOT_PRIVATE_KEY: 'pem' })).toThrow(/GITHUB_BOT_APP_ID/);
  });

  it('splits API_KEYS and applies defaults', () => {
    const config = loadConfig({ API_KEYS: ' a, b ,,c ' });
    expect(config.apiKeys).toEqual(['a', 'b', 'c']);
    expect(config.env.PORT).toBe(8080);
    expect(config.env.TEMPORAL_TASK_QUEUE).toBe('github-actions-agent');
  });

  it('reads scoped keys in API_KEYS as scope+scope=key, keeping bare keys unscoped', () => {
    const hex = 'a'.repeat(64);
    const base64 = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=';
    const config = loadConfig({ API_KEYS: `jobs:create+jobs:read=ci-key, codec=ui=proxy, ${hex}, ${base64}, with:colon` });
    expect(config.apiKeys).toEqual([
      { key: 'ci-key', scopes: ['jobs:create', 'jobs:read'] },
      { key: 'ui=proxy', scopes: ['codec'] },
      hex,
      base64,
      'with:colon',
    ]);
  });

  it('stops on an unknown scope or a repeated key, naming API_KEYS and never the key', () => {
    expect(() => loadConfig({ API_KEYS: 'jobs:write=secret-key-1' })).toThrow(/API_KEYS: entry 1 names unknown scope "jobs:write"/);
    expect(() => loadConfig({ API_KEYS: 'jobs:write=secret-key-1' })).not.toThrow(/secret-key-1/);
    expect(() => loadConfig({ API_KEYS: 'k1,codec=k1' })).toThrow(/API_KEYS: entry 2 repeats a key/);
    expect(() => loadConfig({ API_KEYS: 'k1,codec=k1' })).not.toThrow(/k1/);
  });

  it('reads JOB_TOKEN_SECRET, JOB_TOKEN_GRACE_PERIOD, API_METRICS_PORT and API_DOCS', () => {
    const defaults = loadConfig({});
    expect(defaults.jobTokenSecrets).toBeUndefined();
    expect(defaults.env.JOB_TOKEN_GRACE_PERIOD).toBe(10 * 60_000);
    expect(defaults.env.API_METRICS_PORT).toBeUndefined();
    expect(defaults.env.API_DOCS).toBe(true);
    const set = loadConfig({ JOB_TOKEN_SECRET: 's'.repeat(40), JOB_TOKEN_GRACE_PERIOD: '30s', API_METRICS_PORT: '9465', API_DOCS: 'off' });
    expect(set.jobTokenSecrets).toEqual(['s'.repeat(40)]);
    expect(set.env.JOB_TOKEN_GRACE_PERIOD).toBe(30_000);
    expect(set.env.API_METRICS_PORT).toBe(9465);
    expect(set.env.API_DOCS).toBe(false);
    expect(loadConfig({ API_METRICS_PORT: 'off' }).env.API_METRICS_PORT).toBe('off');
    expect(() => loadConfig({ JOB_TOKEN_SECRET: 'short' })).toThrow(/JOB_TOKEN_SECRET: secret 1 is 5 characters/);
    expect(() => loadConfig({ API_METRICS_PORT: 'metrics' })).toThrow(/API_METRICS_PORT: must be a port number or "off"/);
    expect(() => loadConfig({ API_DOCS: 'maybe' })).toThrow(/API_DOCS/);
    expect(() => loadConfig({ JOB_TOKEN_GRACE_PERIOD: '10' })).toThrow(/JOB_TOKEN_GRACE_PERIOD/);
  });
});
