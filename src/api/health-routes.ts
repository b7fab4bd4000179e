import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';

/** `/healthz` (the process answers) and `/readyz` (Temporal answers too). */
export async function healthRoutes(app: FastifyInstance, { client }: { client: Client }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await client.connection.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'Temporal not reachable');
      return reply.code(503).send({ status: 'unavailable', message: 'Temporal is unreachable' });
    }
  });
}
