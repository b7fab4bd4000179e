import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics } from '../metrics/worker-metrics.ts';

/** Counts every activity attempt by outcome, and the retries among them (attempt > 1). */
export function activityMetricsInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (context) => ({
    inbound: {
      async execute(input, next) {
        const activity = context.info.activityType;
        if (context.info.attempt > 1) metrics.activityRetries.inc({ activity });
        try {
          const result = await next(input);
          metrics.activityExecutions.inc({ activity, outcome: 'completed' });
          return result;
        } catch (error) {
          metrics.activityExecutions.inc({ activity, outcome: error instanceof CancelledFailure ? 'cancelled' : 'failed' });
          throw error;
        }
      },
    },
  });
}
