import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runMatchesJob } from '../../src/activities/job-run-matcher.ts';
import { parseWorkflowRunDelivery } from '../../src/api/workflow-run-event.ts';
import { jobIdsInRunTitle, MAX_JOB_IDS_PER_RUN } from '../../src/domain/job-id.ts';

describe('job IDs in a run title', () => {
  it('takes the first MAX_JOB_IDS_PER_RUN distinct IDs, run-name first, and ignores the rest', () => {
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    expect(jobIdsInRunTitle([ids.join(' '), 'Deploy'])).toEqual(ids.slice(0, MAX_JOB_IDS_PER_RUN));
    const [a, b] = ids as [string, string];
    // One ID in two cases is one ID; the workflow's name comes after the run-name.
    expect(jobIdsInRunTitle([`Deploy ${a.toUpperCase()} ${a}`, `Deploy ${b}`])).toEqual([a.toUpperCase(), b]);
  });

  it('gives the webhook route at most two look-ups per ID (as written, lower case)', () => {
    const ids = Array.from({ length: 1_000 }, () => randomUUID().toUpperCase());
    const delivery = parseWorkflowRunDelivery({ workflow_run: { id: 1, display_title: ids.join(' '), name: 'Deploy' } }, 'd');
    expect(delivery?.candidateJobIds).toEqual(ids.slice(0, MAX_JOB_IDS_PER_RUN).flatMap((id) => [id, id.toLowerCase()]));
  });

  it('matches a run to a job as the route does: only among the first IDs of its title', () => {
    const job = randomUUID();
    expect(runMatchesJob({ display_title: `Deploy ${job.toUpperCase()}`, name: 'Deploy' }, job)).toBe(true);
    expect(runMatchesJob({ display_title: 'Deploy', name: `Deploy ${job}` }, job)).toBe(true);
    const others = Array.from({ length: MAX_JOB_IDS_PER_RUN }, () => randomUUID()).join(' ');
    expect(runMatchesJob({ display_title: `${others} ${job}`, name: 'Deploy' }, job)).toBe(false);
  });
});
