/** The run-name GitHub uses when a workflow file declares none: the workflow's `name`. */
export const DEFAULT_RUN_NAME = 'Deploy ${{ inputs.job_id }}';

/**
 * Evaluates a workflow's `run-name` for a dispatch. Only `${{ inputs.X }}` (and
 * `${{ github.event.inputs.X }}`) is supported; a missing input renders empty, as in Actions.
 * An empty template means the workflow has no run-name, so GitHub shows the workflow name.
 */
export function renderRunName(template: string, inputs: Record<string, unknown>, workflowName: string): string {
  if (template.trim() === '') return workflowName;
  return template.replace(/\$\{\{\s*(?:github\.event\.)?inputs\.([\w-]+)\s*\}\}/g, (_match, name: string) => {
    const value = inputs[name];
    return value === undefined || value === null ? '' : String(value);
  });
}
