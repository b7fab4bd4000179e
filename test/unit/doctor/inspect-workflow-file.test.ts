import { describe, expect, it } from 'vitest';
import { inspectWorkflowFile } from '../../../src/doctor/inspect-workflow-file.ts';

describe('inspectWorkflowFile', () => {
  it("reads the guide's workflow with a run-name carrying the job ID", () => {
    const facts = inspectWorkflowFile(`name: Deploy
run-name: "Deploy \${{ inputs.job_id }}"
on:
  workflow_dispatch:
    inputs:
      job_id:
        description: "Ctrlplane Job ID"
        required: true
jobs: {}
`);
    expect(facts).toEqual({ name: 'Deploy', runName: 'Deploy ${{ inputs.job_id }}', hasDispatchTrigger: true, hasJobIdInput: true, runNameHasJobId: true });
  });

  it('accepts the trigger as a string or a list, and github.event.inputs in the run-name', () => {
    expect(inspectWorkflowFile('on: workflow_dispatch\nrun-name: x ${{ github.event.inputs.job_id }}')).toMatchObject({
      hasDispatchTrigger: true,
      hasJobIdInput: false,
      runNameHasJobId: true,
    });
    expect(inspectWorkflowFile('on: [push, workflow_dispatch]')).toMatchObject({ hasDispatchTrigger: true, runNameHasJobId: false });
  });

  it('does not take job_id outside an expression, or another input, as the job ID', () => {
    expect(inspectWorkflowFile('on: workflow_dispatch\nrun-name: inputs.job_id').runNameHasJobId).toBe(false);
    expect(inspectWorkflowFile('on: workflow_dispatch\nrun-name: ${{ inputs.job_idx }}').runNameHasJobId).toBe(false);
  });

  it('reports a file that is not YAML or not a mapping', () => {
    expect(inspectWorkflowFile('name: [unclosed').parseError).toBeTruthy();
    expect(inspectWorkflowFile('- a\n- b').parseError).toBe('the file is not a YAML mapping');
  });
});
