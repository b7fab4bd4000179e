import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../src/activities/create-activities.ts';
import { createGithubClientFactory } from '../../src/activities/github-client-factory.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createJobWorker } from '../../src/worker/create-job-worker.ts';
import type { E2eStack } from './e2e-stack.ts';

/** A worker for a stack started with `startWorker: false`, for tests that need jobs to wait for one. */
export async function createLateWorker(env: E2eStack): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const logger = createLogger({ level: 'silent' });
  const worker = await createJobWorker({
    connection,
    namespace: inject('temporalNamespace'),
    taskQueue: env.stack.taskQueue,
    activities: createActivities(
      createGithubClientFactory({
        apiUrl: env.sandbox.url,
        app: { appId: env.sandbox.appId, privateKey: env.sandbox.privateKey },
        logger,
      }),
    ),
    workflowBundlePath: inject('workflowBundlePath'),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
