import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/contract/search-attributes.ts';
import { runCli } from '../support/run-cli.ts';

// CommonJS module: Node's ESM loader exposes it as a default export only.
const { temporal } = proto;

const { IndexedValueType } = temporal.api.enums.v1;
let connection: Connection;
const address = inject('temporalAddress');

beforeAll(async () => {
  connection = await Connection.connect({ address });
});
afterAll(async () => {
  await connection?.close();
});

/** A namespace of our own, so the suite's (which the dev server pre-registers attributes on) stays untouched. */
async function freshNamespace(): Promise<string> {
  const namespace = `setup-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  // A new namespace becomes visible to the frontend once its registry cache refreshes.
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await connection.operatorService.listSearchAttributes({ namespace });
      return namespace;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`namespace ${namespace} never became available`);
}

async function customAttributes(namespace: string): Promise<Record<string, number>> {
  return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes as Record<string, number>;
}

describe('gha-agent setup', () => {
  it('registers every custom search attribute on a fresh namespace, and a second run changes nothing', async () => {
    const namespace = await freshNamespace();
    const before = await customAttributes(namespace);
    expect(Object.keys(before)).not.toContain('CtrlplaneJobStatus');

    const first = await runCli(['setup'], { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const { name } of SEARCH_ATTRIBUTE_DEFINITIONS) expect(first.stdout).toMatch(new RegExp(`added\\s+${name}\\b`));

    const after = await customAttributes(namespace);
    expect(after).toMatchObject({
      CtrlplaneJobStatus: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      CtrlplaneDeployment: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      CtrlplaneEnvironment: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      CtrlplaneResource: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      GithubRepository: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      GithubRunId: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    });

    const second = await runCli(['setup'], { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('added');
    for (const { name } of SEARCH_ATTRIBUTE_DEFINITIONS) expect(second.stdout).toMatch(new RegExp(`present\\s+${name}\\b`));
    expect(await customAttributes(namespace)).toEqual(after);
  });

  it('refuses, naming the attribute, when one exists with another type', async () => {
    const namespace = await freshNamespace();
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { GithubRunId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } });
    const result = await runCli(['setup'], { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GithubRunId');
    expect(result.stderr).toContain('expected Int');
  });

  it('says the namespace does not exist instead of failing obscurely', async () => {
    const result = await runCli(['setup'], { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: `missing-${randomUUID().slice(0, 8)}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/namespace "missing-[0-9a-f]+" does not exist/);
  });
});
