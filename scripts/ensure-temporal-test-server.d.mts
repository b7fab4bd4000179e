export function pinnedTestServerVersion(): Promise<string>;
export function ensureTemporalTestServer(): Promise<string>;
