import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** The service's version, from package.json (next to `src/` in a checkout, to `dist/` in the image). */
const SERVICE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * `/api/openapi.json` and interactive docs at `/docs`, generated from the routes' zod schemas. Register before
 * the routes: @fastify/swagger collects them as they are added. Not registered at all with API_DOCS=off.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'github-actions-agent',
        description: 'Runs Ctrlplane deployment jobs on GitHub Actions, one Temporal workflow per job.',
        version: SERVICE_VERSION,
      },
      tags: [
        { name: 'jobs', description: 'Create, inspect, list, cancel jobs and report their status' },
        { name: 'workspaces', description: 'What the current get-job-inputs action calls' },
        { name: 'health', description: 'Probes' },
      ],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description:
              "A key of API_KEYS with the scope the operation names (jobs:create, jobs:read, jobs:report, jobs:cancel, codec; a bare key has all), or a job's own job token where the operation says so. Missing or unknown: 401; without the scope: 403.",
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'The same credential as X-API-Key, as Authorization: Bearer <key>.' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
