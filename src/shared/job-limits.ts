/**
 * A job agent config, as given or as rendered, is a handful of short fields; past this it is refused before it
 * reaches the workflow's history: 413 by the jobs API, `invalidJobAgent` for a job pulled from Ctrlplane
 * (docs/architecture.md "Ctrlplane connection").
 */
export const MAX_JOB_AGENT_CONFIG_BYTES = 64 * 1024;

/** Why `value` (named `what`) is over MAX_JOB_AGENT_CONFIG_BYTES, or undefined when it is not. */
export function oversizedJobAgentConfig(what: string, value: unknown): string | undefined {
  const bytes = new TextEncoder().encode(JSON.stringify(value) ?? '').byteLength;
  if (bytes <= MAX_JOB_AGENT_CONFIG_BYTES) return undefined;
  return `${what} is ${bytes} bytes; the limit is ${MAX_JOB_AGENT_CONFIG_BYTES} bytes (64 KiB)`;
}
