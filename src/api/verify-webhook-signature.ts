import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks GitHub's `X-Hub-Signature-256` (`sha256=<hex HMAC of the raw body>`) in constant time. Works on the raw
 * bytes as received, never on a re-serialised object, so any change to the body fails.
 */
export function verifyWebhookSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!isWellFormedSignature(header)) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `sha256=` and exactly 64 hex digits: anything else cannot be GitHub's and is refused before the body is read. */
export function isWellFormedSignature(header: string | undefined): header is string {
  return header !== undefined && /^sha256=[0-9a-fA-F]{64}$/.test(header);
}
