import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runDoctorCli } from '../../../src/cli/doctor-command.ts';
import type { CheckResult } from '../../../src/doctor/check-result.ts';
import type { DoctorReport } from '../../../src/doctor/run-doctor.ts';
import { startGithubSandbox, type GithubSandbox, type GithubSandboxOptions } from '../../../src/sandbox/github-sandbox.ts';

export const OWNER = 'acme';
export const REPO = 'deploy';
export const INSTALLATION_ID = 42;
/** Never contacted unless a test dispatches a run. */
export const PUBLIC_WEBHOOK_URL = 'https://deploy-agent.example.com/api/github/webhook';

/** A repository with one workflow as the guide wants it and one broken in each way the guide names. */
export const WORKFLOWS = {
  good: { id: 101, path: '.github/workflows/deploy.yml', name: 'Deploy' },
  pushOnly: { id: 102, path: '.github/workflows/ci.yml', name: 'CI', dispatchable: false },
  noJobIdInput: { id: 103, path: '.github/workflows/no-input.yml', name: 'No input', jobIdInput: false },
  noRunName: { id: 104, path: '.github/workflows/no-run-name.yml', name: 'No run-name', runName: '' },
  runNameWithoutJobId: { id: 105, path: '.github/workflows/plain-run-name.yml', name: 'Plain', runName: 'Deploy to production' },
  mainOnly: { id: 106, path: '.github/workflows/main-only.yml', name: 'Main only', refs: ['main'] },
  invalidYaml: { id: 107, path: '.github/workflows/broken.yml', name: 'Broken', yaml: 'name: [unclosed\non: workflow_dispatch\n' },
} satisfies Record<string, GithubSandboxOptions['repos'][number]['workflows'][number]>;

export function startDoctorSandbox(overrides: Partial<GithubSandboxOptions> = {}): Promise<GithubSandbox> {
  return startGithubSandbox({
    webhookSecret: 'doctor-test-secret',
    webhookUrl: PUBLIC_WEBHOOK_URL,
    stepDelayMs: 5,
    installations: [{ id: INSTALLATION_ID, account: OWNER }],
    repos: [{ owner: OWNER, name: REPO, branches: ['release'], tags: ['v1.0.0'], workflows: Object.values(WORKFLOWS) }],
    ...overrides,
  });
}

/** The environment a correctly configured API + worker would have against this sandbox. */
export function doctorEnv(sandbox: GithubSandbox, overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_BOT_APP_ID: String(sandbox.appId),
    GITHUB_BOT_PRIVATE_KEY: sandbox.privateKey,
    GITHUB_API_URL: sandbox.url,
    GITHUB_WEBHOOK_SECRET: sandbox.webhookSecret,
    ...overrides,
  };
}

export interface DoctorRun {
  code: number;
  report: DoctorReport;
  result(id: string): CheckResult;
  problems(): CheckResult[];
}

/** `gha-agent doctor --json --skip-temporal [args]` against an environment. */
export async function runDoctorJson(env: NodeJS.ProcessEnv, args: string[] = []): Promise<DoctorRun> {
  let out = '';
  const code = await runDoctorCli(['--json', '--skip-temporal', ...args], env, (text) => (out += text));
  const report = JSON.parse(out) as DoctorReport;
  return {
    code,
    report,
    result(id) {
      const found = report.results.find((r) => r.id === id);
      if (!found) throw new Error(`no check ${id}; have ${report.results.map((r) => r.id).join(', ')}`);
      return found;
    },
    problems: () => report.results.filter((r) => r.status === 'problem'),
  };
}

/** `--repo acme/deploy --workflow <file> [--ref <ref>]` */
export function deploymentArgs(workflow: string | number, ref?: string): string[] {
  return ['--repo', `${OWNER}/${REPO}`, '--workflow', String(workflow), ...(ref ? ['--ref', ref] : [])];
}

/** A local port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A webhook receiver whose answer can be switched (e.g. 503 while "down", then 200). */
export async function startSwitchableReceiver(initialStatus: number) {
  let status = initialStatus;
  const received: Array<{ delivery: string; event: string; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        delivery: String(req.headers['x-github-delivery']),
        event: String(req.headers['x-github-event']),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/github/webhook`,
    received,
    setStatus(next: number) {
      status = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
