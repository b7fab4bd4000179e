import { parse } from 'yaml';

/** What a workflow file says about how it can be dispatched for a Ctrlplane job. */
export interface WorkflowFileFacts {
  /** `undefined` when the YAML parses; else the parser's message. */
  parseError?: string;
  name?: string;
  hasDispatchTrigger: boolean;
  hasJobIdInput: boolean;
  /** The `run-name` template, if any. */
  runName?: string;
  /** The run-name evaluates to something that contains the job ID. */
  runNameHasJobId: boolean;
}

const JOB_ID_EXPRESSION = /\$\{\{[^}]*\b(?:github\.event\.)?inputs\.job_id\b[^}]*\}\}/;

/** The triggers of `on:`, which may be a string, a list or a mapping. */
function triggers(on: unknown): Map<string, unknown> {
  if (typeof on === 'string') return new Map([[on, null]]);
  if (Array.isArray(on)) return new Map(on.filter((t): t is string => typeof t === 'string').map((t) => [t, null]));
  if (on && typeof on === 'object') return new Map(Object.entries(on));
  return new Map();
}

/**
 * Reads a GitHub Actions workflow file the way the guide's checks need: a `workflow_dispatch` trigger
 * with a `job_id` input, and a `run-name` carrying `inputs.job_id` (the webhook finds the job by it).
 */
export function inspectWorkflowFile(text: string): WorkflowFileFacts {
  let doc: unknown;
  try {
    // YAML 1.2 core: `on` is a plain key, as GitHub reads it.
    doc = parse(text, { prettyErrors: false });
  } catch (error) {
    return { parseError: (error as Error).message.split('\n')[0] as string, hasDispatchTrigger: false, hasJobIdInput: false, runNameHasJobId: false };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return { parseError: 'the file is not a YAML mapping', hasDispatchTrigger: false, hasJobIdInput: false, runNameHasJobId: false };
  }
  const workflow = doc as Record<string, unknown>;
  const on = triggers(workflow.on);
  const dispatch = on.get('workflow_dispatch');
  const inputs = dispatch && typeof dispatch === 'object' ? (dispatch as { inputs?: unknown }).inputs : undefined;
  const runName = typeof workflow['run-name'] === 'string' ? workflow['run-name'] : undefined;
  return {
    ...(typeof workflow.name === 'string' ? { name: workflow.name } : {}),
    hasDispatchTrigger: on.has('workflow_dispatch'),
    hasJobIdInput: Boolean(inputs && typeof inputs === 'object' && Object.hasOwn(inputs, 'job_id')),
    ...(runName !== undefined ? { runName } : {}),
    runNameHasJobId: runName !== undefined && JOB_ID_EXPRESSION.test(runName),
  };
}
