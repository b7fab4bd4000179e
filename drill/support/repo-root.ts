import { fileURLToPath } from 'node:url';

/** The checkout the drill runs from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
