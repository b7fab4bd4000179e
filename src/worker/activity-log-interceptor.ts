import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { parseJobWorkflowId } from '../domain/job-id.ts';

/**
 * Shapes every activity log line like the workflow's own: `jobId` and `runId` (the SDK says `workflowRunId`
 * here but `runId` in workflow lines), so one filter on either finds the API's and the worker's lines alike.
 * The task token is dropped: it is enough to complete the activity from outside and helps no reader.
 */
export const activityLogInterceptor: ActivityInterceptorsFactory = (context) => ({
  outbound: {
    getLogAttributes(input, next) {
      const { taskToken: _taskToken, ...attributes } = input;
      const execution = context.info.workflowExecution;
      const workflowId = execution?.workflowId ?? '';
      const job = parseJobWorkflowId(workflowId);
      if (job) attributes.jobId = job.jobId;
      if (execution?.runId) attributes.runId = execution.runId;
      return next(attributes);
    },
  },
});
