import { describe, expect, it } from 'vitest';
import { buildJobListQuery, decodeCursor, encodeCursor } from '../../../src/api/job-list-query.ts';
import { quoteVisibilityValue } from '../../../src/client/visibility-query.ts';

describe('buildJobListQuery', () => {
  it('scopes to this agent’s job workflows when no filter is given', () => {
    expect(buildJobListQuery({}, 'github-actions-agent')).toBe(
      `WorkflowType = 'jobWorkflow' AND TaskQueue = 'github-actions-agent' AND ExecutionStatus != 'ContinuedAsNew'`,
    );
  });

  it('narrows by every filter on its search attribute', () => {
    expect(buildJobListQuery({ status: ['pending', 'in_progress'], deployment: 'api', environment: 'prod', resource: 'cluster-1' }, 'q')).toBe(
      `WorkflowType = 'jobWorkflow' AND TaskQueue = 'q' AND ExecutionStatus != 'ContinuedAsNew' AND CtrlplaneJobStatus IN ('pending', 'in_progress') AND CtrlplaneDeployment = 'api' AND CtrlplaneEnvironment = 'prod' AND CtrlplaneResource = 'cluster-1'`,
    );
  });

  it('escapes quotes and backslashes so a value cannot widen the query', () => {
    expect(quoteVisibilityValue(`x' OR WorkflowType != 'y`)).toBe(`'x\\' OR WorkflowType != \\'y'`);
    expect(quoteVisibilityValue('a\\')).toBe(`'a\\\\'`);
  });
});

describe('list cursors', () => {
  it('round-trips Temporal’s page token for the same query only', () => {
    const token = new Uint8Array([1, 2, 3, 250]);
    const cursor = encodeCursor(token, 'q1');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([...(decodeCursor(cursor, 'q1') ?? [])]).toEqual([1, 2, 3, 250]);
    expect(decodeCursor(cursor, 'q2')).toBeUndefined();
  });

  it('refuses anything it did not issue', () => {
    for (const cursor of ['bm90LWEtdG9rZW4', 'abc', Buffer.from('{"v":1,"q":"x","t":""}').toString('base64url')]) {
      expect(decodeCursor(cursor, 'q1')).toBeUndefined();
    }
  });
});
