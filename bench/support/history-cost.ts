import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const EventType = proto.temporal.api.enums.v1.EventType;

/** What one job cost Temporal, from its workflow's history (every run, when it continued as new). */
export interface HistoryCost {
  runs: number;
  events: number;
  workflowTasks: number;
  /**
   * Billable actions as Temporal Cloud counts them from history (docs.temporal.io/cloud/actions): each run's start,
   * each activity attempt, timer, signal received, accepted update, search-attribute upsert and signal or child
   * started by the workflow. Queries and heartbeats are billed too but leave no event; patch markers and the SDK's
   * TemporalChangeVersion upserts that go with them are not billed.
   */
  billableActions: number;
  /** Visibility records written: each run's start and close, and each search-attribute upsert. */
  visibilityWrites: number;
  byType: Record<string, number>;
  /** Each search-attribute upsert's values, in order (for BENCH_COST_DETAIL). */
  upserts: string[];
}

/** The cost of the workflow `workflowId`, following its continue-as-new chain from the first run. */
export async function historyCost(client: Client, workflowId: string): Promise<HistoryCost> {
  const cost: HistoryCost = { runs: 0, events: 0, workflowTasks: 0, billableActions: 0, visibilityWrites: 0, byType: {}, upserts: [] };
  const runIds: string[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(execution.runId);
  for (const runId of runIds) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    cost.runs++;
    for (const event of history.events ?? []) {
      const type = event.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED;
      const name = EventType[type] ?? String(type);
      cost.byType[name] = (cost.byType[name] ?? 0) + 1;
      cost.events++;
      switch (type) {
        case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
          cost.workflowTasks++;
          break;
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
          cost.billableActions++;
          cost.visibilityWrites++;
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
          cost.billableActions += Math.max(1, event.activityTaskStartedEventAttributes?.attempt ?? 1);
          break;
        case EventType.EVENT_TYPE_TIMER_STARTED:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
          cost.billableActions++;
          break;
        case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
          cost.visibilityWrites++;
          const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
          // The SDK's own upsert of TemporalChangeVersion (one per patch a job records) is exempt from billing.
          if (Object.keys(fields).some((key) => key !== 'TemporalChangeVersion')) cost.billableActions++;
          cost.upserts.push(
            Object.entries(fields)
              .map(([key, payload]) => `${key}=${Buffer.from(payload.data ?? []).toString('utf8')}`)
              .join(' '),
          );
          break;
        }
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
          cost.visibilityWrites++;
          break;
      }
    }
  }
  return cost;
}
