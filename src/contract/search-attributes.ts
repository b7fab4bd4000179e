import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes kept current on every job workflow (docs/inspecting-jobs.md lists them). */
export const searchAttributes = {
  status: defineSearchAttributeKey('CtrlplaneJobStatus', SearchAttributeType.KEYWORD),
  deployment: defineSearchAttributeKey('CtrlplaneDeployment', SearchAttributeType.KEYWORD),
  environment: defineSearchAttributeKey('CtrlplaneEnvironment', SearchAttributeType.KEYWORD),
  resource: defineSearchAttributeKey('CtrlplaneResource', SearchAttributeType.KEYWORD),
  repository: defineSearchAttributeKey('GithubRepository', SearchAttributeType.KEYWORD),
  runId: defineSearchAttributeKey('GithubRunId', SearchAttributeType.INT),
  /** Set at start on jobs pulled from Ctrlplane: the `http-pull` agent that pulled them (absent for API jobs). */
  ctrlplaneAgent: defineSearchAttributeKey('CtrlplaneAgentId', SearchAttributeType.KEYWORD),
} as const;

/** Name → Temporal type name, as `temporal server start-dev --search-attribute` and the operator API take them. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: ReadonlyArray<{ name: string; type: 'Keyword' | 'Int' }> = Object.values(searchAttributes).map((key) => ({
  name: key.name,
  type: key.type === SearchAttributeType.INT ? 'Int' : 'Keyword',
}));
