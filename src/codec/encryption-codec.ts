import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { EncryptionKeyRing } from './encryption-keys.ts';

// CommonJS module: Node's ESM loader exposes it as a default export only.
const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * AES-256-GCM over the whole serialised payload (metadata included, so the encoding says nothing either).
 * Wire layout of `data`: 12-byte random IV ‖ ciphertext ‖ 16-byte tag; the key ID travels in the metadata so
 * rotated keys keep decrypting old history.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: EncryptionKeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8.encode(id) },
        data: body,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const rawId = payload.metadata?.[METADATA_KEY_ID];
      const id = rawId ? fromUtf8.decode(rawId) : '';
      const entry = this.keys.byId.get(id);
      if (!entry) throw new ValueError(`payload encrypted with unknown key "${id}": add it to PAYLOAD_ENCRYPTION_KEYS`);
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', entry.key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
