import { patched } from '@temporalio/workflow';

/** The workflow's patches (docs/architecture.md, "Changing the workflow"): each chooses a new path over an old one. */
export type JobPatch =
  | 'upsert-changed-search-attributes-only'
  | 'bind-run-events-to-job'
  | 'continue-as-new-when-history-grows'
  | 'refuse-no-value'
  | 'dispatch-answer-before-cancel'
  | 'poll-with-backoff'
  | 'one-quiet-timer-while-events-arrive'
  | 'one-upsert-per-workflow-task'
  | 'continue-as-new-once-handlers-finish';

/**
 * Recorded by every job started since the patches above were folded together: such a job takes all their new paths
 * without asking each one. Asking records a marker, and the SDK upserts `TemporalChangeVersion` with it: two history
 * events and a visibility write per patch, eight for a quick job before this, two now. A patch added after this one
 * is asked on its own (`patched()`), or folded into a new baseline that replaces this one in `jobPatches`.
 */
const BASELINE = 'job-patches-baseline-2026-12';

/**
 * Patches added after the baseline, each asked on its own with `patched()` in every job (a job started before one
 * holds no marker of it, whatever its baseline). Ask one only where its old and new paths differ, so other jobs
 * record nothing.
 * - `read-config-as-ctrlplane`: a numeric `organizationId` is looked up, a `ref` that is not text is DEFAULT_REF.
 * - `look-up-within-budget`: a waiting job looks its run up with `lookUpWorkflowRun` (shared listings, the
 *   installation's request budget) rather than `getWorkflowRun` / `findWorkflowRun`.
 */
export type LaterJobPatch = 'read-config-as-ctrlplane' | 'look-up-within-budget';

export function laterPatched(patch: LaterJobPatch): boolean {
  return patched(patch);
}

/**
 * Which path a patch takes in this job. Asks the baseline once, when the workflow starts (so in a replay of a job
 * started before it, before any new code runs); such jobs, which have no baseline marker, ask each patch as they did.
 */
export function jobPatches(): (patch: JobPatch) => boolean {
  const baseline = patched(BASELINE);
  return (patch) => baseline || patched(patch);
}
