#!/usr/bin/env node
// A checkout runs its TypeScript source through tsx (so a stale dist/ never shadows it); an install without
// src/ (the container image, an npm package) runs the compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
