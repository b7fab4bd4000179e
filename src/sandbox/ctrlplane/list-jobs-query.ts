import { CTRLPLANE_JOB_STATUSES, type CtrlplaneJobStatus } from '../../ctrlplane/ctrlplane-job.ts';
import { CtrlplaneError } from './ctrlplane-error.ts';
import { isCtrlplaneJobStatus } from './ctrlplane-store.ts';

export interface ListJobsQuery {
  status?: CtrlplaneJobStatus;
  includeDispatchContext: boolean;
  limit: number;
  offset: number;
}

const KNOWN = new Set(['status', 'includeDispatchContext', 'limit', 'offset']);
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/**
 * Validates `GET …/job-agents/{agentId}/jobs`'s query strictly, as Ctrlplane's schema does: an unknown
 * parameter, a repeated one or a malformed value is a 400 rather than something quietly ignored, so an
 * agent that sends one finds out here and not in production.
 */
export function parseListJobsQuery(query: URLSearchParams): ListJobsQuery {
  const problems: string[] = [];
  const names = [...new Set(query.keys())];
  for (const name of names) {
    if (!KNOWN.has(name)) problems.push(`unknown query parameter: ${name}`);
    else if (query.getAll(name).length > 1) problems.push(`${name} given more than once`);
  }
  const status = query.get('status');
  if (status !== null && !isCtrlplaneJobStatus(status)) problems.push(`status must be one of ${CTRLPLANE_JOB_STATUSES.join(', ')}`);
  const include = query.get('includeDispatchContext');
  if (include !== null && include !== 'true' && include !== 'false') problems.push('includeDispatchContext must be true or false');
  const limit = integer(query.get('limit'), DEFAULT_LIMIT);
  if (limit === undefined || limit < 1 || limit > MAX_LIMIT) problems.push(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const offset = integer(query.get('offset'), 0);
  if (offset === undefined) problems.push('offset must be an integer of 0 or more');
  if (problems.length > 0) throw new CtrlplaneError(400, 'Invalid query parameters', problems);
  return {
    ...(status !== null ? { status: status as CtrlplaneJobStatus } : {}),
    includeDispatchContext: include === 'true',
    limit: limit as number,
    offset: offset as number,
  };
}

/** A non-negative decimal integer, the default when absent, `undefined` when malformed. */
function integer(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}
