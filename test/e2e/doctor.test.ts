import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { runDoctorCli } from '../../src/cli/doctor-command.ts';
import type { DoctorReport } from '../../src/doctor/run-doctor.ts';
import type { GithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import { closedPort, deploymentArgs, doctorEnv, startDoctorSandbox } from '../unit/doctor/doctor-fixture.ts';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { type CtrlplaneSandbox, startCtrlplaneSandbox } from '../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';

const address = inject('temporalAddress');
const namespace = inject('temporalNamespace');
let sandbox: GithubSandbox;
let ctrlplane: CtrlplaneSandbox;
let connection: Connection;
const CTRLPLANE_KEY = 'cp_doctor.e2e';
const WORKSPACE = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';

beforeAll(async () => {
  sandbox = await startDoctorSandbox();
  ctrlplane = await startCtrlplaneSandbox({ apiKeys: [CTRLPLANE_KEY], workspaces: [{ id: WORKSPACE }] });
  ctrlplane.addJobAgent({
    workspaceId: WORKSPACE,
    id: deriveCtrlplaneAgentId(WORKSPACE, 'github-actions-agent'),
    name: 'github-actions-agent',
    type: 'http-pull',
  });
  connection = await Connection.connect({ address });
});
afterAll(async () => {
  await connection?.close();
  await sandbox?.close();
  await ctrlplane?.close();
});

async function doctor(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ code: number; report: DoctorReport; status(id: string): string; fix(id: string): string }> {
  let out = '';
  const code = await runDoctorCli(['--json', ...args], env, (text) => (out += text));
  const report = JSON.parse(out) as DoctorReport;
  const find = (id: string) => report.results.find((r) => r.id === id) ?? { status: 'absent', fix: '' };
  return { code, report, status: (id) => find(id).status, fix: (id) => find(id).fix ?? '' };
}

/** A namespace without the job search attributes (the suite's has them pre-registered). */
async function bareNamespace(): Promise<string> {
  const name = `doctor-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace: name, workflowExecutionRetentionPeriod: msToTs('1 day') });
  await vi
    .waitFor(() => connection.operatorService.listSearchAttributes({ namespace: name }), { timeout: 20_000, interval: 200 })
    .catch((error: unknown) => {
      throw new Error(`namespace ${name} never became available`, { cause: error });
    });
  return name;
}

describe('gha-agent doctor against a real Temporal server', () => {
  it('finds everything in order in a healthy setup: every line ok, exit 0', async () => {
    const run = await doctor(
      doctorEnv(sandbox, {
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        CTRLPLANE_URL: ctrlplane.url,
        CTRLPLANE_API_KEY: CTRLPLANE_KEY,
        CTRLPLANE_WORKSPACE_ID: WORKSPACE,
      }),
      deploymentArgs('deploy.yml'),
    );
    expect(run.report.results.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(run.status('ctrlplane.agent')).toBe('ok');
    expect(run.code).toBe(0);
    expect(run.status('temporal.reachable')).toBe('ok');
    expect(run.status('temporal.search-attributes')).toBe('ok');
  });

  it('names search attributes that are not registered, with the command that registers them', async () => {
    const bare = await bareNamespace();
    const run = await doctor(doctorEnv(sandbox, { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: bare }));
    expect(run.code).toBe(1);
    expect(run.status('temporal.reachable')).toBe('ok');
    expect(run.status('temporal.search-attributes')).toBe('problem');
    expect(run.fix('temporal.search-attributes')).toContain('gha-agent setup');
    expect(run.fix('temporal.search-attributes')).toContain('--name CtrlplaneJobStatus --type Keyword');
  });

  it('names a namespace that does not exist', async () => {
    const run = await doctor(doctorEnv(sandbox, { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: `missing-${randomUUID().slice(0, 8)}` }));
    expect(run.status('temporal.reachable')).toBe('problem');
    expect(run.fix('temporal.reachable')).toContain('TEMPORAL_NAMESPACE');
  });

  it('names a Temporal it cannot reach', async () => {
    const run = await doctor(doctorEnv(sandbox, { TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}`, TEMPORAL_NAMESPACE: namespace }));
    expect(run.code).toBe(1);
    expect(run.status('temporal.reachable')).toBe('problem');
    expect(run.fix('temporal.reachable')).toContain('TEMPORAL_ADDRESS');
    expect(run.status('temporal.search-attributes')).toBe('skipped');
  });
});
