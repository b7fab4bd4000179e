import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyEntry } from '../auth/api-keys.ts';
import { type JobTokenAuthOptions, requireApiKey } from './api-key-auth.ts';
import { HttpError } from './http-error.ts';

// CommonJS module: Node's ESM loader exposes it as a default export only.
const { temporal } = proto;

export interface CodecRoutesOptions {
  codecs: readonly PayloadCodec[];
  apiKeys: readonly ApiKeyEntry[];
  /** Recognised only to be refused with 403 (a job token may not decode). */
  jobTokens?: JobTokenAuthOptions;
  /** Browser origins (the Temporal UI) allowed to call the endpoint. */
  corsOrigins: readonly string[];
}

/** Encoded payloads can be bigger than the API's usual 1 MB body (Temporal allows 2 MB per payload). */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;

const { Payloads } = temporal.api.common.v1;

/** Temporal's remote codec protocol: proto3 JSON `{payloads: [{metadata: {k: base64}, data: base64}]}`. */
function readPayloads(body: unknown): Payload[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { payloads?: unknown }).payloads)) {
    throw new HttpError(400, 'bad_request', 'body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
  }
  try {
    return Payloads.fromObject(body).payloads as Payload[];
  } catch (error) {
    throw new HttpError(400, 'bad_request', `payloads are not valid: ${(error as Error).message}`);
  }
}

function writePayloads(payloads: Payload[]): unknown {
  return Payloads.toObject(Payloads.create({ payloads }), { bytes: String });
}

/** Where the codec routes live; CORS is served under it and nowhere else. */
export const CODEC_PREFIX = '/codec';

/**
 * `POST /codec/encode` and `POST /codec/decode`: the codec endpoint the Temporal UI and CLI call to show
 * encrypted payloads. Behind the API-key check and the `codec` scope: without it, the endpoint would decrypt for
 * anyone. Register with `{ prefix: CODEC_PREFIX }`: @fastify/cors adds a catch-all `OPTIONS *` route, which the
 * prefix confines to `/codec/*`, so no other route of the API answers a preflight.
 */
export async function codecRoutes(app: FastifyInstance, options: CodecRoutesOptions): Promise<void> {
  // Registered before the API-key hook so a browser's preflight (which never carries credentials) is answered.
  await app.register(cors, {
    origin: [...options.corsOrigins],
    methods: ['POST'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization', 'x-api-key'],
    credentials: true,
    maxAge: 600,
  });
  requireApiKey(app, { apiKeys: options.apiKeys, jobTokens: options.jobTokens });

  const codecs = options.codecs;
  app.post('/encode', { bodyLimit: CODEC_BODY_LIMIT, config: { scope: 'codec' } }, async (request) => {
    let payloads = readPayloads(request.body);
    for (const codec of codecs) payloads = await codec.encode(payloads);
    return writePayloads(payloads);
  });
  app.post('/decode', { bodyLimit: CODEC_BODY_LIMIT, config: { scope: 'codec' } }, async (request) => {
    let payloads = readPayloads(request.body);
    try {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    } catch (error) {
      throw new HttpError(400, 'bad_request', `cannot decode: ${(error as Error).message}`);
    }
    return writePayloads(payloads);
  });
}
