import { apiCommand } from './api-command.ts';
import { bundleCommand } from './bundle-command.ts';
import { configCommand } from './config-command.ts';
import { devCommand } from './dev-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { githubCommand } from './github-command.ts';
import { jobsCommand } from './jobs-command.ts';
import { setupCommand } from './setup-command.ts';
import { workerCommand } from './worker-command.ts';

const USAGE = `usage: gha-agent <command>

  api       run the HTTP API (jobs API, GitHub webhook); configured by env vars
  worker    run the Temporal worker (job workflows, GitHub activities); configured by env vars
  setup     register the custom search attributes on the Temporal namespace (idempotent; run once per deploy)
  dev       local everything: Temporal dev server, worker, API, GitHub sandbox (what \`npm run dev\` runs)
  doctor    check the GitHub App, its installations, the Deployments' workflows, the webhook and Temporal; says how to fix each problem
  github    installations | workflows --repo owner/repo | redeliver --since 1h: IDs for jobAgentConfig, replay failed webhook deliveries
  jobs      create | get | list | cancel | watch: the jobs API from a shell (--api-url/--api-key or GHA_AGENT_API_URL/GHA_AGENT_API_KEY)
  config    validate [PATH]: check a CONFIG_FILE (JobAgent and Deployment documents) as the API would at start
  bundle    pre-bundle the workflow code: gha-agent bundle --out dist/workflow-bundle.js
`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  api: apiCommand,
  worker: workerCommand,
  dev: devCommand,
  setup: setupCommand,
  bundle: bundleCommand,
  doctor: doctorCommand,
  github: githubCommand,
  jobs: (args) => jobsCommand(args),
  config: (args) => configCommand(args),
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
