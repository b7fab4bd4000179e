/** The patch ID of the drill's next release: new jobs record it, jobs started before the deploy never do. */
export const DRILL_PATCH_ID = 'drill-rolling-deploy';

/** The statement of `jobWorkflow` the change goes after: the same text in src/ and in the built dist/. */
export const NEXT_RELEASE_ANCHOR = 'const timeouts = { ...DEFAULT_JOB_TIMEOUTS, ...timeoutOverrides };';

/**
 * The built job-workflow module with the next release's one change: behind `patched()`, a memo saying which release
 * ran the job. Throws when the anchor is gone, so the drill never deploys an unchanged "next" release.
 */
export function withNextReleaseChange(source: string): string {
  if (!source.includes(NEXT_RELEASE_ANCHOR)) {
    throw new Error(`the drill's code change no longer applies: "${NEXT_RELEASE_ANCHOR}" is not in the job workflow's code`);
  }
  return (
    `import { patched as drillPatched, upsertMemo as drillUpsertMemo } from '@temporalio/workflow';\n` +
    source.replace(NEXT_RELEASE_ANCHOR, `${NEXT_RELEASE_ANCHOR}\n    if (drillPatched('${DRILL_PATCH_ID}')) drillUpsertMemo({ release: 'next' });`)
  );
}
