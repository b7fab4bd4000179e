import { SETTINGS } from '../../src/config/settings.ts';

/** Read by Node itself, not the agent: the chart may set them (the worker's heap limit). */
export const NODE_RUNTIME_ENV_VARS: readonly string[] = ['NODE_OPTIONS'];

/** Every env var the agent reads (src/config/settings.ts). */
export const AGENT_ENV_VARS: readonly string[] = SETTINGS.map((setting) => setting.name);
