export const NODE_LTS_VERSION: string;
export function dockerfileNodeMajor(): Promise<number>;
export function ensureNodeLts(): Promise<string>;
