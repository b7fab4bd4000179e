// Makes sure a Chromium exists for the Temporal UI browser test (test/e2e/temporal-ui.test.ts): Debian's
// `chromium` package, installed with apt-get when missing and we are root (CI runs as root).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Returns the Chromium executable: `CHROMIUM_PATH` if set, else /usr/bin/chromium, installing it with
 * `apt-get update && apt-get install -y chromium` first when it is missing and the process is root.
 * Returns undefined (and says why on stderr) when it is missing and cannot be installed.
 * @returns {string | undefined}
 */
export function ensureChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(DEFAULT_CHROMIUM_PATH)) return DEFAULT_CHROMIUM_PATH;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(
      'setup: chromium not found: the Temporal UI browser test needs it. Install it (Debian/Ubuntu: ' +
        'sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium/Chrome executable.',
    );
    return undefined;
  }
  console.error('setup: installing chromium with apt-get (for the Temporal UI browser test; first run only, about a minute)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`setup: apt-get ${args.join(' ')} failed (exit ${result.status})`);
      return undefined;
    }
  }
  return existsSync(DEFAULT_CHROMIUM_PATH) ? DEFAULT_CHROMIUM_PATH : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = ensureChromium();
  if (path) console.log(path);
  process.exit(path ? 0 : 1);
}
