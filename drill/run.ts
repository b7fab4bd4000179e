// `npm run drill:cluster`: starts the production topology natively (PostgreSQL, the Temporal server, the chart's
// API and worker replicas from dist/ on the image's Node, a load balancer, the GitHub and Ctrlplane sandboxes), runs
// every drill against it, and prints `N passed, M failed` last. Exit code 1 when a drill failed.
import { apiRollingRestart } from './drills/api-rolling-restart.ts';
import { postgresRestart, temporalServerRestart } from './drills/dependency-restart.ts';
import { rollingWorkerDeploy } from './drills/rolling-worker-deploy.ts';
import { visibilityList } from './drills/visibility-list.ts';
import { workerSigkill } from './drills/worker-sigkill.ts';
import type { Drill } from './drill.ts';
import { startCluster } from './support/cluster.ts';

const DRILLS: Drill[] = [apiRollingRestart, workerSigkill, temporalServerRestart, postgresRestart, visibilityList, rollingWorkerDeploy];

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
const only = process.env.DRILL_ONLY?.split(',').map((name) => name.trim().toLowerCase());

const results: Array<{ name: string; ok: boolean; detail: string; seconds: number }> = [];
let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
// Interrupted (Ctrl-C, a CI timeout): stop what was started, PostgreSQL and the Temporal server included.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the cluster`);
    void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
try {
  cluster = await startCluster(log);
  for (const drill of DRILLS) {
    if (only && !only.some((word) => drill.name.toLowerCase().includes(word))) continue;
    log(`drill: ${drill.name}`);
    const drillStarted = Date.now();
    try {
      const detail = await drill.run(cluster, (line) => log(`  ${line}`));
      results.push({ name: drill.name, ok: true, detail, seconds: (Date.now() - drillStarted) / 1000 });
      log(`  passed: ${detail}`);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ name: drill.name, ok: false, detail, seconds: (Date.now() - drillStarted) / 1000 });
      log(`  FAILED: ${detail}`);
      for (const replica of [...cluster.apis, ...cluster.workers]) {
        if (!replica.running) log(`  ${replica.spec.name} is not running; its last output:\n${replica.log.slice(-2000)}`);
      }
    }
  }
} catch (error) {
  results.push({ name: 'start the cluster', ok: false, detail: error instanceof Error ? (error.stack ?? error.message) : String(error), seconds: 0 });
  log(`FAILED to start the cluster: ${results.at(-1)?.detail}`);
} finally {
  await cluster?.stop();
}
console.log('');
for (const result of results)
  console.log(
    `${result.ok ? 'PASS' : 'FAIL'}  ${result.name} (${result.seconds.toFixed(0)} s)${result.ok ? '' : `\n      ${result.detail.split('\n').join('\n      ')}`}`,
  );
const failed = results.filter((result) => !result.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
