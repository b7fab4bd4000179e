import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

const EventType = proto.temporal.api.enums.v1.EventType;

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack();
});
afterAll(async () => {
  await env?.stop();
});

/** The job's own search-attribute upserts, in order (the SDK's TemporalChangeVersion upserts for patches left out). */
async function ownUpserts(jobId: string): Promise<string[][]> {
  const history = await env.stack.client.workflow.getHandle(`job-${jobId}`).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort())
    .filter((keys) => !keys.includes('TemporalChangeVersion'));
}

describe('search attributes of a job (each upsert is a billable action and a visibility write)', () => {
  it('starts with status and repository, then upserts once per real change: the run, in progress, successful', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } });
    await env.waitForStatus(job.id, 'successful');
    const description = await env.stack.client.workflow.getHandle(`job-${job.id}`).describe();
    expect(description.searchAttributes).toMatchObject({ GithubRepository: [`${OWNER}/${REPO}`], CtrlplaneJobStatus: ['successful'] });
    // Before: a fourth upsert first, setting pending and the repository the start could already have set.
    expect(await ownUpserts(job.id)).toHaveLength(3);
  });
});
