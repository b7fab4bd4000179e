import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { settingDefault } from '../config/settings.ts';
import type { JobService } from './job-service.ts';
import { isWellFormedSignature, verifyWebhookSignature } from './verify-webhook-signature.ts';
import { parseWorkflowRunDelivery } from './workflow-run-event.ts';

/**
 * `X-GitHub-Delivery`, which the signature does not cover: GitHub sends a GUID (36 characters). Anything longer, or
 * with other characters, is refused (400) before the body is read: the ID is logged and carried in the job's signal
 * and de-duplication memory, so its size must not be the sender's to choose (docs/architecture.md "Webhook path").
 */
export const MAX_DELIVERY_ID_LENGTH = 64;
const DELIVERY_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_DELIVERY_ID_LENGTH}}$`);

/** The events this endpoint acts on; any other is answered 202 before its body is read. */
const HANDLED_EVENTS = new Set(['workflow_run', 'ping']);

export interface WebhookRouteOptions {
  secret?: string;
  jobs: JobService;
  /** Bytes; a larger body is refused with 413 while it is being read (default 1 MiB). */
  bodyLimit?: number;
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
 * `POST /api/github/webhook` (docs/architecture.md "Webhook path"): verify the signature over the raw bytes, then route `workflow_run`
 * deliveries to the job named in the run (or known to own the run ID) as a signal.
 */
export async function webhookRoute(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  // Raw bytes for every content type in this plugin only: the signature covers the body exactly as sent.
  const bodyLimit = options.bodyLimit ?? Number(settingDefault('WEBHOOK_BODY_LIMIT'));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  /**
   * Answers what the headers alone decide before a byte of the body is read, so unsigned or irrelevant posts
   * cost no memory however large they claim to be.
   */
  async function answerFromHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!options.secret) {
      await reply.code(503).send({ error: 'not_configured', message: 'GITHUB_WEBHOOK_SECRET is not set on the API; webhooks cannot be verified' });
      return;
    }
    const deliveryId = header(request, 'x-github-delivery');
    if (deliveryId !== undefined && !DELIVERY_ID.test(deliveryId)) {
      request.log.warn({ deliveryIdLength: deliveryId.length }, 'webhook delivery ID malformed');
      await reply.code(400).send({
        error: 'bad_request',
        message: `X-GitHub-Delivery must be at most ${MAX_DELIVERY_ID_LENGTH} letters, digits, '.', '_', ':' or '-' (GitHub sends a GUID)`,
      });
      return;
    }
    const signature = header(request, 'x-hub-signature-256');
    if (!isWellFormedSignature(signature)) {
      request.log.warn({ deliveryId: header(request, 'x-github-delivery') }, 'webhook signature missing or malformed');
      await reply.code(401).send({
        error: 'unauthorized',
        message: signature ? 'X-Hub-Signature-256 must be sha256= followed by 64 hex digits' : 'X-Hub-Signature-256 header is missing',
      });
      return;
    }
    const event = header(request, 'x-github-event') ?? '';
    if (!HANDLED_EVENTS.has(event)) {
      await reply.code(202).send({ ok: true, ignored: true, message: `event ${event || '(none)'} is not handled` });
    }
  }

  app.post('/api/github/webhook', { bodyLimit, onRequest: answerFromHeaders }, async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = header(request, 'x-hub-signature-256');
    // answerFromHeaders has answered already when there is no secret.
    if (!options.secret || !verifyWebhookSignature(options.secret, raw, signature)) {
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
      return reply
        .code(202)
        .send({ ok: true, ignored: true, message: `run started by ${runEvent.triggerEvent ?? '(unknown)'}, not workflow_dispatch: no job dispatched it` });
    }
    const foreign: string[] = [];
    for (const jobId of delivery.candidateJobIds) {
      const outcome = await options.jobs.deliverRunEvent(jobId, runEvent);
      if (outcome.delivered) {
        log.info({ jobId, githubRunId: runEvent.runId, action: runEvent.action }, 'workflow_run delivered to job');
        return reply.code(200).send({ ok: true, jobId });
      }
      if (outcome.reason === 'foreign') foreign.push(outcome.detail);
    }
    if (foreign.length > 0) {
      // Titled with a job's ID, from another repository: an attacker's run or a copy; the job never hears of it.
      log.warn(
        { githubRunId: runEvent.runId, repository: runEvent.repository, candidates: delivery.candidateJobIds },
        "workflow_run from a repository that is not its job's ignored",
      );
      return reply.code(202).send({ ok: true, ignored: true, message: foreign.join('; ') });
    }
    // Named without a job ID: ours only if a running job dispatches to this repository (most of an organisation's
    // manual dispatches are not ours, and are answered here without a query of their own).
    if (!runEvent.repository || !(await options.jobs.repositoryMayHaveJobs(runEvent.repository))) {
      return reply.code(202).send({ ok: true, ignored: true, message: `no running job dispatches to ${runEvent.repository ?? '(no repository)'}` });
    }
    const byRun = await options.jobs.findJobByRunId(runEvent.runId);
    // A job already tried above has no running workflow (it finished): no second signal to learn that again.
    if (byRun && !delivery.candidateJobIds.includes(byRun.jobId)) {
      const outcome = await options.jobs.deliverRunEvent(byRun.jobId, runEvent);
      if (outcome.delivered) {
        log.info({ jobId: byRun.jobId, githubRunId: runEvent.runId, action: runEvent.action }, 'workflow_run delivered to job (matched by run ID)');
        return reply.code(200).send({ ok: true, jobId: byRun.jobId });
      }
    }
    log.info({ githubRunId: runEvent.runId, candidates: delivery.candidateJobIds }, 'workflow_run for no known job ignored');
    return reply.code(202).send({ ok: true, ignored: true, message: 'no job matches this run' });
  });
}
