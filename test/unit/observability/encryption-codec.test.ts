import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, METADATA_KEY_ID } from '../../../src/codec/encryption-codec.ts';
import { parseEncryptionKeys } from '../../../src/codec/encryption-keys.ts';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const secretConfig = { namespace: 'prod', token: 'very-secret-resource-config' };

describe('EncryptionCodec', () => {
  it('encrypts so the ciphertext holds no plaintext, and decrypts back to the same payload', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(`k1:${keyA}`));
    const payload = defaultPayloadConverter.toPayload(secretConfig);
    const [encrypted] = await codec.encode([payload]);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('very-secret');
    expect(new TextDecoder().decode(encrypted!.metadata![METADATA_KEY_ID])).toBe('k1');
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(secretConfig);
  });

  it('uses a fresh IV per payload', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(`k1:${keyA}`));
    const payload = defaultPayloadConverter.toPayload('same');
    const [one, two] = await codec.encode([payload, payload]);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
  });

  it('keeps decrypting old payloads after a rotation, and encrypts new ones with the first key', async () => {
    const before = new EncryptionCodec(parseEncryptionKeys(`old:${keyA}`));
    const after = new EncryptionCodec(parseEncryptionKeys(`new:${keyB},old:${keyA}`));
    const [oldPayload] = await before.encode([defaultPayloadConverter.toPayload('written before')]);
    const [newPayload] = await after.encode([defaultPayloadConverter.toPayload('written after')]);
    expect(new TextDecoder().decode(newPayload!.metadata![METADATA_KEY_ID])).toBe('new');
    const decoded = await after.decode([oldPayload!, newPayload!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['written before', 'written after']);
    await expect(before.decode([newPayload!])).rejects.toThrow(/unknown key "new"/);
  });

  it('refuses a tampered payload', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(`k1:${keyA}`));
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(secretConfig)]);
    const data = Buffer.from(encrypted!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow();
  });

  it('passes unencrypted payloads through on decode (history written before encryption was turned on)', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(`k1:${keyA}`));
    const plain = defaultPayloadConverter.toPayload('plain');
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('parseEncryptionKeys', () => {
  it('reads keyId:base64 pairs, first one current', () => {
    const ring = parseEncryptionKeys(` a:${keyA} , b:${keyB} `);
    expect(ring.current.id).toBe('a');
    expect([...ring.byId.keys()]).toEqual(['a', 'b']);
  });

  it.each([
    ['', /empty/],
    [keyA, /entry 1: expected keyId:base64key/],
    [`a:${randomBytes(16).toString('base64')}`, /key "a": must be 32 bytes/],
    [`a:${keyA},a:${keyB}`, /"a" appears twice/],
    [`a b:${keyA}`, /key ID may contain only/],
  ])('rejects %j with a message that names the problem', (value, message) => {
    expect(() => parseEncryptionKeys(value)).toThrow(message);
  });

  it('never puts key material in its error messages', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseEncryptionKeys(`a:${short}`)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(short) }));
  });
});
