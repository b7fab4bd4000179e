import { parseArgs } from 'node:util';
import { DeclarativeConfigError, loadDeclarativeConfig } from '../config/declarative-config.ts';
import { type CliIo, processIo } from './cli-io.ts';
import { configOwner, DEFAULT_REF, numericOrganizationId } from '../domain/job-agent-config.ts';

const USAGE = `usage: gha-agent config validate [--json] [PATH]

  Checks a CONFIG_FILE (a YAML file with JobAgent and Deployment documents, or a directory of them) the way
  the API does at start-up; PATH defaults to $CONFIG_FILE. Exit 1 with every problem (file, document, field).
  --json prints {valid, deployments} or {valid: false, problems} for scripts and CI.
`;

/** `gha-agent config validate [path]`. */
export async function configCommand(args: string[], io: CliIo = processIo()): Promise<void> {
  const [name, ...rest] = args;
  if (name !== 'validate') {
    io.stdout(USAGE);
    if (name && name !== 'help' && name !== '--help' && name !== '-h') throw new Error(`unknown config command "${name}"`);
    return;
  }
  const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const path = positionals[0] ?? io.env.CONFIG_FILE;
  if (!path) throw new Error('no config to validate: pass a PATH or set CONFIG_FILE');
  if (values.json) {
    try {
      const config = await loadDeclarativeConfig(path);
      const deployments = [...config.deployments.values()].map(({ name, jobAgent, jobAgentConfig }) => ({ name, jobAgent, jobAgentConfig }));
      io.stdout(`${JSON.stringify({ valid: true, path, jobAgents: [...config.jobAgents.keys()], deployments }, null, 2)}\n`);
    } catch (error) {
      if (!(error instanceof DeclarativeConfigError)) throw error;
      io.stdout(`${JSON.stringify({ valid: false, path, problems: error.problems }, null, 2)}\n`);
      throw new Error(`${error.problems.length} problem(s) in ${path}`, { cause: error });
    }
    return;
  }
  const config = await loadDeclarativeConfig(path);
  io.stdout(`${path}: valid — ${config.jobAgents.size} job agent(s), ${config.deployments.size} deployment(s)\n`);
  for (const deployment of config.deployments.values()) {
    const { owner, organizationId, repo, workflowId, ref } = deployment.jobAgentConfig as Record<string, unknown>;
    // As a job reads them: a numeric organizationId is looked up when the job runs; a ref that is not text is main.
    const id = owner === undefined ? numericOrganizationId(organizationId) : undefined;
    const shownOwner = id !== undefined ? `<organization ${id}>` : String(configOwner({ owner, organizationId }));
    const shownRef = typeof ref === 'string' && ref.trim() !== '' ? ref : DEFAULT_REF;
    io.stdout(`  ${deployment.name} → ${shownOwner}/${String(repo)} workflow ${String(workflowId)} @ ${shownRef} (agent ${deployment.jobAgent})\n`);
  }
  if (config.ignored.length) io.stdout(`  ignored (not used by this service): ${config.ignored.length} document(s)\n`);
}
