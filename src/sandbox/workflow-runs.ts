import { randomInt } from 'node:crypto';
import type { RunRecord, SandboxRepo, SandboxWorkflow } from './github-objects.ts';
import type { WorkflowRunAction } from './webhook-payloads.ts';

/** Conclusions GitHub reports for a completed workflow run. */
export const RUN_CONCLUSIONS = ['success', 'failure', 'cancelled', 'skipped', 'neutral', 'timed_out', 'action_required', 'startup_failure', 'stale'] as const;
export type RunConclusion = (typeof RUN_CONCLUSIONS)[number];

export interface StartRunParams {
  repo: SandboxRepo;
  workflow: SandboxWorkflow;
  headBranch: string;
  headSha: string;
  displayTitle: string;
  installationId: number;
  conclusion: RunConclusion;
  stepDelayMs: number;
  /** Stay `in_progress` until `complete` or `cancel`. */
  hold: boolean;
}

/** Called on every status change; resolves once the matching delivery has been attempted. */
export type TransitionListener = (action: WorkflowRunAction, run: RunRecord, installationId: number) => Promise<void>;

interface RunEntry {
  record: RunRecord;
  installationId: number;
  timer?: NodeJS.Timeout;
}

/**
 * Workflow runs and their state machine: `queued` (delivery `requested`) → `in_progress` →
 * `completed`, one step per `stepDelayMs`, or held in progress until completed or cancelled.
 */
export class WorkflowRuns {
  private readonly runs = new Map<number, RunEntry>();
  private readonly runNumbers = new Map<string, number>();
  // Ids start at a random point near today's GitHub run ids, so runs of an earlier sandbox (say,
  // a previous `npm run dev`) are never mistaken for this one's.
  private nextId = 18_000_000_000 + randomInt(0, 1_000_000) * 1_000;
  private nextCheckSuiteId = 40_000_000_000 + randomInt(0, 1_000_000) * 1_000;
  private closed = false;

  constructor(private readonly onTransition: TransitionListener) {}

  start(params: StartRunParams, nowMs = Date.now()): RunRecord {
    const key = `${params.repo.fullName}#${params.workflow.id}`;
    const runNumber = (this.runNumbers.get(key) ?? 0) + 1;
    this.runNumbers.set(key, runNumber);
    const record: RunRecord = {
      id: this.nextId++,
      repo: params.repo,
      workflow: params.workflow,
      runNumber,
      checkSuiteId: this.nextCheckSuiteId++,
      headBranch: params.headBranch,
      headSha: params.headSha,
      displayTitle: params.displayTitle,
      status: 'queued',
      conclusion: null,
      createdAt: nowMs,
      updatedAt: nowMs,
      runStartedAt: nowMs,
    };
    const entry: RunEntry = { record, installationId: params.installationId };
    this.runs.set(record.id, entry);
    void this.emit('requested', entry);
    entry.timer = setTimeout(() => {
      void this.transition(entry, 'in_progress', null);
      if (params.hold) return;
      entry.timer = setTimeout(() => this.transition(entry, 'completed', params.conclusion), params.stepDelayMs);
    }, params.stepDelayMs);
    return record;
  }

  get(runId: number): RunRecord | undefined {
    return this.runs.get(runId)?.record;
  }

  /** Runs of a repository (optionally one workflow), newest first as GitHub lists them. */
  list(repo: SandboxRepo, workflowId?: number): RunRecord[] {
    const out: RunRecord[] = [];
    for (const { record } of this.runs.values()) {
      if (record.repo.fullName !== repo.fullName) continue;
      if (workflowId !== undefined && record.workflow.id !== workflowId) continue;
      out.push(record);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  }

  /** `false` when the run is already completed (GitHub answers 409 then). */
  cancel(runId: number): boolean {
    const entry = this.runs.get(runId);
    if (!entry || entry.record.status === 'completed') return false;
    void this.finish(entry, 'cancelled');
    return true;
  }

  /** Completes a run now; resolves once its `completed` delivery has been attempted. */
  async complete(runId: number, conclusion: RunConclusion): Promise<void> {
    const entry = this.runs.get(runId);
    if (!entry) throw new Error(`no workflow run ${runId}`);
    if (entry.record.status === 'completed') throw new Error(`workflow run ${runId} is already completed`);
    await this.finish(entry, conclusion);
  }

  /** Stops every pending step; runs stay as they are. */
  close(): void {
    this.closed = true;
    for (const entry of this.runs.values()) clearTimeout(entry.timer);
  }

  private finish(entry: RunEntry, conclusion: RunConclusion): Promise<void> {
    clearTimeout(entry.timer);
    return this.transition(entry, 'completed', conclusion);
  }

  private transition(entry: RunEntry, status: 'in_progress' | 'completed', conclusion: RunConclusion | null): Promise<void> {
    if (this.closed) return Promise.resolve();
    entry.record.status = status;
    entry.record.conclusion = conclusion;
    entry.record.updatedAt = Math.max(Date.now(), entry.record.updatedAt);
    return this.emit(status, entry);
  }

  private emit(action: WorkflowRunAction, entry: RunEntry): Promise<void> {
    return this.onTransition(action, structuredClone(entry.record), entry.installationId);
  }
}
