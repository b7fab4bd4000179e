import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpError } from './http-error.ts';

/** gRPC codes that mean "Temporal is not there right now": UNAVAILABLE, DEADLINE_EXCEEDED. */
const UNAVAILABLE_CODES = new Set([14, 4]);

function temporalUnavailable(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (isGrpcServiceError(cause) && UNAVAILABLE_CODES.has(cause.code)) return true;
    if (cause instanceof ServiceError && /unavailable|deadline|connect/i.test(cause.message)) return true;
  }
  return false;
}

/** Every error leaves as JSON `{error, message, details?}`; validation errors name the field. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.error, message: error.message, ...(error.details ? { details: error.details } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({
        field: [error.validationContext, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
        message: issue.message,
      }));
      return reply.code(400).send({
        error: 'validation_error',
        message: details.map((detail) => `${detail.field}: ${detail.message}`).join('; '),
        details,
      });
    }
    if (temporalUnavailable(error)) {
      request.log.error({ err: error }, 'Temporal is unreachable');
      return reply.code(503).send({ error: 'unavailable', message: 'Temporal is unreachable; try again shortly' });
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status === 415) {
      const sent = request.headers['content-type'] ?? '(none)';
      return reply.code(415).send({ error: 'unsupported_media_type', message: `content type ${sent} is not accepted here: send application/json` });
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status >= 500 ? 'internal_error' : 'bad_request';
    return reply.code(status).send({ error: code, message: status >= 500 ? 'internal error' : error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
