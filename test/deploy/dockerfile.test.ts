import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTool, REPO_ROOT, TOOL_INSTALL_TIMEOUT_MS } from './ensure-tool.ts';

interface Stage {
  name: string;
  base: string;
  instructions: Array<{ keyword: string; args: string }>;
}

let hadolint: string;
let dockerfile: string;
let stages: Stage[];

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
function parseStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const result: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [base = '', , name = `stage${result.length}`] = rest;
      result.push({ name, base, instructions: [] });
    } else {
      result.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return result;
}

function stage(name: string): Stage {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

beforeAll(async () => {
  hadolint = await ensureTool('ensure-hadolint');
  dockerfile = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  stages = parseStages(dockerfile);
}, TOOL_INSTALL_TIMEOUT_MS);

describe('Dockerfile', () => {
  it('passes hadolint with no finding at any level', async () => {
    const { stdout } = await promisify(execFile)(hadolint, ['--no-color', '--format', 'json', 'Dockerfile'], { cwd: REPO_ROOT }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('is caught by hadolint when it breaks a rule (the lint is not vacuous)', async () => {
    const run = promisify(execFile)(hadolint, ['--no-color', '-'], { cwd: REPO_ROOT });
    run.child.stdin?.end('FROM node:latest\nRUN cd /app && npm install\n');
    await expect(run).rejects.toMatchObject({ stdout: expect.stringContaining('DL3007') });
  });

  it('builds in stages and ships only production dependencies and the compiled output', () => {
    expect(stages.map((candidate) => candidate.name)).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    const build = stage('build')
      .instructions.map((instruction) => instruction.args)
      .join('\n');
    expect(build).toContain('npm run build');
    expect(build).toMatch(/gha-agent\.mjs bundle --out dist\/workflow-bundle\.js/);
    expect(stage('prod-deps').instructions.some((instruction) => /npm ci --omit=dev/.test(instruction.args))).toBe(true);
    const copies = stage('runtime')
      .instructions.filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => instruction.args);
    expect(copies.some((args) => args.includes('--from=prod-deps') && args.includes('node_modules'))).toBe(true);
    expect(copies.some((args) => args.includes('--from=build') && args.includes('dist'))).toBe(true);
    expect(copies.some((args) => args.includes('--from=deps'))).toBe(false);
  });

  it('runs as a numeric non-root user, with gha-agent as entrypoint, a health check and the workflow bundle', () => {
    const runtime = stage('runtime').instructions;
    const user = runtime.filter((instruction) => instruction.keyword === 'USER').at(-1)?.args ?? '';
    expect(user).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    expect(runtime.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args).toBe('["gha-agent"]');
    expect(runtime.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.args).toContain('/healthz');
    expect(runtime.find((instruction) => instruction.keyword === 'ENV')?.args).toContain('WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js');
    expect(stage('runtime').base).toBe('${NODE_IMAGE}');
  });

  it('runs the Node release line of the engines field and of the drill (the current LTS)', async () => {
    const { dockerfileNodeMajor, NODE_LTS_VERSION } = await import('../../scripts/ensure-node-lts.mjs');
    const major = await dockerfileNodeMajor();
    expect(major).toBeGreaterThanOrEqual(24);
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${major}-bookworm-slim$`, 'm'));
    const packageJson = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(packageJson.engines.node).toBe(`>=${major}`);
    expect(Number(NODE_LTS_VERSION.split('.')[0])).toBe(major);
  });

  it('copies only files that exist and that .dockerignore lets through', async () => {
    const ignored = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const sources = stages
      .flatMap((candidate) => candidate.instructions)
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='))
      .flatMap((instruction) =>
        instruction.args
          .split(/\s+/)
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'bin']));
    for (const source of sources) {
      expect(existsSync(path.join(REPO_ROOT, source)), `${source} exists`).toBe(true);
      expect(ignored, `${source} is not ignored`).not.toContain(source);
    }
    for (const excluded of ['**/node_modules', '.git', '.env', '.tools', 'dist']) expect(ignored).toContain(excluded);
  });
});
