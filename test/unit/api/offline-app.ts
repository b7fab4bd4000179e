import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../../src/api/build-app.ts';
import { createLogger } from '../../../src/logging/create-logger.ts';

export const TEST_KEYS = ['key-one', 'key-two'];

/**
 * The API on a Temporal client whose lazy connection points at an address nothing listens on: enough for
 * validation, auth and docs, which answer before any call to Temporal.
 */
export async function buildOfflineApp(overrides: Partial<BuildAppOptions> = {}): Promise<FastifyInstance> {
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const client = new Client({ connection });
  const app = await buildApp({
    client,
    taskQueue: 'unit-test',
    apiKeys: TEST_KEYS,
    logger: createLogger({ level: 'silent' }),
    ...overrides,
  });
  app.addHook('onClose', async () => connection.close());
  return app;
}
