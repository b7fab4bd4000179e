import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/api/verify-webhook-signature.ts';

describe('verifyWebhookSignature', () => {
  const body = Buffer.from('{"action":"completed","zen":"ünïcode ✓"}');

  it('accepts the signature @octokit/webhooks-methods makes for the same bytes', async () => {
    expect(verifyWebhookSignature('s3cret', body, await sign('s3cret', body.toString('utf8')))).toBe(true);
  });

  it('refuses a missing, malformed, truncated or other-secret signature', async () => {
    const good = await sign('s3cret', body.toString('utf8'));
    expect(verifyWebhookSignature('s3cret', body, undefined)).toBe(false);
    expect(verifyWebhookSignature('s3cret', body, 'sha1=abc')).toBe(false);
    expect(verifyWebhookSignature('s3cret', body, good.slice(0, -2))).toBe(false);
    expect(verifyWebhookSignature('other', body, good)).toBe(false);
  });

  it('refuses a body changed by a single byte', async () => {
    const good = await sign('s3cret', body.toString('utf8'));
    const changed = Buffer.from(body);
    changed[5] = changed[5]! ^ 1;
    expect(verifyWebhookSignature('s3cret', changed, good)).toBe(false);
  });
});
