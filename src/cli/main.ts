import { apiCommand } from './api-command.ts';
import { bundleCommand } from './bundle-command.ts';
import { devCommand } from './dev-command.ts';
import { workerCommand } from './worker-command.ts';

const USAGE = `usage: gha-agent <command>

  api       run the HTTP API (jobs API, GitHub webhook); configured by env vars
  worker    run the Temporal worker (job workflows, GitHub activities); configured by env vars
  dev       local everything: Temporal dev server, worker, API, GitHub sandbox (what \`npm run dev\` runs)
  bundle    pre-bundle the workflow code: gha-agent bundle --out dist/workflow-bundle.js
`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  api: apiCommand,
  worker: workerCommand,
  dev: devCommand,
  bundle: bundleCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  process.stderr.write(USAGE);
  process.exit(name && name !== 'help' && name !== '--help' ? 2 : 0);
}
command(args).catch((error: Error) => {
  process.stderr.write(`gha-agent ${name}: ${error.message}\n`);
  process.exit(1);
});
