import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../activities/create-activities.ts';
import { workflowsPath } from './workflow-source.ts';

export interface JobWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A pre-built bundle (`gha-agent bundle`); without it the worker bundles the workflow code at start. */
  workflowBundlePath?: string;
}

/** A Temporal worker that runs job workflows and their GitHub activities. */
export function createJobWorker(options: JobWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: workflowsPath() }),
  });
}
