import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const health = z.object({ status: z.string(), message: z.string().optional() });

/** `/healthz` (the process answers) and `/readyz` (Temporal answers too). */
export async function healthRoutes(parent: FastifyInstance, { client }: { client: Client }): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: health } } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: Temporal answers too', response: { 200: health, 503: health } } },
    async (request, reply) => {
      try {
        await client.connection.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'Temporal not reachable');
        return reply.code(503).send({ status: 'unavailable', message: 'Temporal is unreachable' });
      }
    },
  );
}
