// Builds helm once from source with the Go toolchain (the Go module proxy is reachable where prebuilt binaries are not).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GO_BUILD_LOCK, installOnce, TOOLS_BIN, TOOLS_DIR, withLock } from './tools-dir.mjs';

export const HELM_VERSION = 'v3.22.0';
/** Helm's default Kubernetes version (its Makefile derives it from client-go, v0.37 here); a plain go install says 1.20. */
const KUBERNETES_MINOR = '37';

/**
 * Returns the path of a helm binary: `HELM_BIN` if set, else `.tools/bin/helm`, built on first use with
 * `go install helm.sh/helm/v3/cmd/helm@HELM_VERSION` (about two minutes on two cores with empty Go caches).
 * @returns {Promise<string>}
 */
export async function ensureHelm() {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const target = path.join(TOOLS_BIN, 'helm');
  await installOnce(
    'helm',
    `${HELM_VERSION}+k8s1.${KUBERNETES_MINOR}`,
    [target],
    async () => {
      const go = spawnSync('go', ['version'], { encoding: 'utf8' });
      if (go.status !== 0) {
        throw new Error(
          'helm is needed by the chart tests and is built with Go: install Go (https://go.dev/doc/install), ' +
            'or install helm yourself and set HELM_BIN to its path',
        );
      }
      await mkdir(TOOLS_BIN, { recursive: true });
      const gobin = await mkdtemp(path.join(TOOLS_DIR, 'helm-build-'));
      try {
        const ldflags = [
          '-s -w',
          `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
          ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
            `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`,
            `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${KUBERNETES_MINOR}`,
          ]),
        ].join(' ');
        const build = await withLock(GO_BUILD_LOCK, async () =>
          spawnSync('go', ['install', '-ldflags', ldflags, `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
            env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
            stdio: ['ignore', 'inherit', 'inherit'],
          }),
        );
        if (build.status !== 0) throw new Error(`go install helm ${HELM_VERSION} failed (exit ${build.status})`);
        await rename(path.join(gobin, 'helm'), target);
      } finally {
        await rm(gobin, { recursive: true, force: true });
      }
    },
    'about 2 minutes with Go, up to 10 on a busy machine',
  );
  return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await ensureHelm());
}
