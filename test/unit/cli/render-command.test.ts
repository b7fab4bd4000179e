import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderCommand } from '../../../src/cli/render-command.ts';

async function files(config: string, context: string) {
  const dir = await mkdtemp(join(tmpdir(), 'render-'));
  await writeFile(join(dir, 'config.yaml'), config);
  await writeFile(join(dir, 'context.json'), context);
  return ['--config', join(dir, 'config.yaml'), '--context', join(dir, 'context.json')];
}

async function run(args: string[]) {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await renderCommand(args);
  } finally {
    write.mockRestore();
  }
  const code = process.exitCode;
  process.exitCode = undefined;
  return { report: JSON.parse(out) as Record<string, unknown>, code };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('gha-agent render', () => {
  it('prints the config a job would dispatch with', async () => {
    const args = await files(
      'installationId: 42\nowner: "{{ .variables.org }}"\nrepo: "{{ .deployment.slug }}-deploy"\nworkflowId: deploy.yml\nref: "{{ .version.tag }}"\n',
      JSON.stringify({ deployment: { name: 'API', slug: 'api' }, version: { tag: 'v1.2.3' }, variables: { org: 'acme' } }),
    );
    const { report, code } = await run(args);
    expect(code).toBeUndefined();
    expect(report).toEqual({ valid: true, config: { installationId: 42, owner: 'acme', repo: 'api-deploy', workflowId: 'deploy.yml', ref: 'v1.2.3' } });
  });

  it('names the template error in Go’s words and exits 1', async () => {
    const args = await files('installationId: 1\nowner: o\nrepo: r\nworkflowId: 1\nref: "{{ .version.tag.x }}"\n', JSON.stringify({ version: { tag: 'v1' } }));
    const { report, code } = await run(args);
    expect(code).toBe(1);
    expect(report.valid).toBe(false);
    expect(report.message).toBe(
      'invalid job agent config: jobAgentConfig.ref: template: ref:1:11: executing "ref" at <.version.tag.x>: can\'t evaluate field x in type interface {}',
    );
  });

  it('shows the rendered config and the invalid fields when validation fails', async () => {
    const args = await files('installationId: "{{ .variables.installation }}"\nowner: o\nworkflowId: 1\n', JSON.stringify({ variables: {} }));
    const { report, code } = await run(args);
    expect(code).toBe(1);
    expect(report.rendered).toMatchObject({ installationId: '<no value>' });
    expect(report.message).toContain('installationId rendered as "<no value>"');
    expect(report.message).toContain('repo is required');
  });

  it('refuses a required field that rendered "<no value>", naming the field and why', async () => {
    const args = await files('installationId: 1\nowner: acme\nrepo: r\nworkflowId: 1\nref: "{{ .variables.branch }}"\n', JSON.stringify({ variables: {} }));
    const { report, code } = await run(args);
    expect(code).toBe(1);
    expect(report.message).toMatch(/ref rendered as "<no value>": .*variables\.branch|ref rendered as "<no value>"/);
  });

  it('names every field whose template fails, not only the first', async () => {
    const args = await files(
      'installationId: 1\nowner: "{{ .a.b.c }}"\nrepo: "{{ fail \\"bad repo\\" }}"\nworkflowId: 1\nref: "{{ .x }"\n',
      JSON.stringify({ a: { b: 'text' } }),
    );
    const { report, code } = await run(args);
    expect(code).toBe(1);
    expect(report.message).toContain('jobAgentConfig.owner:');
    expect(report.message).toContain('jobAgentConfig.repo:');
    expect(report.message).toContain('jobAgentConfig.ref:');
  });

  it('hints at an action that is not closed', async () => {
    const args = await files('installationId: 1\nowner: acme\nrepo: r\nworkflowId: 1\nref: "{{ .version.tag }"\n', JSON.stringify({ version: { tag: 'v1' } }));
    const { report } = await run(args);
    expect(report.message).toMatch(/unexpected "\}" in operand \(.*close it with \}\}\)/);
  });

  it('warns about a key no job uses (a typo such as reff), with the key it probably meant', async () => {
    const args = await files('installationId: 1\nowner: acme\nrepo: r\nworkflowId: 1\nreff: release\n', JSON.stringify({}));
    const { report, code } = await run(args);
    expect(code).toBeUndefined();
    expect(report.warnings).toEqual(['jobAgentConfig.reff is not a setting of this agent (did you mean ref?); a job ignores it']);
  });
});
