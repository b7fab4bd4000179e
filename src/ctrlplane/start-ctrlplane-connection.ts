import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CtrlplaneSettings } from '../config/env.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import type { CtrlplaneOrigin } from '../domain/job.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { deriveCtrlplaneAgentId } from './agent-id.ts';
import { CtrlplaneClient } from './ctrlplane-client.ts';
import { CtrlplanePoller } from './ctrlplane-poller.ts';

export interface CtrlplaneConnection {
  client: CtrlplaneClient;
  origin: CtrlplaneOrigin;
  poller: CtrlplanePoller;
  stop(): Promise<void>;
}

export interface CtrlplaneConnectionOptions {
  settings: CtrlplaneSettings;
  temporal: Client;
  taskQueue: string;
  timeouts?: Partial<JobTimeouts>;
  metrics?: CtrlplaneMetrics;
  logger: Logger;
}

/** The client Ctrlplane activities use: URL and key from the settings, in worker memory only. */
export function createCtrlplaneClient(settings: CtrlplaneSettings): CtrlplaneClient {
  return new CtrlplaneClient({ apiUrl: settings.apiUrl, apiKey: settings.apiKey });
}

/**
 * The connection, not started: `start()` tries once to register the `http-pull` agent, then polls. Nothing
 * Ctrlplane answers stops the worker, at start-up or later: an unreachable Ctrlplane, a key it refuses, an agent of
 * another type are logged (errors for what an operator must fix) and tried again with backoff while the worker runs
 * the other jobs. `stop()` aborts the request in flight, so shutdown never waits on Ctrlplane, even mid-start.
 */
export function createCtrlplaneConnection(options: CtrlplaneConnectionOptions): CtrlplaneConnection & { start(): Promise<void> } {
  const { settings } = options;
  const shutdown = new AbortController();
  const client = new CtrlplaneClient({ apiUrl: settings.apiUrl, apiKey: settings.apiKey, signal: shutdown.signal });
  const origin: CtrlplaneOrigin = {
    workspaceId: settings.workspaceId,
    agentId: settings.agentId ?? deriveCtrlplaneAgentId(settings.workspaceId, settings.agentName),
  };
  const poller = new CtrlplanePoller({
    ctrlplane: client,
    temporal: options.temporal,
    taskQueue: options.taskQueue,
    origin,
    agentName: settings.agentName,
    intervalMs: settings.pollIntervalMs,
    timeouts: options.timeouts,
    metrics: options.metrics,
    logger: options.logger.child({ component: 'ctrlplane' }),
  });
  return {
    client,
    origin,
    poller,
    async start() {
      if (shutdown.signal.aborted) return;
      await poller.register();
      poller.start();
    },
    stop: () => {
      shutdown.abort();
      return poller.stop();
    },
  };
}

/** `createCtrlplaneConnection` started: resolves after the first registration attempt, whatever its outcome. */
export async function startCtrlplaneConnection(options: CtrlplaneConnectionOptions): Promise<CtrlplaneConnection> {
  const connection = createCtrlplaneConnection(options);
  await connection.start();
  return connection;
}
