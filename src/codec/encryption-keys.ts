import { createHash } from 'node:crypto';

/** One AES-256 key and the ID written next to every payload it encrypts. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface EncryptionKeyRing {
  /** Encrypts every new payload. */
  current: EncryptionKey;
  /** Every key by ID: old keys keep decrypting history written before a rotation. */
  byId: ReadonlyMap<string, EncryptionKey>;
}

/**
 * Parses `PAYLOAD_ENCRYPTION_KEYS`: comma-separated `keyId:base64(32 bytes)`; the first encrypts, all decrypt.
 * Errors name the entry by position and key ID, never by its key material.
 */
export function parseEncryptionKeys(value: string): EncryptionKeyRing {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('PAYLOAD_ENCRYPTION_KEYS is empty: expected keyId:base64key[,keyId:base64key...]');
  const byId = new Map<string, EncryptionKey>();
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator).trim() : '';
    if (!id) throw new Error(`PAYLOAD_ENCRYPTION_KEYS entry ${index + 1}: expected keyId:base64key`);
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error(`PAYLOAD_ENCRYPTION_KEYS entry ${index + 1}: key ID may contain only letters, digits, '.', '_' and '-'`);
    const encoded = entry.slice(separator + 1).trim();
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
      throw new Error(`PAYLOAD_ENCRYPTION_KEYS key "${id}": must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32)`);
    }
    if (byId.has(id)) throw new Error(`PAYLOAD_ENCRYPTION_KEYS key ID "${id}" appears twice`);
    byId.set(id, { id, key });
  });
  return { current: byId.values().next().value as EncryptionKey, byId };
}

/** A short, non-reversible fingerprint for logs ("which key is active?") that reveals nothing about the key. */
export function keyFingerprint(key: EncryptionKey): string {
  return createHash('sha256').update(key.key).digest('hex').slice(0, 8);
}
