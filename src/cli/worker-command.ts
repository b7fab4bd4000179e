import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/create-activities.ts';
import { createGithubClientFactory } from '../activities/github-client-factory.ts';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../logging/create-logger.ts';
import { temporalConnectConfig } from '../temporal/connection-options.ts';
import { createJobWorker } from '../worker/create-job-worker.ts';
import { installRuntimeLogger } from '../worker/install-runtime-logger.ts';
import { onShutdownSignal } from './shutdown.ts';

/** `gha-agent worker`: runs job workflows and their GitHub activities; any number of replicas. */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL, name: 'gha-agent-worker' });
  installRuntimeLogger(logger);
  if (!config.githubApp) logger.warn('GITHUB_BOT_APP_ID / GITHUB_BOT_PRIVATE_KEY not set: every job will end invalid_integration "GitHub bot not configured"');
  const temporal = temporalConnectConfig();
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const github = createGithubClientFactory({ apiUrl: config.githubApiUrl, app: config.githubApp, logger });
  const worker = await createJobWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    activities: createActivities(github),
    workflowBundlePath: config.env.WORKFLOW_BUNDLE_PATH,
  });
  logger.info({ taskQueue: config.env.TEMPORAL_TASK_QUEUE, namespace: temporal.namespace, githubApiUrl: config.githubApiUrl }, 'worker started');
  const running = worker.run();
  // Shutdown drains: in-flight activities finish (or hit their timeout) before the process exits.
  onShutdownSignal(logger, async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });
  await running;
}
