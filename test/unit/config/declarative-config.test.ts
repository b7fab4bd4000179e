import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeclarativeConfigError, loadDeclarativeConfig } from '../../../src/config/declarative-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gha-agent-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const AGENT = `type: JobAgent
name: github-actions
agentType: github-app
`;
const DEPLOYMENT = `type: Deployment
name: api-service
jobAgent: github-actions
jobAgentConfig:
  installationId: 12345678
  owner: your-org
  repo: your-repo
  workflowId: 12345678
  ref: main
`;

async function problemsOf(path: string): Promise<string[]> {
  try {
    await loadDeclarativeConfig(path);
  } catch (error) {
    if (error instanceof DeclarativeConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadDeclarativeConfig', () => {
  it('reads the JobAgent and Deployment documents of Ctrlplane’s guide from one file', async () => {
    const file = join(dir, 'ctrlplane.yaml');
    await writeFile(file, `${AGENT}---\n${DEPLOYMENT}---\ntype: System\nname: platform\n`);
    const config = await loadDeclarativeConfig(file);
    expect([...config.jobAgents.keys()]).toEqual(['github-actions']);
    expect(config.deployments.get('api-service')).toMatchObject({
      jobAgent: 'github-actions',
      jobAgentConfig: { installationId: 12345678, owner: 'your-org', repo: 'your-repo', workflowId: 12345678, ref: 'main' },
    });
    expect(config.ignored).toHaveLength(1);
    expect(config.ignored[0]).toContain('System "platform"');
  });

  it('reads every YAML file of a directory, nested ones too', async () => {
    await mkdir(join(dir, 'deployments'));
    await writeFile(join(dir, 'agents.yml'), AGENT);
    await writeFile(join(dir, 'deployments', 'api.yaml'), DEPLOYMENT);
    await writeFile(join(dir, 'README.md'), '# not config');
    const config = await loadDeclarativeConfig(dir);
    expect([...config.deployments.keys()]).toEqual(['api-service']);
  });

  it('accepts templates in jobAgentConfig, checking only that the required fields are there', async () => {
    const file = join(dir, 'templated.yaml');
    await writeFile(
      file,
      `${AGENT}---\ntype: Deployment\nname: web\njobAgent: github-actions\njobAgentConfig:\n  installationId: "{{.variables.installation}}"\n  owner: "{{.variables.github_org}}"\n  repo: "{{.deployment.slug}}"\n  workflowId: deploy.yml\n`,
    );
    expect((await loadDeclarativeConfig(file)).deployments.get('web')?.jobAgentConfig.repo).toBe('{{.deployment.slug}}');
  });

  it('parses templated fields at load: a template syntax error is reported with its field, not left to the first job', async () => {
    const file = join(dir, 'broken-template.yaml');
    await writeFile(
      file,
      `${AGENT}---\ntype: Deployment\nname: web\njobAgent: github-actions\njobAgentConfig:\n  installationId: 1\n  owner: "{{.variables.github_org}"\n  repo: web\n  workflowId: deploy.yml\n  ref: "{{ nosuchfunc .x }}"\n`,
    );
    const problems = await problemsOf(file);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/Deployment "web".*jobAgentConfig\.owner: template: owner:1: bad character U\+007D '\}' \(an action must end with two braces/);
    expect(problems[1]).toMatch(/jobAgentConfig\.ref: template: ref:1: function "nosuchfunc" not defined/);
  });

  it('names file, document and field of every problem at once', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      `${AGENT}---\ntype: Deployment\nname: api-service\njobAgent: github-actions\njobAgentConfig:\n  installationId: twelve\n  owner: your-org\n  workflowId: 1\n---\ntype: Deployment\nname: worker\njobAgent: gitlab\njobAgentConfig: {installationId: 1, owner: o, repo: r, workflowId: 2}\n---\nname: orphan\n---\ntype: JobAgent\nname: argo\nagentType: argo-workflows\n`,
    );
    const problems = await problemsOf(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        `${file} document 2 (Deployment "api-service"): jobAgentConfig.installationId must be a positive integer`,
        `${file} document 2 (Deployment "api-service"): jobAgentConfig.repo is required`,
        expect.stringContaining('document 3 (Deployment "worker"): jobAgent: no JobAgent named "gitlab" (defined: github-actions)'),
        expect.stringContaining('document 4: type: is required'),
        expect.stringContaining('document 5 (JobAgent "argo"): agentType: agentType must be github-app'),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('reports YAML syntax errors with their document and unknown fields by name', async () => {
    const file = join(dir, 'syntax.yaml');
    await writeFile(file, `${AGENT}---\ntype: Deployment\nname: [unclosed\n---\n${AGENT.replace('agentType', 'agentTpye')}`);
    const problems = await problemsOf(file);
    expect(problems.some((p) => p.includes('document 2:'))).toBe(true);
    expect(problems.some((p) => p.includes('document 3 (JobAgent "github-actions")') && p.includes('agentTpye'))).toBe(true);
  });

  it('refuses a missing path and a directory without YAML', async () => {
    expect((await problemsOf(join(dir, 'nope.yaml')))[0]).toContain('no such file or directory');
    expect((await problemsOf(dir))[0]).toContain('no .yaml or .yml files');
  });

  it('refuses the same deployment defined twice', async () => {
    const file = join(dir, 'twice.yaml');
    await writeFile(file, `${AGENT}---\n${DEPLOYMENT}---\n${DEPLOYMENT}`);
    expect(await problemsOf(file)).toEqual([expect.stringContaining('document 3 (Deployment "api-service"): name: Deployment "api-service" is defined twice')]);
  });
});
