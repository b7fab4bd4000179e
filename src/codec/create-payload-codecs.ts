import type { PayloadCodec } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec.ts';
import { parseEncryptionKeys } from './encryption-keys.ts';

/**
 * The payload codecs client and worker must share: encryption when `PAYLOAD_ENCRYPTION_KEYS` is set, none
 * otherwise. Both sides need the same keys, or one of them cannot read what the other wrote.
 */
export function createPayloadCodecs(encryptionKeys: string | undefined): PayloadCodec[] {
  return encryptionKeys ? [new EncryptionCodec(parseEncryptionKeys(encryptionKeys))] : [];
}
