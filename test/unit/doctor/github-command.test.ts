import { afterEach, describe, expect, it, vi } from 'vitest';
import { runGithubCli } from '../../../src/cli/github-command.ts';
import { createAppOctokit } from '../../../src/github-app/github-app-octokit.ts';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { doctorEnv, INSTALLATION_ID, OWNER, REPO, startDoctorSandbox, startSwitchableReceiver } from './doctor-fixture.ts';

let sandbox: GithubSandbox | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await sandbox?.close();
  sandbox = undefined;
});

async function github(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runGithubCli(args, env, (text) => (out += text));
  return { code, out };
}

describe('gha-agent github', () => {
  it('installations: lists installation IDs with their account and permissions', async () => {
    sandbox = await startDoctorSandbox({
      installations: [
        { id: INSTALLATION_ID, account: OWNER },
        { id: 43, account: 'globex', permissions: { metadata: 'read' } },
      ],
    });
    const { code, out } = await github(['installations'], doctorEnv(sandbox));
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+ACCOUNT\s+REPOSITORIES\s+PERMISSIONS\s+NOTE$/);
    expect(lines[1]).toMatch(/^42\s+acme\s+all\s+actions:write,contents:read,metadata:read\s*$/);
    expect(lines[2]).toMatch(/^43\s+globex\s+all\s+metadata:read\s+missing Actions: Read and write, Contents: Read-only$/);
  });

  it('workflows: lists workflow IDs and files and whether a job can be dispatched to each', async () => {
    sandbox = await startDoctorSandbox();
    const { code, out } = await github(['workflows', '--repo', `${OWNER}/${REPO}`], doctorEnv(sandbox));
    expect(code).toBe(0);
    expect(out).toContain(`${OWNER}/${REPO} (installation ${INSTALLATION_ID})`);
    const row = (file: string) => out.split('\n').find((line) => line.includes(` ${file} `)) ?? '';
    expect(row('deploy.yml')).toMatch(/^101\s+deploy\.yml\s+Deploy\s+active\s+yes$/);
    expect(row('ci.yml')).toMatch(/no: no workflow_dispatch trigger$/);
    expect(row('no-input.yml')).toMatch(/no: no job_id input$/);
    expect(row('no-run-name.yml')).toMatch(/yes, but run-name lacks inputs\.job_id/);
    expect(row('broken.yml')).toMatch(/no: invalid YAML/);
  });

  it('workflows: says when the App is not installed on the repository', async () => {
    sandbox = await startDoctorSandbox();
    await expect(github(['workflows', '--repo', 'acme/unknown'], doctorEnv(sandbox))).rejects.toThrow(/not installed on acme\/unknown/);
  });

  it('redeliver: lists failed deliveries and has GitHub redeliver them', async () => {
    const receiver = await startSwitchableReceiver(503);
    cleanups.push(receiver.close);
    const s = await startDoctorSandbox({ webhookUrl: receiver.url });
    sandbox = s;
    const installation = createAppOctokit(s.url, { appId: s.appId, privateKey: s.privateKey }, INSTALLATION_ID);
    await installation.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner: OWNER,
      repo: REPO,
      workflow_id: 101,
      ref: 'main',
      inputs: { job_id: 'j' },
    });
    await vi.waitFor(() => expect(s.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });

    const dry = await github(['redeliver', '--since', '1h', '--dry-run'], doctorEnv(s));
    expect(dry.out.match(/would-redeliver/g)).toHaveLength(3);
    expect(dry.out).toContain('workflow_run.completed');
    expect(dry.out).toContain('Invalid HTTP Response: 503');

    receiver.setStatus(200);
    const real = await github(['redeliver', '--since', '1h'], doctorEnv(s));
    expect(real.code).toBe(0);
    expect(real.out.match(/redelivered/g)).toHaveLength(3);
    await vi.waitFor(() => expect(s.deliveries.filter((d) => d.redelivery && d.status === 200)).toHaveLength(3), { timeout: 10_000, interval: 10 });
    expect((await github(['redeliver', '--since', '1h'], doctorEnv(s))).out).toMatch(/^No failed deliveries since .* \(3 examined\)\.$/m);
  });

  it('prints its usage for no subcommand, and refuses without App credentials', async () => {
    expect((await github([], {})).code).toBe(2);
    await expect(github(['installations'], {})).rejects.toThrow(/GITHUB_BOT_APP_ID and GITHUB_BOT_PRIVATE_KEY/);
  });
});
