import type { PayloadCodec } from '@temporalio/common';
import { type ActivityInterceptorsFactory, type NativeConnection, Worker } from '@temporalio/worker';
import type { CtrlplaneActivities } from '../activities/create-ctrlplane-activities.ts';
import { ctrlplaneTaskQueue } from '../contract/workflow-contract.ts';
import { activityLogInterceptor } from './activity-log-interceptor.ts';
import { dataConverterFor } from '../codec/data-converter.ts';

export interface CtrlplaneActivityWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The jobs' task queue; this worker polls its Ctrlplane twin. */
  taskQueue: string;
  activities: CtrlplaneActivities;
  payloadCodecs?: PayloadCodec[];
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/**
 * Runs the Ctrlplane activities (claim, status reports) on a task queue of their own, with their own slots: while
 * Ctrlplane is slow or down, thousands of retrying reports cannot take the slots GitHub dispatches need.
 * Started on every worker, with or without a Ctrlplane connection, so reports of jobs pulled earlier still run.
 */
export function createCtrlplaneActivityWorker(options: CtrlplaneActivityWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: ctrlplaneTaskQueue(options.taskQueue),
    activities: options.activities,
    dataConverter: dataConverterFor(options.payloadCodecs),
    interceptors: { activity: [activityLogInterceptor, ...(options.activityInterceptors ?? [])] },
    maxConcurrentActivityTaskExecutions: 50,
    shutdownGraceTime: '10 seconds',
  });
}
