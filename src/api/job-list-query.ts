import { createHash } from 'node:crypto';
import { quoteVisibilityValue } from '../client/visibility-query.ts';
import { searchAttributes } from '../contract/search-attributes.ts';
import { JOB_WORKFLOW_TYPE } from '../contract/workflow-contract.ts';
import type { JobStatus } from '../domain/job-status.ts';

export interface JobListFilters {
  status?: JobStatus[];
  deployment?: string;
  environment?: string;
  resource?: string;
}

/**
 * The Temporal visibility query for `GET /api/v1/jobs`: this agent's job workflows (its task queue, so agents
 * sharing a namespace do not see each other's jobs) narrowed by the custom search attributes (docs/inspecting-jobs.md).
 */
export function buildJobListQuery(filters: JobListFilters, taskQueue: string): string {
  // A job that continued as new has one row per run; only its latest run (running or closed) stands for it.
  const clauses = [
    `WorkflowType = ${quoteVisibilityValue(JOB_WORKFLOW_TYPE)}`,
    `TaskQueue = ${quoteVisibilityValue(taskQueue)}`,
    `ExecutionStatus != 'ContinuedAsNew'`,
  ];
  if (filters.status?.length) {
    clauses.push(`${searchAttributes.status.name} IN (${filters.status.map(quoteVisibilityValue).join(', ')})`);
  }
  if (filters.deployment) clauses.push(`${searchAttributes.deployment.name} = ${quoteVisibilityValue(filters.deployment)}`);
  if (filters.environment) clauses.push(`${searchAttributes.environment.name} = ${quoteVisibilityValue(filters.environment)}`);
  if (filters.resource) clauses.push(`${searchAttributes.resource.name} = ${quoteVisibilityValue(filters.resource)}`);
  // No ORDER BY: SQL visibility stores reject it; their default order is newest first.
  return clauses.join(' AND ');
}

const CURSOR_VERSION = 1;
const queryTag = (query: string) => createHash('sha256').update(query).digest('base64url').slice(0, 16);

/**
 * The `nextCursor` handed out: Temporal's page token wrapped with a tag of the query it belongs to, so a cursor
 * that is garbled or reused with other filters is refused at once (400) rather than sent to Temporal.
 */
export function encodeCursor(pageToken: Uint8Array, query: string): string {
  const envelope = { v: CURSOR_VERSION, q: queryTag(query), t: Buffer.from(pageToken).toString('base64url') };
  return Buffer.from(JSON.stringify(envelope)).toString('base64url');
}

/** Temporal's page token inside a cursor, or undefined when the cursor is not one we issued for this query. */
export function decodeCursor(cursor: string, query: string): Buffer | undefined {
  try {
    const envelope = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; q?: unknown; t?: unknown };
    if (envelope.v !== CURSOR_VERSION || envelope.q !== queryTag(query) || typeof envelope.t !== 'string' || envelope.t === '') return undefined;
    return Buffer.from(envelope.t, 'base64url');
  } catch {
    return undefined;
  }
}
