import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createActivities } from '../activities/create-activities.ts';
import { createGithubClientFactory } from '../activities/github-client-factory.ts';
import { buildApp } from '../api/build-app.ts';
import type { GithubAppCredentials } from '../config/env.ts';
import { createJobWorker } from '../worker/create-job-worker.ts';
import type { JobTimeouts } from '../workflows/job-timeouts.ts';

export interface LocalStackOptions {
  temporal: { address: string; namespace: string };
  taskQueue: string;
  githubApiUrl: string;
  githubApp?: GithubAppCredentials;
  webhookSecret?: string;
  apiKeys: string[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  jobTimeouts?: Partial<JobTimeouts>;
  workflowBundlePath?: string;
  logger: Logger;
}

export interface LocalStack {
  apiUrl: string;
  app: FastifyInstance;
  client: Client;
  worker: Worker;
  stop(): Promise<void>;
}

/** API and worker in one process against a given Temporal server: what `gha-agent dev` and the e2e tests run. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { logger } = options;
  const nativeConnection = await NativeConnection.connect({ address: options.temporal.address });
  const github = createGithubClientFactory({ apiUrl: options.githubApiUrl, app: options.githubApp, logger });
  const worker = await createJobWorker({
    connection: nativeConnection,
    namespace: options.temporal.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(github),
    workflowBundlePath: options.workflowBundlePath,
  });
  const running = worker.run();
  running.catch((error) => logger.error({ err: error }, 'worker stopped with an error'));

  const connection = await Connection.connect({ address: options.temporal.address });
  const client = new Client({ connection, namespace: options.temporal.namespace });
  const app = await buildApp({
    client,
    taskQueue: options.taskQueue,
    apiKeys: options.apiKeys,
    webhookSecret: options.webhookSecret,
    jobTimeouts: options.jobTimeouts,
    logger: logger.child({ component: 'api' }),
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    apiUrl: `http://${host}:${port}`,
    app,
    client,
    worker,
    async stop() {
      await app.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await nativeConnection.close();
    },
  };
}
