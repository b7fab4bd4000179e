import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CtrlplaneSettings } from '../config/env.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import type { CtrlplaneOrigin } from '../shared/job.ts';
import type { JobTimeouts } from '../workflows/job-timeouts.ts';
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
  /** Called when polling meets a problem only an operator can fix (the worker exits). */
  onFatal?: (error: Error) => void;
}

/** The client Ctrlplane activities use: URL and key from the settings, in worker memory only. */
export function createCtrlplaneClient(settings: CtrlplaneSettings): CtrlplaneClient {
  return new CtrlplaneClient({ apiUrl: settings.apiUrl, apiKey: settings.apiKey });
}

/**
 * Registers the `http-pull` agent (throws on a configuration error, such as an agent of another type or a key
 * Ctrlplane refuses) and starts polling. An unreachable Ctrlplane does not stop the worker: registration is
 * retried at every poll.
 */
export async function startCtrlplaneConnection(options: CtrlplaneConnectionOptions): Promise<CtrlplaneConnection> {
  const { settings } = options;
  const client = createCtrlplaneClient(settings);
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
    onFatal: options.onFatal,
  });
  await poller.register();
  poller.start();
  return { client, origin, poller, stop: () => poller.stop() };
}
