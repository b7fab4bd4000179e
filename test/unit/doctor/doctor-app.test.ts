import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { closedPort, deploymentArgs, doctorEnv, PUBLIC_WEBHOOK_URL, runDoctorJson, startDoctorSandbox } from './doctor-fixture.ts';

let sandbox: GithubSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('gha-agent doctor: App credentials ("GitHub bot not configured")', () => {
  it('passes every GitHub check of a healthy setup and exits 0', async () => {
    sandbox = await startDoctorSandbox();
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('deploy.yml'));
    expect(run.problems()).toEqual([]);
    expect(run.code).toBe(0);
    const statuses = Object.fromEntries(run.report.results.map((r) => [r.id, r.status]));
    expect(statuses).toMatchObject({
      'credentials.app-id': 'ok',
      'credentials.private-key': 'ok',
      'app.jwt': 'ok',
      'app.events': 'ok',
      'app.permissions': 'ok',
      'app.webhook-url': 'ok',
      'app.webhook-content-type': 'ok',
      'app.webhook-secret': 'ok',
      'app.deliveries': 'ok',
      installations: 'ok',
      'installation.42.token': 'ok',
      'installation.42.permissions': 'ok',
      'deployment.acme/deploy.installation': 'ok',
      'deployment.acme/deploy.repository': 'ok',
      'deployment.acme/deploy.workflow': 'ok',
      'deployment.acme/deploy.ref': 'ok',
      'deployment.acme/deploy.workflow-file': 'ok',
      'deployment.acme/deploy.dispatch-trigger': 'ok',
      'deployment.acme/deploy.job-id-input': 'ok',
      'deployment.acme/deploy.run-name': 'ok',
      'api.webhook-secret': 'ok',
    });
    expect(run.result('app.webhook-url').detail).toBe(PUBLIC_WEBHOOK_URL);
  });

  it('names a missing GITHUB_BOT_APP_ID and skips what needs it', async () => {
    sandbox = await startDoctorSandbox();
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_BOT_APP_ID: undefined }));
    expect(run.code).toBe(1);
    expect(run.result('credentials.app-id')).toMatchObject({ status: 'problem', detail: expect.stringContaining('GitHub bot not configured') });
    expect(run.result('credentials.app-id').fix).toContain('numeric App ID');
    expect(run.result('app.jwt').status).toBe('skipped');
  });

  it('refuses an App ID that is not numeric, such as the Client ID', async () => {
    sandbox = await startDoctorSandbox();
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_BOT_APP_ID: sandbox.clientId }));
    expect(run.code).toBe(1);
    expect(run.result('credentials.app-id')).toMatchObject({ status: 'problem', detail: expect.stringContaining('not a numeric ID') });
    expect(run.result('credentials.app-id').fix).toContain('not the Client ID');
  });

  it('names a private key that does not parse, and accepts one with literal \\n', async () => {
    sandbox = await startDoctorSandbox();
    const broken = await runDoctorJson(
      doctorEnv(sandbox, { GITHUB_BOT_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----' }),
    );
    expect(broken.code).toBe(1);
    expect(broken.result('credentials.private-key')).toMatchObject({ status: 'problem', detail: expect.stringContaining('does not parse') });
    expect(broken.result('credentials.private-key').fix).toContain('BEGIN');

    const escaped = await runDoctorJson(doctorEnv(sandbox, { GITHUB_BOT_PRIVATE_KEY: sandbox.privateKey.replace(/\n/g, '\\n') }));
    expect(escaped.result('credentials.private-key').status).toBe('ok');
    expect(escaped.result('app.jwt').status).toBe('ok');
  });

  it('says GitHub refused the JWT when the key is not one of the App\'s ("failed to get installation token")', async () => {
    sandbox = await startDoctorSandbox();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_BOT_PRIVATE_KEY: otherKey }), deploymentArgs('deploy.yml'));
    expect(run.code).toBe(1);
    expect(run.result('credentials.private-key').status).toBe('ok');
    expect(run.result('app.jwt')).toMatchObject({ status: 'problem', detail: expect.stringContaining('refused the App JWT') });
    expect(run.result('app.jwt').fix).toContain('regenerated');
    expect(run.result('deployment.acme/deploy').status).toBe('skipped');
  });

  it("says GitHub refused the JWT when the App ID is another App's", async () => {
    sandbox = await startDoctorSandbox();
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_BOT_APP_ID: String(sandbox.appId + 1000) }));
    expect(run.result('app.jwt').status).toBe('problem');
    expect(run.result('app.jwt').fix).toContain("this App's ID");
  });

  it('says the GitHub API did not answer when GITHUB_API_URL points nowhere', async () => {
    sandbox = await startDoctorSandbox();
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}` }));
    expect(run.code).toBe(1);
    expect(run.result('app.jwt')).toMatchObject({ status: 'problem', detail: expect.stringContaining('did not answer') });
    expect(run.result('app.jwt').fix).toContain('GITHUB_API_URL');
  });
});

describe('gha-agent doctor: the App on GitHub ("Job status not updating automatically")', () => {
  it('names an App that is not subscribed to workflow_run', async () => {
    sandbox = await startDoctorSandbox({ events: ['push', 'pull_request'] });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.code).toBe(1);
    expect(run.result('app.events')).toMatchObject({ status: 'problem', detail: expect.stringContaining('not subscribed to workflow_run') });
    expect(run.result('app.events').fix).toContain('Workflow run');
  });

  it('names App permissions that lack Actions write', async () => {
    sandbox = await startDoctorSandbox({ permissions: { actions: 'read', contents: 'read', metadata: 'read' } });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.code).toBe(1);
    expect(run.result('app.permissions')).toMatchObject({ status: 'problem', detail: expect.stringContaining('Actions: Read and write') });
    expect(run.result('app.permissions').fix).toContain('Permissions & events');
  });

  it('names a webhook without URL', async () => {
    sandbox = await startDoctorSandbox({ webhookUrl: undefined });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.code).toBe(1);
    expect(run.result('app.webhook-url')).toMatchObject({ status: 'problem', detail: expect.stringContaining('no webhook URL') });
    expect(run.result('app.webhook-url').fix).toContain('/api/github/webhook');
  });

  it('names a webhook URL on another path', async () => {
    sandbox = await startDoctorSandbox({ webhookUrl: 'https://deploy-agent.example.com/webhooks/github' });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.result('app.webhook-url')).toMatchObject({ status: 'problem', detail: expect.stringContaining('does not point at /api/github/webhook') });
  });

  it('warns about the form content type without failing', async () => {
    sandbox = await startDoctorSandbox({ webhookContentType: 'form' });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.result('app.webhook-content-type')).toMatchObject({ status: 'warn', fix: expect.stringContaining('application/json') });
    expect(run.code).toBe(0);
  });

  it('names a webhook without secret', async () => {
    sandbox = await startDoctorSandbox({ webhookSecret: '' });
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_WEBHOOK_SECRET: 'something' }));
    expect(run.code).toBe(1);
    expect(run.result('app.webhook-secret')).toMatchObject({ status: 'problem', detail: expect.stringContaining('no secret') });
    expect(run.result('app.webhook-secret').fix).toContain('GITHUB_WEBHOOK_SECRET');
  });

  it('names GITHUB_WEBHOOK_SECRET missing on the API', async () => {
    sandbox = await startDoctorSandbox();
    const run = await runDoctorJson(doctorEnv(sandbox, { GITHUB_WEBHOOK_SECRET: undefined }));
    expect(run.code).toBe(1);
    expect(run.result('api.webhook-secret')).toMatchObject({ status: 'problem', detail: expect.stringContaining('503') });
  });
});

describe('gha-agent doctor: installations', () => {
  it('names an installation that did not accept Actions write', async () => {
    sandbox = await startDoctorSandbox({ installations: [{ id: 42, account: 'acme', permissions: { contents: 'read', metadata: 'read' } }] });
    const run = await runDoctorJson(doctorEnv(sandbox));
    expect(run.code).toBe(1);
    expect(run.result('app.permissions').status).toBe('ok');
    expect(run.result('installation.42.token').status).toBe('ok');
    expect(run.result('installation.42.permissions')).toMatchObject({ status: 'problem', detail: expect.stringContaining('Actions: Read and write') });
    expect(run.result('installation.42.permissions').fix).toContain('Review request');
  });

  it('names an App installed nowhere', async () => {
    sandbox = await startDoctorSandbox();
    sandbox.revokeInstallation(42);
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('deploy.yml'));
    expect(run.code).toBe(1);
    expect(run.result('installations')).toMatchObject({ status: 'problem', detail: expect.stringContaining('not installed') });
    expect(run.result('deployment.acme/deploy.installation')).toMatchObject({ status: 'problem', fix: expect.stringContaining('Install App') });
  });
});
