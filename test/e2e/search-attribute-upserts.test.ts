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

/** The job's own search-attribute upserts, in order (the SDK's TemporalChangeVersion upserts, one per patch, left out). */
async function ownUpserts(jobId: string): Promise<string[][]> {
  const history = await env.stack.client.workflow.getHandle(`job-${jobId}`).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort())
    .filter((keys) => !keys.includes('TemporalChangeVersion'));
}

describe('search attributes of a job (each upsert is a billable action and a visibility write)', () => {
  it('starts with status and repository, then upserts once per workflow task with a change: the run in progress, successful', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } });
    await env.waitForStatus(job.id, 'successful');
    const description = await env.stack.client.workflow.getHandle(`job-${job.id}`).describe();
    expect(description.searchAttributes).toMatchObject({ GithubRepository: [`${OWNER}/${REPO}`], CtrlplaneJobStatus: ['successful'] });
    // Pending and the repository were set by the start; the run and in_progress, known in one workflow task, make one.
    expect(await ownUpserts(job.id)).toEqual([
      ['CtrlplaneJobStatus', 'GithubRepository', 'GithubRunId'],
      ['CtrlplaneJobStatus', 'GithubRepository', 'GithubRunId'],
    ]);
  });

  it('records no patch marker and no TemporalChangeVersion upsert: the released workflow has no patch', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } });
    await env.waitForStatus(job.id, 'successful');
    const history = await env.stack.client.workflow.getHandle(`job-${job.id}`).fetchHistory();
    const events = history.events ?? [];
    const markers = events.filter((event) => event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED);
    const versionUpserts = events.filter((event) =>
      Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes('TemporalChangeVersion'),
    );
    expect({ markers: markers.length, versionUpserts: versionUpserts.length }).toEqual({ markers: 0, versionUpserts: 0 });
  });

  it('keeps one quiet-period timer while webhooks arrive, instead of cancelling and starting one per event', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } });
    await env.waitForStatus(job.id, 'successful');
    const history = await env.stack.client.workflow.getHandle(`job-${job.id}`).fetchHistory();
    const count = (type: number) => (history.events ?? []).filter((event) => event.eventType === type).length;
    // One timer for the quiet period, kept while the run's 3 events arrive.
    expect({ started: count(EventType.EVENT_TYPE_TIMER_STARTED), cancelled: count(EventType.EVENT_TYPE_TIMER_CANCELED) }).toEqual({ started: 1, cancelled: 0 });
  });
});
