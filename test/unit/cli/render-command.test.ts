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
    expect(report.message).toContain('installationId must be a positive integer');
    expect(report.message).toContain('repo is required');
  });
});
