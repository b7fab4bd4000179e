import { describe, expect, it } from 'vitest';
import { carriedJob, createPendingJob, resumedJob, type JobWorkflowInput } from '../../src/domain/job.ts';
import { utf8ByteLength } from '../../src/domain/job-input-limits.ts';
import { carriedBytes, firstThatFits } from '../../src/workflows/continue-as-new-size.ts';

const input: JobWorkflowInput = {
  id: '0b7a3e52-7c3f-4f3e-9f3b-2a8e0c1d2e3f',
  jobAgentConfig: { installationId: 1, owner: 'acme', repo: 'deploy', workflowId: 3 },
  deployment: { name: 'api' },
  environment: { name: 'prod' },
  resource: { identifier: 'cluster-1' },
  version: { tag: 'v1' },
  variables: { notes: 'v'.repeat(100_000) },
  createdAt: '2026-01-01T00:00:00Z',
  ctrlplane: { workspaceId: 'w', agentId: 'a' },
};

describe('what a job carries into continue-as-new', () => {
  it('carries the input once: the job without what the input holds, rebuilt whole on resume', () => {
    const job = { ...createPendingJob(input), status: 'in_progress' as const, message: 'running', run: { id: 7 }, links: { run: 'https://x' } };
    job.ctrlplane = { ...input.ctrlplane!, reportedStatus: 'inProgress' } as typeof job.ctrlplane;
    const carried = carriedJob(job, input);
    expect(carriedBytes(carried)).toBeLessThan(1_000);
    expect(carried).not.toHaveProperty('variables');
    expect(resumedJob(input, carried)).toEqual(job);
    // A carried job that holds everything reads back unchanged.
    expect(resumedJob(input, job)).toEqual(job);
  });

  it('counts bytes as UTF-8', () => {
    expect(utf8ByteLength('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(carriedBytes({ a: 'é' })).toBe(Buffer.byteLength(JSON.stringify({ a: 'é' })));
  });

  it('takes the fullest carry that fits, the lean one past the limit, none when neither fits', () => {
    const full = { input, state: { deliveryDigests: Array.from({ length: 200 }, () => '0123456789abcdef') } };
    const lean = { input, state: { deliveryDigests: [] } };
    const size = carriedBytes(lean);
    expect(firstThatFits([() => full, () => lean], size + 10_000).choice).toBe(0);
    expect(firstThatFits([() => full, () => lean], size)).toMatchObject({ args: lean, choice: 1 });
    expect(firstThatFits([() => full, () => lean], size - 1)).toEqual({ bytes: [carriedBytes(full), size] });
  });
});
