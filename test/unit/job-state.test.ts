import { describe, expect, it } from 'vitest';
import { createPendingJob, type Job } from '../../src/domain/job.ts';
import type { WorkflowRunEvent } from '../../src/contract/workflow-contract.ts';
import { JobState, REMEMBERED_DELIVERIES } from '../../src/workflows/job-state.ts';
import type { RunBinding } from '../../src/workflows/run-binding.ts';

const binding: RunBinding = { installationId: 42, owner: 'acme', repo: 'deploy', workflowId: 9001, notBefore: '2026-01-01T00:00:00Z' };

/** A job dispatched to `binding` whose run, 77, the dispatch answer named: its events apply as they arrive. */
function newState(onChange?: (job: Job) => void) {
  const state = new JobState(
    createPendingJob({
      id: '0b7a3e52-7c3f-4f3e-9f3b-2a8e0c1d2e3f',
      jobAgentConfig: {},
      deployment: { name: 'api' },
      environment: { name: 'prod' },
      resource: { identifier: 'cluster-1' },
      version: { tag: 'v1' },
      variables: {},
      createdAt: '2026-01-01T00:00:00Z',
    }),
    onChange,
  );
  state.bind(binding);
  state.attachRun({ runId: 77 });
  return state;
}

let deliveries = 0;
function event(overrides: Partial<WorkflowRunEvent>): WorkflowRunEvent {
  return {
    deliveryId: `d-${++deliveries}`,
    action: 'in_progress',
    runId: 77,
    status: 'in_progress',
    conclusion: null,
    repository: 'acme/deploy',
    installationId: 42,
    triggerEvent: 'workflow_dispatch',
    workflowId: 9001,
    createdAt: '2026-01-01T00:00:02Z',
    ...overrides,
  };
}

describe('JobState', () => {
  it('applies a delivery once: the same delivery ID again is a duplicate', () => {
    const state = newState();
    const first = event({ updatedAt: '2026-01-01T00:00:01Z' });
    expect(state.applyRunEvent(first)).toBeUndefined();
    expect(state.applyRunEvent({ ...first })).toBe('duplicate-delivery');
    expect(state.observations).toBe(1);
  });

  it('remembers delivery IDs in a fixed size whatever their length: what it carries stays small', () => {
    const state = newState();
    for (let i = 0; i < 2 * REMEMBERED_DELIVERIES; i++) state.applyRunEvent(event({ deliveryId: `${i}-`.padEnd(15_000, 'x') }));
    const carried = state.carry();
    expect(carried.deliveryDigests).toHaveLength(REMEMBERED_DELIVERIES);
    expect(JSON.stringify(carried).length).toBeLessThan(5_000);
    // The last ones are still recognised as repeats, in this run and the next.
    const last = event({ deliveryId: `${2 * REMEMBERED_DELIVERIES - 1}-`.padEnd(15_000, 'x') });
    expect(state.applyRunEvent(last)).toBe('duplicate-delivery');
    const next = new JobState(state.job, undefined, carried);
    expect(next.applyRunEvent(last)).toBe('duplicate-delivery');
  });

  it('ignores a completed event that arrives after the job already failed', () => {
    const state = newState();
    state.finish('failure', 'GitHub run concluded failure');
    expect(state.applyRunEvent(event({ action: 'completed', status: 'completed', conclusion: 'success' }))).toBe('job-terminal');
    expect(state.job.status).toBe('failure');
  });

  it('never moves back from in_progress when a late requested event arrives', () => {
    const state = newState();
    state.applyRunEvent(event({ updatedAt: '2026-01-01T00:00:05Z' }));
    expect(state.applyRunEvent(event({ action: 'requested', status: 'queued', updatedAt: '2026-01-01T00:00:01Z' }))).toBe('stale');
    expect(state.job.status).toBe('in_progress');
  });

  it('ends right when events arrive in reverse order', () => {
    const state = newState();
    state.applyRunEvent(event({ action: 'completed', status: 'completed', conclusion: 'success', updatedAt: '2026-01-01T00:00:09Z' }));
    state.applyRunEvent(event({ action: 'in_progress', status: 'in_progress', updatedAt: '2026-01-01T00:00:05Z' }));
    state.applyRunEvent(event({ action: 'requested', status: 'queued', updatedAt: '2026-01-01T00:00:01Z' }));
    expect(state.job.status).toBe('successful');
    expect(state.job.completedAt).toBeDefined();
  });

  it('does not take an older event of the same rank over a newer one', () => {
    const state = newState();
    state.applyRunEvent(event({ status: 'in_progress', updatedAt: '2026-01-01T00:00:05Z' }));
    expect(state.applyRunEvent(event({ status: 'queued', updatedAt: '2026-01-01T00:00:02Z' }))).toBe('stale');
    expect(state.job.run?.status).toBe('in_progress');
  });

  it('ignores events of another run once the job has its run', () => {
    const state = newState();
    expect(state.applyRunEvent(event({ runId: 2, conclusion: 'success', status: 'completed' }))).toBe('other-run');
    expect(state.job.status).toBe('pending');
  });

  it('does not end the job on a completed event without a conclusion', () => {
    const state = newState();
    expect(state.applyRunEvent(event({ action: 'completed', status: 'completed', conclusion: null }))).toBe('no-status');
    expect(state.job.status).toBe('pending');
  });

  it("records externalId and the links from the run's first event", () => {
    const state = newState();
    state.applyRunEvent(event({ htmlUrl: 'https://github.com/o/r/actions/runs/77', workflowUrl: 'https://github.com/o/r/actions/workflows/deploy.yml' }));
    expect(state.job.externalId).toBe('77');
    expect(state.job.links).toEqual({ run: 'https://github.com/o/r/actions/runs/77', workflow: 'https://github.com/o/r/actions/workflows/deploy.yml' });
    expect(state.job.startedAt).toBeDefined();
  });

  it('refuses a manual change on a terminal job and a move back to pending', () => {
    const state = newState();
    state.transition('in_progress');
    expect(state.checkManualChange({ status: 'pending' })).toMatch(/cannot go back/);
    expect(state.checkManualChange({ status: 'successful' })).toBeUndefined();
    state.applyManualChange({ status: 'successful', externalId: 'abc' });
    expect(state.job.externalId).toBe('abc');
    expect(state.checkManualChange({ status: 'failure' })).toMatch(/already successful/);
  });

  it('reports every status change to its listener', () => {
    const seen: string[] = [];
    const state = newState((job) => seen.push(job.status));
    state.applyRunEvent(event({}));
    state.applyRunEvent(event({ status: 'completed', conclusion: 'failure', updatedAt: '2026-01-01T00:01:00Z' }));
    expect(seen.at(-1)).toBe('failure');
    expect(seen).toContain('in_progress');
  });
});
