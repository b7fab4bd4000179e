import { parse, stringify } from 'yaml';

export interface WorkflowFileFields {
  name: string;
  /** `''` = no run-name. */
  runName: string;
  dispatchable: boolean;
  /** Declares the `job_id` input of `workflow_dispatch`. */
  jobIdInput: boolean;
  /** More optional string inputs of `workflow_dispatch`, e.g. `job_token` (needs `jobIdInput`). */
  extraInputs?: readonly string[];
}

/**
 * The workflow file a repository would hold for these settings, shaped like the one in Ctrlplane's
 * guide: `workflow_dispatch` with a required `job_id` input, and a run-name that carries it.
 */
export function workflowFileText(fields: WorkflowFileFields): string {
  const on: Record<string, unknown> = fields.dispatchable
    ? {
        workflow_dispatch: fields.jobIdInput
          ? {
              inputs: {
                job_id: { description: 'Ctrlplane Job ID', required: true, type: 'string' },
                ...Object.fromEntries(
                  (fields.extraInputs ?? []).map((name) => [name, { description: `${name} (set by github-actions-agent)`, required: false, type: 'string' }]),
                ),
              },
            }
          : null,
      }
    : { push: { branches: ['main'] } };
  const doc: Record<string, unknown> = {
    name: fields.name,
    ...(fields.runName.trim() !== '' ? { 'run-name': fields.runName } : {}),
    on,
    jobs: {
      deploy: {
        'runs-on': 'ubuntu-latest',
        steps: [{ run: 'echo "deploying job ${{ inputs.job_id }}"' }],
      },
    },
  };
  return stringify(doc, { lineWidth: 0 });
}

/** The `workflow_dispatch` inputs a workflow file declares, by name, with whether each is marked required. */
export interface DispatchInputs {
  declared: Map<string, { required: boolean }>;
}

/**
 * What GitHub checks a dispatch's `inputs` against. Undefined when the file does not parse or has no
 * `workflow_dispatch` trigger (GitHub answers those differently, before looking at inputs).
 */
export function dispatchInputs(text: string): DispatchInputs | undefined {
  if (!parsedInputs.has(text)) parsedInputs.set(text, readDispatchInputs(text));
  return parsedInputs.get(text);
}

/** Workflow files are few and fixed per sandbox; each is parsed once. */
const parsedInputs = new Map<string, DispatchInputs | undefined>();

function readDispatchInputs(text: string): DispatchInputs | undefined {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false });
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const on = (doc as { on?: unknown }).on;
  const triggers: Record<string, unknown> =
    typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((t) => [String(t), null]))
        : on && typeof on === 'object'
          ? (on as Record<string, unknown>)
          : {};
  if (!Object.hasOwn(triggers, 'workflow_dispatch')) return undefined;
  const dispatch = triggers.workflow_dispatch;
  const inputs = dispatch && typeof dispatch === 'object' ? (dispatch as { inputs?: unknown }).inputs : undefined;
  const declared = new Map<string, { required: boolean }>();
  if (inputs && typeof inputs === 'object') {
    for (const [name, spec] of Object.entries(inputs as Record<string, unknown>)) {
      declared.set(name, { required: Boolean(spec && typeof spec === 'object' && (spec as { required?: unknown }).required === true) });
    }
  }
  return { declared };
}
