// Entry point of the workflow bundle: every workflow the worker registers.
export { jobWorkflow } from './job-workflow.ts';
