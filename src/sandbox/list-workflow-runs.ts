import type { RunRecord } from './github-objects.ts';
import { GithubError } from './github-error.ts';

const STATUSES = new Set(['queued', 'in_progress', 'completed', 'requested', 'waiting', 'pending']);
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RunPage {
  totalCount: number;
  runs: RunRecord[];
  /** RFC 8288 `Link` header value with GitHub's `prev`/`next`/`last`/`first` relations. */
  link?: string;
}

/**
 * Applies the query of `GET .../actions/runs` (`actor`, `branch`, `event`, `status`, `created`,
 * `head_sha`, `check_suite_id`, `per_page`, `page`) to runs that are already sorted newest first.
 * `created` follows GitHub's search date syntax and, like GitHub, compares whole seconds.
 */
export function listWorkflowRuns(runs: RunRecord[], query: URLSearchParams, actorLogin: string, pageUrl: URL, docsUrl: string): RunPage {
  const created = query.get('created');
  const inCreated = created ? parseCreated(created.replace(/ /g, '+'), docsUrl) : () => true;
  const status = query.get('status');
  const filtered = runs.filter((run) => {
    if (query.has('actor') && query.get('actor') !== actorLogin) return false;
    if (query.has('branch') && query.get('branch') !== run.headBranch) return false;
    if (query.has('event') && query.get('event') !== 'workflow_dispatch') return false;
    if (query.has('head_sha') && query.get('head_sha') !== run.headSha) return false;
    if (query.has('check_suite_id') && Number(query.get('check_suite_id')) !== run.checkSuiteId) return false;
    if (status) {
      if (STATUSES.has(status) ? run.status !== status : run.conclusion !== status) return false;
    }
    return inCreated(Math.floor(run.createdAt / 1000) * 1000);
  });

  const perPage = clamp(Number(query.get('per_page') ?? 30) || 30, 1, 100);
  const page = Math.max(1, Math.floor(Number(query.get('page') ?? 1) || 1));
  const lastPage = Math.max(1, Math.ceil(filtered.length / perPage));
  const pageRuns = filtered.slice((page - 1) * perPage, page * perPage);

  const links: string[] = [];
  const linkTo = (target: number, rel: string): void => {
    const url = new URL(pageUrl);
    url.searchParams.set('page', String(target));
    if (query.has('per_page')) url.searchParams.set('per_page', String(perPage));
    links.push(`<${url.toString()}>; rel="${rel}"`);
  };
  if (page > 1) linkTo(Math.min(page - 1, lastPage), 'prev');
  if (page < lastPage) linkTo(page + 1, 'next');
  if (page < lastPage) linkTo(lastPage, 'last');
  if (page > 1) linkTo(1, 'first');

  return { totalCount: filtered.length, runs: pageRuns, ...(links.length > 0 ? { link: links.join(', ') } : {}) };
}

type Range = { lo: number; hi: number };

/** `>=T`, `>T`, `<=T`, `<T`, `A..B` (`*` open), or a bare date/time; a date alone means that day. */
function parseCreated(value: string, docsUrl: string): (createdMs: number) => boolean {
  const range = (text: string): Range | undefined => {
    if (text === '*') return undefined;
    const parsed = Date.parse(text);
    if (Number.isNaN(parsed)) throw new GithubError(422, `Invalid value for created: ${value}`, docsUrl);
    const ms = Math.floor(parsed / 1000) * 1000;
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? { lo: ms, hi: ms + DAY_MS } : { lo: ms, hi: ms + 1000 };
  };
  const op = /^(>=|<=|>|<)(.+)$/.exec(value);
  if (op) {
    const r = range(op[2] as string);
    if (!r) return () => true;
    switch (op[1]) {
      case '>=':
        return (t) => t >= r.lo;
      case '>':
        return (t) => t >= r.hi;
      case '<=':
        return (t) => t < r.hi;
      default:
        return (t) => t < r.lo;
    }
  }
  const between = /^(.+)\.\.(.+)$/.exec(value);
  if (between) {
    const from = range(between[1] as string);
    const to = range(between[2] as string);
    return (t) => (!from || t >= from.lo) && (!to || t < to.hi);
  }
  const exact = range(value);
  return (t) => !exact || (t >= exact.lo && t < exact.hi);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
