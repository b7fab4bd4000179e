import { envSchema } from '../../src/config/env.ts';

/** Read by src/config/job-timeouts-from-env.ts, outside the env schema. */
const JOB_TIMEOUT_VARS = ['JOB_WEBHOOK_QUIET_PERIOD', 'JOB_POLL_INTERVAL', 'JOB_RUN_DISCOVERY_TIMEOUT', 'JOB_TIMEOUT'];

/** Every env var the agent reads (DESIGN §2 and the rest). */
/** Read by Node itself, not the agent: the chart may set them (the worker's heap limit). */
export const NODE_RUNTIME_ENV_VARS: readonly string[] = ['NODE_OPTIONS'];

export const AGENT_ENV_VARS: readonly string[] = [...new Set([...Object.keys(envSchema.shape), ...JOB_TIMEOUT_VARS])];
