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
});
