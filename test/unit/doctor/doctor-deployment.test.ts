import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { deploymentArgs, doctorEnv, runDoctorJson, startDoctorSandbox, WORKFLOWS } from './doctor-fixture.ts';

let sandbox: GithubSandbox;
beforeAll(async () => {
  sandbox = await startDoctorSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const D = 'deployment.acme/deploy';

describe('gha-agent doctor: a Deployment\'s workflow ("Workflow not triggered")', () => {
  it('accepts the workflow by numeric ID, file name, branch and tag', async () => {
    for (const args of [
      deploymentArgs(WORKFLOWS.good.id),
      deploymentArgs('deploy.yml', 'release'),
      deploymentArgs('deploy.yml', 'v1.0.0'),
      deploymentArgs('deploy.yml', 'refs/heads/main'),
    ]) {
      const run = await runDoctorJson(doctorEnv(sandbox), args);
      expect(run.problems(), args.join(' ')).toEqual([]);
      expect(run.result(`${D}.run-name`).detail).toContain('inputs.job_id');
    }
  });

  it('names a workflow without workflow_dispatch trigger', async () => {
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('ci.yml'));
    expect(run.code).toBe(1);
    expect(run.result(`${D}.dispatch-trigger`)).toMatchObject({ status: 'problem', detail: expect.stringContaining('no workflow_dispatch trigger') });
    expect(run.result(`${D}.dispatch-trigger`).fix).toContain('workflow_dispatch');
  });

  it('names a workflow_dispatch without the job_id input', async () => {
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('no-input.yml'));
    expect(run.code).toBe(1);
    expect(run.result(`${D}.dispatch-trigger`).status).toBe('ok');
    expect(run.result(`${D}.job-id-input`)).toMatchObject({ status: 'problem', fix: expect.stringContaining('job_id') });
  });

  it('names a workflow without run-name, and one whose run-name lacks inputs.job_id', async () => {
    const none = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('no-run-name.yml'));
    expect(none.result(`${D}.run-name`)).toMatchObject({ status: 'warn', detail: expect.stringContaining('has no run-name') });
    expect(none.result(`${D}.run-name`).fix).toContain('run-name: "Deploy ${{ inputs.job_id }}"');
    const plain = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('plain-run-name.yml'));
    expect(plain.result(`${D}.run-name`)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('"Deploy to production" does not contain inputs.job_id'),
    });
  });

  it('names a ref that does not exist', async () => {
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('deploy.yml', 'no-such-branch'));
    expect(run.code).toBe(1);
    expect(run.result(`${D}.ref`)).toMatchObject({ status: 'problem', detail: expect.stringContaining('no branch or tag "no-such-branch"') });
  });

  it('names a ref that exists but does not hold the workflow file', async () => {
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('main-only.yml', 'release'));
    expect(run.result(`${D}.ref`).status).toBe('ok');
    expect(run.result(`${D}.workflow-file`)).toMatchObject({ status: 'problem', detail: expect.stringContaining('does not exist at release') });
    expect(run.result(`${D}.workflow-file`).fix).toContain('merge the workflow file');
  });

  it('names a workflow ID that does not exist', async () => {
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs(999));
    expect(run.result(`${D}.workflow`)).toMatchObject({ status: 'problem', fix: expect.stringContaining('gha-agent github workflows --repo acme/deploy') });
  });

  it('names a workflow file that is not valid YAML', async () => {
    const run = await runDoctorJson(doctorEnv(sandbox), deploymentArgs('broken.yml'));
    expect(run.result(`${D}.workflow-file`)).toMatchObject({ status: 'problem', detail: expect.stringContaining('not valid YAML') });
  });

  it('names a repository the App is not installed on, and a wrong installationId', async () => {
    const missing = await runDoctorJson(doctorEnv(sandbox), ['--repo', 'acme/unknown', '--workflow', 'deploy.yml']);
    expect(missing.result('deployment.acme/unknown.installation')).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('not installed on acme/unknown'),
    });
    const wrong = await runDoctorJson(doctorEnv(sandbox), [...deploymentArgs('deploy.yml'), '--installation', '77']);
    expect(wrong.result(`${D}.installation`)).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('installationId 77 does not cover acme/deploy; installation 42 does'),
    });
  });

  it('names a workflow file the installation may not read (no Contents permission)', async () => {
    const narrow = await startDoctorSandbox({ installations: [{ id: 42, account: 'acme', permissions: { actions: 'write', metadata: 'read' } }] });
    try {
      const run = await runDoctorJson(doctorEnv(narrow), deploymentArgs('deploy.yml'));
      expect(run.result(`${D}.workflow-file`)).toMatchObject({ status: 'problem', fix: expect.stringContaining('Contents: Read-only') });
    } finally {
      await narrow.close();
    }
  });
});

describe('gha-agent doctor: Deployments of CONFIG_FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doctor-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('checks each literal Deployment and skips templated ones', async () => {
    const file = join(dir, 'ctrlplane.yaml');
    await writeFile(
      file,
      [
        'type: JobAgent\nname: github\nagentType: github-app',
        'type: Deployment\nname: api\njobAgent: github\njobAgentConfig:\n  installationId: 42\n  owner: acme\n  repo: deploy\n  workflowId: 101',
        'type: Deployment\nname: worker\njobAgent: github\njobAgentConfig:\n  installationId: 42\n  owner: acme\n  repo: deploy\n  workflowId: no-run-name.yml\n  ref: release',
        'type: Deployment\nname: templated\njobAgent: github\njobAgentConfig:\n  installationId: 42\n  owner: acme\n  repo: "{{.deployment.slug}}"\n  workflowId: 101',
        'type: Deployment\nname: by-org-id\njobAgent: github\njobAgentConfig:\n  installationId: 42\n  organizationId: 1234567\n  repo: deploy\n  workflowId: 101',
      ].join('\n---\n'),
    );
    const run = await runDoctorJson(doctorEnv(sandbox, { CONFIG_FILE: file }));
    expect(run.result('config').status).toBe('ok');
    expect(run.result('deployment.api.run-name').status).toBe('ok');
    expect(run.result('deployment.worker.ref').detail).toContain('release');
    expect(run.result('deployment.worker.run-name').status).toBe('warn');
    expect(run.result('deployment.templated')).toMatchObject({ status: 'skipped', detail: expect.stringContaining('repo is a template') });
    expect(run.result('deployment.by-org-id')).toMatchObject({ status: 'skipped', detail: expect.stringContaining('organizationId 1234567 is a numeric') });
    // A missing run-name is a warning (webhooks still match by run ID), so nothing here fails the run.
    expect(run.code).toBe(0);
  });

  it('names an invalid CONFIG_FILE', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'type: Deployment\nname: api\njobAgent: missing\njobAgentConfig:\n  owner: acme\n');
    const run = await runDoctorJson(doctorEnv(sandbox, { CONFIG_FILE: file }));
    expect(run.result('config')).toMatchObject({ status: 'problem', detail: expect.stringContaining('installationId') });
  });
});
