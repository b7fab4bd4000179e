import { expect, vi } from 'vitest';
import type { Job } from '../../../src/domain/job.ts';
import { isTerminalStatus, type JobStatus } from '../../../src/domain/job-status.ts';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';

/** Polls every job until it is terminal (or the deadline passes) and returns the final jobs. */
export async function waitAllTerminal(getJob: (id: string) => Promise<Job>, ids: string[], timeoutMs: number): Promise<Job[]> {
  const done = new Map<string, Job>();
  await vi.waitFor(
    async () => {
      for (const id of ids) {
        if (done.has(id)) continue;
        const job = await getJob(id).catch(() => undefined);
        if (job && isTerminalStatus(job.status)) done.set(id, job);
      }
      const missing = ids.filter((id) => !done.has(id));
      expect(missing, `jobs still not terminal after ${timeoutMs} ms`).toEqual([]);
    },
    { timeout: timeoutMs, interval: 250 },
  );
  return ids.map((id) => done.get(id)!);
}

/** The drill's invariants: each job ends in the status it should, and GitHub saw exactly one dispatch per job. */
export function expectEndedRight(jobs: Job[], expected: Map<string, JobStatus>, sandbox: GithubSandbox): void {
  expect(Object.fromEntries(jobs.map((j) => [j.id, j.status]))).toEqual(Object.fromEntries(expected));
  const dispatches = new Map<string, number>();
  for (const d of sandbox.dispatches) dispatches.set(d.inputs.job_id ?? '', (dispatches.get(d.inputs.job_id ?? '') ?? 0) + 1);
  expect(Object.fromEntries([...expected.keys()].map((id) => [id, dispatches.get(id) ?? 0]))).toEqual(
    Object.fromEntries([...expected.keys()].map((id) => [id, 1])),
  );
}
