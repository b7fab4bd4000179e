import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DRILL_PATCH_ID, NEXT_RELEASE_ANCHOR, withNextReleaseChange } from '../../drill/support/next-release-change.ts';

// The rolling-deploy drill builds its next release by changing the built job workflow after this statement; tsc keeps
// it as written, so the source shows whether the drill still applies.
describe("the rolling-deploy drill's next release", () => {
  it('puts its patched() change at the start of jobWorkflow', async () => {
    const source = await readFile(new URL('../../src/workflows/job-workflow.ts', import.meta.url), 'utf8');
    const changed = withNextReleaseChange(source);
    const workflow = changed.slice(changed.indexOf('export async function jobWorkflow('));
    const body = workflow.slice(0, workflow.indexOf('\n}\n'));
    expect(body).toContain(`${NEXT_RELEASE_ANCHOR}\n    if (drillPatched('${DRILL_PATCH_ID}')) drillUpsertMemo({ release: 'next' });`);
  });

  it('refuses code without the anchor rather than deploy an unchanged release', () => {
    expect(() => withNextReleaseChange('export async function jobWorkflow() {}')).toThrow(/no longer applies/);
  });
});
