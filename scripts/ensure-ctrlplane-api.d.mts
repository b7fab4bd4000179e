export const CTRLPLANE_API_HOME: string;
export const CTRLPLANE_API_SCRIPT: string;
export const CTRLPLANE_API_DIR: string;
export function ctrlplaneApiScript(command: string, ports?: { pgPort?: number; apiPort?: number }): string;
export function ensureCtrlplaneApi(): Promise<void>;
