const USAGE = `usage: gha-agent <command>

  api       run the HTTP API (jobs API, GitHub webhook); configured by env vars
  worker    run the Temporal worker (job workflows, GitHub and Ctrlplane activities, the Ctrlplane poller); configured by env vars
  setup     register the custom search attributes on the Temporal namespace (idempotent; run once per deploy)
  dev       local everything: Temporal dev server, worker, API, GitHub and Ctrlplane sandboxes (what \`npm run dev\` runs)
  doctor    check the GitHub App, its installations, the Deployments' workflows, the webhook, Ctrlplane and Temporal; says how to fix each problem
  github    installations | workflows --repo owner/repo | redeliver --since 1h: IDs for jobAgentConfig, replay failed webhook deliveries
  jobs      create | get | list | cancel | watch: the jobs API from a shell (--api-url/--api-key or GHA_AGENT_API_URL/GHA_AGENT_API_KEY)
  config    validate [PATH]: check a CONFIG_FILE (JobAgent and Deployment documents) as the API would at start
  render    --config C --context X: preview a job agent config rendered and validated, as a job would
  bundle    pre-bundle the workflow code: gha-agent bundle --out dist/workflow-bundle.js
`;

// Loaded on demand: `api` and `worker` never load the dev-only parts (the GitHub sandbox and its
// devDependencies are not in the production image).
const commands: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  api: async () => (await import('./api-command.ts')).apiCommand,
  worker: async () => (await import('./worker-command.ts')).workerCommand,
  dev: async () => (await import('./dev-command.ts')).devCommand,
  setup: async () => (await import('./setup-command.ts')).setupCommand,
  bundle: async () => (await import('./bundle-command.ts')).bundleCommand,
  doctor: async () => (await import('./doctor-command.ts')).doctorCommand,
  github: async () => (await import('./github-command.ts')).githubCommand,
  jobs: async () => (await import('./jobs-command.ts')).jobsCommand,
  config: async () => (await import('./config-command.ts')).configCommand,
  render: async () => (await import('./render-command.ts')).renderCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  if (name && name !== 'help' && name !== '--help') process.stderr.write(`gha-agent: unknown command "${name}"\n\n`);
  process.stderr.write(USAGE);
  process.exit(name && name !== 'help' && name !== '--help' ? 2 : 0);
}
command()
  .then((run) => run(args))
  .catch((error: Error) => {
    process.stderr.write(`gha-agent ${name}: ${error.message}\n`);
    process.exit(1);
  });
