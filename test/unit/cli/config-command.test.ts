import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configCommand } from '../../../src/cli/config-command.ts';
import { capturedIo } from '../../support/captured-io.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gha-agent-config-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gha-agent config validate', () => {
  it('summarises a valid CONFIG_FILE', async () => {
    const file = join(dir, 'config.yaml');
    await writeFile(
      file,
      'type: JobAgent\nname: gh\nagentType: github-app\n---\ntype: Deployment\nname: api\njobAgent: gh\njobAgentConfig: {installationId: 1, owner: acme, repo: app, workflowId: deploy.yml}\n',
    );
    const io = capturedIo({ CONFIG_FILE: file });
    await configCommand(['validate'], io);
    expect(io.out.join('')).toContain('valid — 1 job agent(s), 1 deployment(s)');
    expect(io.out.join('')).toContain('api → acme/app workflow deploy.yml @ main (agent gh)');
  });

  it('fails with every problem of an invalid one', async () => {
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'type: Deployment\nname: api\njobAgent: gh\njobAgentConfig: {owner: acme}\n');
    await expect(configCommand(['validate', file], capturedIo({}))).rejects.toThrow(
      /document 1 \(Deployment "api"\): jobAgentConfig.installationId[\s\S]*jobAgent: no JobAgent named "gh"/,
    );
  });

  it('asks for a path when there is none', async () => {
    await expect(configCommand(['validate'], capturedIo({}))).rejects.toThrow('pass a PATH or set CONFIG_FILE');
  });

  it('reports as JSON with --json: every problem in a list, and still fails', async () => {
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'type: Deployment\nname: api\njobAgent: gh\njobAgentConfig: {owner: acme, repo: "{{ .x }"}\n');
    const io = capturedIo({});
    await expect(configCommand(['validate', '--json', file], io)).rejects.toThrow(/problem\(s\) in/);
    const report = JSON.parse(io.out.join('')) as { valid: boolean; problems: string[] };
    expect(report.valid).toBe(false);
    expect(report.problems.some((problem) => problem.includes('jobAgentConfig.repo: template: repo:1: unexpected "}" in operand'))).toBe(true);
    expect(report.problems.some((problem) => problem.includes('no JobAgent named "gh"'))).toBe(true);
  });

  it('summarises a valid one as JSON with --json', async () => {
    const io = capturedIo({});
    await configCommand(['validate', '--json', join(process.cwd(), 'examples/config.yaml')], io);
    const report = JSON.parse(io.out.join('')) as { valid: boolean; deployments: Array<{ name: string }> };
    expect(report.valid).toBe(true);
    expect(report.deployments.map((deployment) => deployment.name)).toEqual(['api-service', 'broken-service']);
  });
});
