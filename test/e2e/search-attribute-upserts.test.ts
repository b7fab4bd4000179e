import proto from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

const EventType = proto.temporal.api.enums.v1.EventType;

let env: E2eStack;
beforeAll(async () => {
  // A quiet period longer than any test here: the only timer a job starts is the one its wait sets, never a poll's.
  env = await startE2eStack({ jobTimeouts: { quietPeriod: '10 minutes' } });
});
afterEach(() => {
  env.relay.setMode({});
});
afterAll(async () => {
  await env?.stop();
});

const isSignal = (event: { eventType?: unknown }) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;

async function historyEvents(jobId: string) {
  return (await env.stack.client.workflow.getHandle(`job-${jobId}`).fetchHistory()).events ?? [];
}

/**
 * Runs a job whose run's three webhooks (requested, in_progress, completed) reach the workflow one at a time, each in
 * a workflow task of its own after the wait for the run has set its timer: the relay holds them, and each is let
 * through once the workflow has completed a task after the one before. Left to arrive on their own, all three can
 * reach the workflow with the dispatch's answer, before the wait starts.
 */
async function runWithSeparateWebhooks(): Promise<string> {
  env.relay.setMode({ hold: true });
  const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } });
  await vi.waitFor(
    async () => {
      const started = (await historyEvents(job.id)).some((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      if (!started || env.relay.held.length < 3) throw new Error(`wait not started (${started}) or not all 3 webhooks held (${env.relay.held.length})`);
    },
    { timeout: 30_000, interval: 50 },
  );
  expect(env.relay.held.map((delivery) => delivery.action)).toEqual(['requested', 'in_progress', 'completed']);
  const signalsBefore = (await historyEvents(job.id)).filter(isSignal).length;
  for (let sent = 1; sent <= 3; sent++) {
    const delivery = await env.relay.releaseNext();
    expect(delivery.status).toBe(200);
    // Handled: a workflow task started after the webhook's signal, and completed.
    await vi.waitFor(
      async () => {
        const events = await historyEvents(job.id);
        const signal = events.filter(isSignal)[signalsBefore + sent - 1];
        const after = (type: number, eventId: unknown) => events.find((event) => event.eventType === type && Number(event.eventId) > Number(eventId));
        const taskStarted = signal && after(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, signal.eventId);
        if (!taskStarted || !after(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, taskStarted.eventId)) {
          throw new Error(`webhook ${sent} (${delivery.action}) not yet handled in a workflow task`);
        }
      },
      { timeout: 30_000, interval: 50 },
    );
  }
  await env.waitForStatus(job.id, 'successful');
  return job.id;
}

/** The job's own search-attribute upserts, in order (the SDK's TemporalChangeVersion upserts, one per patch, left out). */
async function ownUpserts(jobId: string): Promise<string[][]> {
  const history = await env.stack.client.workflow.getHandle(`job-${jobId}`).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort())
    .filter((keys) => !keys.includes('TemporalChangeVersion'));
}

describe('search attributes of a job (each upsert is a billable action and a visibility write)', () => {
  it('starts with status and repository, then upserts only when a value changes: the run in progress, successful', async () => {
    const jobId = await runWithSeparateWebhooks();
    const description = await env.stack.client.workflow.getHandle(`job-${jobId}`).describe();
    expect(description.searchAttributes).toMatchObject({ GithubRepository: [`${OWNER}/${REPO}`], CtrlplaneJobStatus: ['successful'] });
    // Pending and the repository were set by the start; the dispatch's answer names the run, queued, so in_progress:
    // one upsert. The requested and in_progress webhooks change no value (none); completed makes the second.
    expect(await ownUpserts(jobId)).toEqual([
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
    const jobId = await runWithSeparateWebhooks();
    const events = await historyEvents(jobId);
    const count = (type: number) => events.filter((event) => event.eventType === type).length;
    // One timer for the quiet period, kept while the run's 3 events arrive, each in a workflow task of its own.
    expect({ started: count(EventType.EVENT_TYPE_TIMER_STARTED), cancelled: count(EventType.EVENT_TYPE_TIMER_CANCELED) }).toEqual({ started: 1, cancelled: 0 });
  });
});
