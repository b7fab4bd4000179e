// Where the project's own build and test tools live: a git-ignored folder, filled once and reused.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = path.join(REPO_ROOT, '.tools');
export const TOOLS_BIN = path.join(TOOLS_DIR, 'bin');

const LOCK_STALE_MS = 30 * 60 * 1000;

/**
 * Runs `fn` holding the lock directory `.tools/locks/<name>`, so that parallel test workers (separate processes)
 * take turns. A lock older than 30 minutes is taken to be left over from a killed process.
 * @template T
 * @param {string} name
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withLock(name, fn) {
  const lock = path.join(TOOLS_DIR, 'locks', name);
  await mkdir(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Runs `install` unless `<name>` at `version` is already there (a stamp file records what was installed and every
 * path in `produces` exists), so a tool is built or fetched once and reused.
 * @param {string} name
 * @param {string} version
 * @param {string[]} produces
 * @param {() => Promise<void>} install
 * @param {string} [expected] how long the first install takes, said on stderr while it runs (e.g. "about 2 minutes")
 */
export async function installOnce(name, version, produces, install, expected = 'a few seconds') {
  const stamp = path.join(TOOLS_DIR, 'stamps', `${name}.version`);
  const installed = async () => (await readFile(stamp, 'utf8').catch(() => '')).trim() === version && produces.every((file) => existsSync(file));
  if (await installed()) return;
  await withLock(name, async () => {
    if (await installed()) return;
    const started = Date.now();
    console.error(`setup: preparing ${name} in .tools/ (first run only, ${expected})...`);
    await install();
    console.error(`setup: ${name} ready in ${Math.round((Date.now() - started) / 1000)} s`);
    await mkdir(path.dirname(stamp), { recursive: true });
    await writeFile(stamp, version);
  });
}

/** Go builds use both cores; two at once (helm and compose-config from parallel test files) only slow each other. */
export const GO_BUILD_LOCK = 'go-build';
