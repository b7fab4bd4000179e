export function composeTemporalVersion(): Promise<string>;
export function ensureTemporalServer(): Promise<{ version: string; server: string; sqlTool: string; schemaDir: string }>;
