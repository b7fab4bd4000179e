// Jobs whose templates are large and all different (issue #26): each parse tree takes about 12 MB of heap, so the
// worker's parse cache (shared by its workflows) counts what its trees take, not their source bytes: a cache bounded
// by 8 MiB of sources holds 129 such trees, and 40 jobs would leave a worker process 538 MB larger.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, INSTALLATION_ID, OWNER, startE2eStack } from '../support/e2e-stack.ts';
import { spawnWorker, type SpawnedWorker } from '../support/spawned-worker.ts';

let env: E2eStack;
let worker: SpawnedWorker;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
  worker = await spawnWorker(env);
});
afterAll(async () => {
  await worker?.stop();
  await env?.stop();
});

const MiB = 1 << 20;

/** Resident memory of the worker process, from /proc (Linux). */
const workerRss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${worker.child.pid}/status`, 'utf8'))![1]) * 1024;

/** A job whose repository is a distinct template of 64.8 KB (12 950 actions): it renders, then is no GitHub name. */
const largeTemplateJob = (i: number) => ({
  jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: `{{/* ${i} */}}${'{{1}}'.repeat(12_950)}`, workflowId: 101 },
});

describe('a worker rendering many distinct large templates', () => {
  it('ends every job invalid_job_agent and stays within 350 MB of where it started (it grew 538 MB before)', { timeout: 600_000 }, async () => {
    const first = await env.createJob(largeTemplateJob(-1));
    await env.waitForStatus(first.id, 'invalid_job_agent', 120_000);
    const before = workerRss();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await env.createJob(largeTemplateJob(i))).id);
    for (const id of ids) {
      const job = await env.waitForStatus(id, 'invalid_job_agent', 300_000);
      expect(job.message).toMatch(/repo/);
    }
    expect(workerRss() - before).toBeLessThan(350 * MiB);
  });
});
