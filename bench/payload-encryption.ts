// Cost of payload encryption per job payload: encode + decode of a typical job input (the dispatch context,
// ~2 KB of JSON) through the AES-256-GCM codec. A job writes a handful of payloads, so this bounds the overhead.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../src/codec/encryption-codec.ts';
import { parseEncryptionKeys } from '../src/codec/encryption-keys.ts';
import type { BenchRow } from './bench-row.ts';

const input = {
  id: '0b6f3c1e-2d4a-4f7e-9b1a-5c6d7e8f9a0b',
  jobAgentConfig: { installationId: 12345, owner: 'acme', repo: 'deploy', workflowId: 'deploy.yml', ref: 'main' },
  deployment: { id: 'd', name: 'api-service', slug: 'api-service' },
  environment: { id: 'e', name: 'production' },
  resource: { id: 'r', identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod', values: 'x'.repeat(1500) } },
  version: { id: 'v', tag: 'v1.2.3', name: 'Release 1.2.3' },
  variables: { github_org: 'acme', image: 'ghcr.io/acme/api' },
};

export async function run(): Promise<BenchRow[]> {
  const codec = new EncryptionCodec(parseEncryptionKeys(`k1:${randomBytes(32).toString('base64')}`));
  const payload = defaultPayloadConverter.toPayload(input);
  const iterations = 20_000;
  for (let i = 0; i < 1000; i++) await codec.decode(await codec.encode([payload]));
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await codec.decode(await codec.encode([payload]));
  const microseconds = Number(process.hrtime.bigint() - started) / 1000 / iterations;
  return [
    { name: 'payload-encryption', metric: 'payload size', value: payload.data?.length ?? 0, unit: 'bytes' },
    {
      name: 'payload-encryption',
      metric: 'encode+decode per payload',
      value: Math.round(microseconds * 10) / 10,
      unit: 'µs',
      target: '< 100 µs',
      met: microseconds < 100,
    },
  ];
}
