import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../src/sandbox/github-objects.ts';
import { GithubError } from '../../../src/sandbox/github-error.ts';
import { listWorkflowRuns } from '../../../src/sandbox/list-workflow-runs.ts';

const repo = { owner: 'acme', name: 'deploy', fullName: 'acme/deploy', id: 1, defaultBranch: 'main', branches: new Set(['main']) };
const workflow = { id: 7, path: '.github/workflows/deploy.yml', name: 'Deploy', fileName: 'deploy.yml' };

function run(id: number, createdAt: string, extra: Partial<RunRecord> = {}): RunRecord {
  const ms = Date.parse(createdAt);
  return {
    id,
    repo,
    workflow,
    runNumber: id,
    checkSuiteId: id,
    headBranch: 'main',
    headSha: 'a'.repeat(40),
    displayTitle: `Deploy ${id}`,
    status: 'completed',
    conclusion: 'success',
    createdAt: ms,
    updatedAt: ms,
    runStartedAt: ms,
    ...extra,
  };
}

// Newest first, as the run store hands them over.
const runs = [
  run(3, '2026-03-02T10:00:00.900Z', { status: 'in_progress', conclusion: null, headBranch: 'release' }),
  run(2, '2026-03-01T23:59:59.000Z', { conclusion: 'failure' }),
  run(1, '2026-03-01T00:00:00.000Z'),
];
const pageUrl = new URL('http://127.0.0.1:1/repos/acme/deploy/actions/runs');

function ids(query: Record<string, string>): number[] {
  return listWorkflowRuns(runs, new URLSearchParams(query), 'bot', pageUrl, 'docs').runs.map((r) => r.id);
}

describe('listWorkflowRuns', () => {
  it.each([
    ['>=2026-03-02T10:00:00Z', [3]],
    // GitHub timestamps have whole seconds: a run at 10:00:00.900 counts as 10:00:00.
    ['>=2026-03-02T10:00:00.500Z', [3]],
    ['>2026-03-02T10:00:00Z', []],
    ['<2026-03-01T23:59:59Z', [1]],
    ['<=2026-03-01T23:59:59Z', [2, 1]],
    ['2026-03-01', [2, 1]],
    ['>2026-03-01', [3]],
    ['<=2026-03-01', [2, 1]],
    ['2026-03-01T12:00:00Z..*', [3, 2]],
    ['*..2026-03-01T12:00:00Z', [1]],
    ['2026-03-01..2026-03-02', [3, 2, 1]],
    ['>=2026-03-02T11:00:00+01:00', [3]],
  ])('filters created %s', (created, expected) => {
    expect(ids({ created })).toEqual(expected);
  });

  it('reads a + that the query string turned into a space', () => {
    expect(ids({ created: '>=2026-03-02T11:00:00 01:00' })).toEqual([3]);
  });

  it('filters by status or conclusion, branch, event and actor', () => {
    expect(ids({ status: 'completed' })).toEqual([2, 1]);
    expect(ids({ status: 'failure' })).toEqual([2]);
    expect(ids({ status: 'in_progress' })).toEqual([3]);
    expect(ids({ branch: 'release' })).toEqual([3]);
    expect(ids({ event: 'push' })).toEqual([]);
    expect(ids({ event: 'workflow_dispatch', actor: 'bot' })).toEqual([3, 2, 1]);
    expect(ids({ actor: 'someone' })).toEqual([]);
  });

  it('paginates with a Link header like GitHub', () => {
    const page = listWorkflowRuns(runs, new URLSearchParams({ per_page: '1', page: '2' }), 'bot', pageUrl, 'docs');
    expect(page.totalCount).toBe(3);
    expect(page.runs.map((r) => r.id)).toEqual([2]);
    expect(page.link).toContain('page=1&per_page=1>; rel="prev"');
    expect(page.link).toContain('page=3&per_page=1>; rel="next"');
    expect(page.link).toContain('page=3&per_page=1>; rel="last"');
    expect(listWorkflowRuns(runs, new URLSearchParams(), 'bot', pageUrl, 'docs').link).toBeUndefined();
  });

  it('answers 422 for a created value that is no date', () => {
    expect(() => ids({ created: '>=yesterday' })).toThrow(GithubError);
  });
});
