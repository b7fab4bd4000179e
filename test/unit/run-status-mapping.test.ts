import { describe, expect, it } from 'vitest';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { parseWorkflowRunDelivery } from '../../src/api/workflow-run-event.ts';
import { isTerminalStatus } from '../../src/domain/job-status.ts';
import { mapRunToJobStatus } from '../../src/domain/run-status-mapping.ts';

describe('mapRunToJobStatus', () => {
  it.each([
    ['success', 'successful'],
    ['failure', 'failure'],
    ['cancelled', 'cancelled'],
    ['action_required', 'action_required'],
    ['skipped', 'skipped'],
    ['neutral', 'skipped'],
    ['timed_out', 'failure'],
    ['startup_failure', 'failure'],
    ['stale', 'failure'],
  ])('lets conclusion %s decide: %s', (conclusion, status) => {
    expect(mapRunToJobStatus({ status: 'completed', conclusion })).toBe(status);
    // The conclusion decides even when the status field says something else (GitHub sends such events).
    expect(mapRunToJobStatus({ status: 'queued', conclusion })).toBe(status);
  });

  it.each(['queued', 'requested', 'waiting', 'pending', 'in_progress'])('maps active status %s to in_progress', (status) => {
    expect(mapRunToJobStatus({ status, conclusion: null })).toBe('in_progress');
  });

  it('does not treat completed without a conclusion as a completion', () => {
    expect(mapRunToJobStatus({ status: 'completed', conclusion: null })).toBeUndefined();
  });
});

describe("every workflow_run example in GitHub's webhook examples", () => {
  const workflowRunExamples = (examples as Array<{ name: string; examples: unknown[] }>).find((e) => e.name === 'workflow_run')!.examples as Array<{
    action: string;
    workflow_run: { status: string; conclusion: string | null };
  }>;

  it('has examples to check', () => {
    expect(workflowRunExamples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(workflowRunExamples.map((example, index) => [index, example.action, example] as const))(
    'example %i (%s) maps to a status consistent with its conclusion',
    (_index, _action, example) => {
      const parsed = parseWorkflowRunDelivery(example, 'delivery-1');
      expect(parsed).toBeDefined();
      const status = mapRunToJobStatus(parsed!.event);
      const { status: runStatus, conclusion } = example.workflow_run;
      if (conclusion) {
        expect(status).toBeDefined();
        expect(status).not.toBe('in_progress');
      } else if (runStatus === 'completed') {
        expect(status).toBeUndefined();
      } else {
        // `action: completed` with `status: queued` and no conclusion is not the end of the run.
        expect(status).toBe('in_progress');
        expect(isTerminalStatus(status!)).toBe(false);
      }
    },
  );
});

describe('job IDs named in a run', () => {
  it('are tried as written, then in lower case (a job created with an upper-case ID keeps it)', () => {
    const upper = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
    const parsed = parseWorkflowRunDelivery({ action: 'requested', workflow_run: { id: 1, display_title: `Deploy ${upper}`, name: 'Deploy' } }, 'd');
    expect(parsed?.candidateJobIds).toEqual([upper, upper.toLowerCase()]);
    const lower = upper.toLowerCase();
    expect(parseWorkflowRunDelivery({ workflow_run: { id: 2, display_title: `Deploy ${lower}` } }, 'd')?.candidateJobIds).toEqual([lower]);
  });
});
