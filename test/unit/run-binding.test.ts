import { describe, expect, it } from 'vitest';
import { createPendingJob } from '../../src/domain/job.ts';
import type { WorkflowRunEvent } from '../../src/contract/workflow-contract.ts';
import { JobState } from '../../src/workflows/job-state.ts';
import { foreignRunReason, type RunBinding } from '../../src/workflows/run-binding.ts';

const JOB_ID = '0b7a3e52-7c3f-4f3e-9f3b-2a8e0c1d2e3f';
const binding: RunBinding = { installationId: 42, owner: 'acme', repo: 'deploy', workflowId: 'deploy.yml', notBefore: '2026-01-01T00:10:00Z' };

let deliveries = 0;
/** A genuine event of the job's run: its repository, installation and workflow, dispatched after the job. */
function genuine(overrides: Partial<WorkflowRunEvent> = {}): WorkflowRunEvent {
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
    workflowPath: '.github/workflows/deploy.yml',
    createdAt: '2026-01-01T00:10:02Z',
    ...overrides,
  };
}

function boundState() {
  const state = new JobState(
    createPendingJob({
      id: JOB_ID,
      jobAgentConfig: {},
      deployment: { name: 'api' },
      environment: { name: 'prod' },
      resource: { identifier: 'c1' },
      version: { tag: 'v1' },
      variables: {},
      createdAt: '2026-01-01T00:00:00Z',
    }),
  );
  state.bind(binding);
  return state;
}

describe('events bound to their job', () => {
  it('accepts only the job repository, installation, workflow_dispatch runs of its workflow created after the dispatch', () => {
    expect(foreignRunReason(genuine(), binding)).toBeUndefined();
    expect(foreignRunReason(genuine({ repository: 'ACME/Deploy' }), binding)).toBeUndefined();
    expect(foreignRunReason(genuine({ repository: 'evil/other' }), binding)).toBe('repository evil/other is not acme/deploy');
    expect(foreignRunReason(genuine({ repository: undefined }), binding)).toMatch(/repository \(none\)/);
    expect(foreignRunReason(genuine({ installationId: 43 }), binding)).toBe('installation 43 is not 42');
    expect(foreignRunReason(genuine({ triggerEvent: 'push' }), binding)).toBe('run started by push, not workflow_dispatch');
    expect(foreignRunReason(genuine({ workflowPath: '.github/workflows/other-deploy.yml' }), binding)).toMatch(/workflow .* is not deploy.yml/);
    expect(foreignRunReason(genuine({ workflowId: 9001 }), { ...binding, workflowId: 9001 })).toBeUndefined();
    expect(foreignRunReason(genuine({ workflowId: 9002 }), { ...binding, workflowId: 9001 })).toMatch(/is not 9001/);
    // Within the clock-skew margin (5 minutes) a run may look older than the dispatch; beyond it, it is not ours.
    expect(foreignRunReason(genuine({ createdAt: '2026-01-01T00:06:00Z' }), binding)).toBeUndefined();
    expect(foreignRunReason(genuine({ createdAt: '2026-01-01T00:04:00Z' }), binding)).toMatch(/before the dispatch/);
    expect(foreignRunReason(genuine({ createdAt: undefined }), binding)).toMatch(/before the dispatch/);
  });

  it('never lets an event from another repository touch the job, whatever its title', () => {
    const state = boundState();
    state.attachRun({ runId: 77 });
    expect(state.applyRunEvent(genuine({ repository: 'evil/other', runId: 99, action: 'completed', status: 'completed', conclusion: 'success' }))).toBe(
      'foreign-run',
    );
    expect(state.job.status).toBe('pending');
    expect(state.job.run?.id).toBe(77);
  });

  it('holds events that arrive before the run is known, and applies only those of the confirmed run', () => {
    const state = boundState();
    expect(state.applyRunEvent(genuine({ runId: 99, action: 'completed', status: 'completed', conclusion: 'success' }))).toBe('unconfirmed');
    expect(state.applyRunEvent(genuine({ runId: 77 }))).toBe('unconfirmed');
    expect(state.job.status).toBe('pending');
    expect(state.heldArrivals).toBe(2);
    state.attachRun({ runId: 77 });
    state.releaseHeld();
    expect(state.job.status).toBe('in_progress');
    expect(state.job.run?.id).toBe(77);
    // The held event of run 99 was dropped, not applied later.
    state.releaseHeld();
    expect(state.job.status).toBe('in_progress');
  });

  it('holds at most 20 events, so a flood costs at most 20 lookups', () => {
    const state = boundState();
    for (let i = 0; i < 100; i++) state.applyRunEvent(genuine({ runId: 1000 + i }));
    expect(state.heldArrivals).toBe(20);
  });
});
