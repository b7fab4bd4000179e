import type { PayloadCodec } from '@temporalio/common';
import { type ActivityInterceptorsFactory, type NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../activities/create-activities.ts';
import { activityLogInterceptor } from './activity-log-interceptor.ts';
import { workflowBundleOptions } from './workflow-source.ts';
import { dataConverterFor } from '../codec/data-converter.ts';

export interface JobWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A pre-built bundle (`gha-agent bundle`); without it the worker bundles the workflow code at start. */
  workflowBundlePath?: string;
  /** Must match the client's codecs (payload encryption). */
  payloadCodecs?: PayloadCodec[];
  activityInterceptors?: ActivityInterceptorsFactory[];
  /** Workflows kept in memory; the others are replayed from history when they next have work. */
  maxCachedWorkflows?: number;
  /** How long shutdown waits for in-flight activities before cancelling them (default 25 s, inside Kubernetes' 30 s). */
  shutdownGraceTime?: string | number;
}

/** A Temporal worker that runs job workflows and their GitHub activities. */
export function createJobWorker(options: JobWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: dataConverterFor(options.payloadCodecs),
    interceptors: { activity: [activityLogInterceptor, ...(options.activityInterceptors ?? [])] },
    shutdownGraceTime: options.shutdownGraceTime ?? '25 seconds',
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : workerBundling()),
  });
}

/** Bundling at worker start, with the same options as a pre-built bundle. */
function workerBundling(): { workflowsPath: string; bundlerOptions: { preloadModules: string[] } } {
  const { workflowsPath, preloadModules } = workflowBundleOptions();
  return { workflowsPath, bundlerOptions: { preloadModules } };
}
