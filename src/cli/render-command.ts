import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { renderJobAgentConfig } from '../domain/render-job-agent-config.ts';

const USAGE = `usage: gha-agent render --config <jobAgentConfig.yaml|json> --context <context.yaml|json>

Renders the job agent config's Go templates against a dispatch context (deployment, environment, resource,
version, variables, ...) exactly as a job would, and validates the result. Prints JSON; exits 1 when a job with
this config would end invalid_job_agent.`;

async function readDocument(path: string): Promise<unknown> {
  // YAML is a superset of JSON, so one parser reads both.
  return parseYaml(await readFile(path, 'utf8'));
}

/** `gha-agent render`: a local preview, no API or Temporal needed. */
export async function renderCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, context: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || !values.config || !values.context) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const jobAgentConfig = (await readDocument(values.config)) as Record<string, unknown>;
  const context = ((await readDocument(values.context)) ?? {}) as Record<string, unknown>;
  const outcome = renderJobAgentConfig({
    id: typeof context.id === 'string' ? context.id : '00000000-0000-4000-8000-000000000000',
    createdAt: new Date().toISOString(),
    jobAgentConfig,
    deployment: (context.deployment ?? { name: '' }) as never,
    environment: (context.environment ?? { name: '' }) as never,
    resource: (context.resource ?? { identifier: '' }) as never,
    version: (context.version ?? { tag: '' }) as never,
    variables: (context.variables ?? {}) as Record<string, unknown>,
    release: context.release as Record<string, unknown> | undefined,
    inputs: context.inputs as Record<string, unknown> | undefined,
  });
  const warnings = outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {};
  const report = outcome.ok
    ? { valid: true, config: outcome.config, ...warnings }
    : { valid: false, message: outcome.message, rendered: outcome.rendered, ...warnings };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!outcome.ok) process.exitCode = 1;
}
