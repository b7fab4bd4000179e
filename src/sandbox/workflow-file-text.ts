import { stringify } from 'yaml';

export interface WorkflowFileFields {
  name: string;
  /** `''` = no run-name. */
  runName: string;
  dispatchable: boolean;
  /** Declares the `job_id` input of `workflow_dispatch`. */
  jobIdInput: boolean;
}

/**
 * The workflow file a repository would hold for these settings, shaped like the one in Ctrlplane's
 * guide: `workflow_dispatch` with a required `job_id` input, and a run-name that carries it.
 */
export function workflowFileText(fields: WorkflowFileFields): string {
  const on: Record<string, unknown> = fields.dispatchable
    ? {
        workflow_dispatch: fields.jobIdInput
          ? { inputs: { job_id: { description: 'Ctrlplane Job ID', required: true, type: 'string' } } }
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
