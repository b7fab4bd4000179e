import { parseArgs } from 'node:util';
import { loadDeclarativeConfig } from '../config/declarative-config.ts';
import { type CliIo, processIo } from './cli-io.ts';
import { configOwner, DEFAULT_REF } from '../shared/job-agent-config.ts';

const USAGE = `usage: gha-agent config validate [PATH]

  Checks a CONFIG_FILE (a YAML file with JobAgent and Deployment documents, or a directory of them) the way
  the API does at start-up; PATH defaults to $CONFIG_FILE. Exit 1 with every problem (file, document, field).
`;

/** `gha-agent config validate [path]`. */
export async function configCommand(args: string[], io: CliIo = processIo()): Promise<void> {
  const [name, ...rest] = args;
  if (name !== 'validate') {
    io.stdout(USAGE);
    if (name && name !== 'help' && name !== '--help' && name !== '-h') throw new Error(`unknown config command "${name}"`);
    return;
  }
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  const path = positionals[0] ?? io.env.CONFIG_FILE;
  if (!path) throw new Error('no config to validate: pass a PATH or set CONFIG_FILE');
  const config = await loadDeclarativeConfig(path);
  io.stdout(`${path}: valid — ${config.jobAgents.size} job agent(s), ${config.deployments.size} deployment(s)\n`);
  for (const deployment of config.deployments.values()) {
    const { owner, organizationId, repo, workflowId, ref } = deployment.jobAgentConfig as Record<string, unknown>;
    io.stdout(
      `  ${deployment.name} → ${String(configOwner({ owner, organizationId }))}/${String(repo)} workflow ${String(workflowId)} @ ${String(ref ?? DEFAULT_REF)} (agent ${deployment.jobAgent})\n`,
    );
  }
  if (config.ignored.length) io.stdout(`  ignored (not used by this service): ${config.ignored.length} document(s)\n`);
}
