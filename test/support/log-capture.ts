import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logging/create-logger.ts';

export interface LogCapture {
  logger: Logger;
  /** Every line written so far, raw (as an operator's log pipeline would receive it). */
  raw(): string;
  /** The lines parsed as JSON. */
  entries(): Array<Record<string, unknown>>;
}

/** A real pino logger (same redaction as production) whose output is kept in memory. */
export function captureLogs(level = 'debug'): LogCapture {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    raw: () => chunks.join(''),
    entries: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
