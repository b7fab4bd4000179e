import { describe, expect, it } from 'vitest';
import { webhookConfigResults } from '../../../src/doctor/check-github-app.ts';

const app = { id: 1, slug: 'deploy-bot', name: 'Deploy bot' };
const hook = (url: string) => ({ url, content_type: 'json', insecure_ssl: '0' });
const urlCheck = (url: string, apiUrl: string) => webhookConfigResults(hook(url), app, apiUrl).find((result) => result.id === 'app.webhook-url');

describe('doctor: can GitHub reach the webhook URL?', () => {
  it('warns that github.com cannot deliver to a loopback or private address', () => {
    expect(urlCheck('http://127.0.0.1:8080/api/github/webhook', 'https://api.github.com')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining("127.0.0.1 is this machine's loopback address: GitHub cannot deliver there"),
      fix: expect.stringContaining('public HTTPS address'),
    });
    expect(urlCheck('https://localhost/api/github/webhook', 'https://ghe.example.com/api/v3')).toMatchObject({ status: 'warn' });
    expect(urlCheck('https://10.0.4.2/api/github/webhook', 'https://api.github.com')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('10.0.4.2 is a private address'),
    });
  });

  it('accepts a private address for GitHub Enterprise Server, a public one anywhere, and anything for a local sandbox', () => {
    expect(urlCheck('https://10.0.4.2/api/github/webhook', 'https://ghe.example.com/api/v3')).toMatchObject({ status: 'ok' });
    expect(urlCheck('https://agent.example.com/api/github/webhook', 'https://api.github.com')).toMatchObject({ status: 'ok' });
    expect(urlCheck('http://127.0.0.1:8080/api/github/webhook', 'http://127.0.0.1:40001')).toMatchObject({ status: 'ok' });
  });
});
