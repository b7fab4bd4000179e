import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/** The failure converter module: TypeScript source in a checkout, compiled CommonJS in a build (`dist/`). */
export function encodedFailureConverterPath(): string {
  for (const name of ['encoded-failure-converter.cts', 'encoded-failure-converter.cjs']) {
    const path = fileURLToPath(new URL(`./${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('encoded-failure-converter not found next to data-converter (src/codec or dist/codec)');
}

/**
 * What client and worker convert payloads with. With payload encryption on, failure messages and stack traces
 * are encrypted too (`encodeCommonAttributes`): a GitHub error quoting a ref, a repository or a Ctrlplane answer
 * is as private as the job's input. History then shows "Encoded failure"; the codec endpoint and every client or
 * worker with the keys decode it. Without encryption, failures stay readable as they are.
 */
export function dataConverterFor(payloadCodecs: PayloadCodec[] = []): DataConverter {
  return payloadCodecs.length > 0 ? { payloadCodecs, failureConverterPath: encodedFailureConverterPath() } : { payloadCodecs };
}
