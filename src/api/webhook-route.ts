import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobService } from './job-service.ts';
import { verifyWebhookSignature } from './verify-webhook-signature.ts';
import { parseWorkflowRunDelivery } from './workflow-run-event.ts';

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

export interface WebhookRouteOptions {
  secret?: string;
  jobs: JobService;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses the body as GitHub sends it: JSON, or a form with the JSON in `payload`. */
function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new SyntaxError('form body has no payload field');
    return JSON.parse(payload);
  }
  return JSON.parse(text);
}

/**
 * `POST /api/github/webhook` (DESIGN §5): verify the signature over the raw bytes, then route `workflow_run`
 * deliveries to the job named in the run (or known to own the run ID) as a signal.
 */
export async function webhookRoute(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  // Raw bytes for every content type in this plugin only: the signature covers the body exactly as sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.post('/api/github/webhook', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!options.secret) {
      return reply.code(503).send({ error: 'not_configured', message: 'GITHUB_WEBHOOK_SECRET is not set on the API; webhooks cannot be verified' });
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = header(request, 'x-hub-signature-256');
    if (!verifyWebhookSignature(options.secret, raw, signature)) {
      request.log.warn({ deliveryId: header(request, 'x-github-delivery') }, 'webhook signature missing or wrong');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: signature ? 'X-Hub-Signature-256 does not match the body' : 'X-Hub-Signature-256 header is missing' });
    }
    let payload: unknown;
    try {
      payload = parseBody(raw, header(request, 'content-type'));
    } catch (error) {
      return reply.code(400).send({ error: 'bad_request', message: `body is not valid JSON: ${(error as Error).message}` });
    }
    const event = header(request, 'x-github-event') ?? '';
    const deliveryId = header(request, 'x-github-delivery') ?? `unknown-${request.id}`;
    // githubRunId, not runId: in worker logs runId is the Temporal run of the job's workflow.
    const log = request.log.child({ deliveryId, event });
    if (event === 'ping') return reply.code(200).send({ ok: true, message: 'pong' });
    if (event !== 'workflow_run') return reply.code(202).send({ ok: true, ignored: true, message: `event ${event || '(none)'} is not handled` });

    const delivery = parseWorkflowRunDelivery(payload, deliveryId);
    if (!delivery) return reply.code(400).send({ error: 'bad_request', message: 'workflow_run payload has no workflow_run.id' });
    const { event: runEvent } = delivery;
    // Jobs dispatch their runs: a run started any other way (push, pull_request, schedule: most of an
    // organisation's CI) belongs to no job, and costs Temporal nothing.
    if (runEvent.triggerEvent !== 'workflow_dispatch') {
      return reply.code(202).send({ ok: true, ignored: true, message: `run started by ${runEvent.triggerEvent ?? '(unknown)'}, not workflow_dispatch: no job dispatched it` });
    }
    for (const jobId of delivery.candidateJobIds) {
      if (await options.jobs.signalRunEvent(jobId, runEvent)) {
        log.info({ jobId, githubRunId: runEvent.runId, action: runEvent.action }, 'workflow_run delivered to job');
        return reply.code(200).send({ ok: true, jobId });
      }
    }
    const byRun = await options.jobs.findJobIdByRunId(runEvent.runId);
    // A job already tried above has no running workflow (it finished): no second signal to learn that again.
    if (byRun && !delivery.candidateJobIds.includes(byRun) && (await options.jobs.signalRunEvent(byRun, runEvent))) {
      log.info({ jobId: byRun, githubRunId: runEvent.runId, action: runEvent.action }, 'workflow_run delivered to job (matched by run ID)');
      return reply.code(200).send({ ok: true, jobId: byRun });
    }
    log.info({ githubRunId: runEvent.runId, candidates: delivery.candidateJobIds }, 'workflow_run for no known job ignored');
    return reply.code(202).send({ ok: true, ignored: true, message: 'no job matches this run' });
  });
}
