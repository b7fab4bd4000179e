import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsCommand } from '../../src/cli/jobs-command.ts';
import { capturedIo } from '../support/captured-io.ts';
import { API_KEY, type E2eStack, INSTALLATION_ID, jobBody, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

let env: E2eStack;
let dir: string;
beforeAll(async () => {
  env = await startE2eStack();
  dir = await mkdtemp(join(tmpdir(), 'gha-agent-cli-'));
});
afterAll(async () => {
  await env?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const io = () => capturedIo({ GHA_AGENT_API_URL: env.stack.apiUrl, GHA_AGENT_API_KEY: API_KEY });

describe('gha-agent jobs', () => {
  it('creates a job from a file plus flags, and watch follows it to the end with the run link', async () => {
    const file = join(dir, 'job.json');
    const { id: _id, variables: _variables, ...body } = jobBody();
    await writeFile(file, JSON.stringify(body));
    const id = randomUUID();
    const created = io();
    await jobsCommand(['create', '--file', file, '--id', id, '--version', 'v9.9.9', '--var', `github_org=${OWNER}`, '--var', 'replicas=3'], created);
    const job = JSON.parse(created.out.join(''));
    expect(job).toMatchObject({ id, status: 'pending', version: { tag: 'v9.9.9' }, variables: { github_org: OWNER, replicas: 3 } });

    const watched = io();
    await jobsCommand(['watch', id, '--interval', '100'], watched);
    const lines = watched.out.join('').trim().split('\n');
    expect(lines.at(-1)).toMatch(/successful/);
    expect(lines.some((line) => line.includes(`/${OWNER}/${REPO}/actions/runs/`))).toBe(true);
    expect(watched.err.join('')).toMatch(/⠋|⠙|⠹/);

    const got = io();
    await jobsCommand(['get', id, '--api-url', env.stack.apiUrl], got);
    expect(JSON.parse(got.out.join(''))).toMatchObject({ id, status: 'successful' });
  });

  it('lists jobs by deployment, as a table and as JSON', async () => {
    const deployment = `cli-${randomUUID()}`;
    const job = await env.createJob({ deployment: { name: deployment } });
    // Visibility is eventually consistent: the job shows in a list a moment after it was created.
    const listJson = async () => {
      const listed = io();
      await jobsCommand(['list', '--deployment', deployment, '--json'], listed);
      return (JSON.parse(listed.out.join('')) as { jobs: unknown[] }).jobs;
    };
    await expect.poll(listJson, { timeout: 20_000 }).toEqual([expect.objectContaining({ id: job.id, deployment })]);
    const tabled = io();
    await jobsCommand(['list', '--deployment', deployment], tabled);
    expect(tabled.out.join('')).toMatch(new RegExp(`^ID +STATUS +DEPLOYMENT[\\s\\S]*${job.id}`));
  });

  it('cancels a running job, and watch then fails with the final status', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    await env.waitForStatus(job.id, 'in_progress');
    const cancelled = io();
    await jobsCommand(['cancel', job.id], cancelled);
    expect(cancelled.out.join('')).toContain(`cancellation of job ${job.id} requested`);
    await expect(jobsCommand(['watch', job.id, '--interval', '100'], io())).rejects.toThrow(`job ${job.id} ended cancelled`);
  });

  it('says what is wrong when the key is missing or wrong', async () => {
    const noKey = capturedIo({ GHA_AGENT_API_URL: env.stack.apiUrl });
    await expect(jobsCommand(['get', randomUUID()], noKey)).rejects.toThrow(/401 missing API key.*GHA_AGENT_API_KEY/);
    await expect(jobsCommand(['get', randomUUID(), '--api-key', 'wrong'], io())).rejects.toThrow(
      /^401 invalid API key \(the key must be one of the API's API_KEYS, or the token of a job that is still running; check --api-key or GHA_AGENT_API_KEY\)$/,
    );
    await expect(jobsCommand(['get', randomUUID()], io())).rejects.toThrow(/^404 job .* not found$/);
  });
});
