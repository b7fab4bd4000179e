import { pino, type Logger, type LoggerOptions } from 'pino';
import { settingDefault } from '../config/settings.ts';

/**
 * Paths pino blanks out wherever they appear in a log line, as a second line of defence: the code never logs
 * these on purpose (private key, installation tokens, API keys, webhook secret).
 */
export const REDACTED_PATHS = [
  'privateKey',
  '*.privateKey',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-hub-signature-256"]',
  'headers.authorization',
];

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? (process.env.LOG_LEVEL?.trim() || settingDefault('LOG_LEVEL')),
    name: options.name,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
