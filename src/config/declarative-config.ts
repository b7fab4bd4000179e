import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { missingTargetSettings, validateJobAgentConfig } from '../domain/job-agent-config.ts';
import { templateSyntaxError, withTemplateHint } from '../template/index.ts';

/** `type: JobAgent`; only GitHub App agents run here. */
const jobAgentDocument = z.strictObject({
  type: z.literal('JobAgent'),
  name: z.string().trim().min(1, 'name is required'),
  agentType: z.literal('github-app', { message: 'agentType must be github-app (the only agent type this service runs)' }),
  id: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** `type: Deployment`: a name jobs can use instead of carrying their own jobAgentConfig; it locks its settings (docs/architecture.md "Configured Deployments"). */
const deploymentDocument = z.strictObject({
  type: z.literal('Deployment'),
  name: z.string().trim().min(1, 'name is required'),
  slug: z.string().trim().min(1).optional(),
  id: z.string().optional(),
  description: z.string().optional(),
  system: z.string().optional(),
  jobAgent: z.string().trim().min(1, 'jobAgent is required (the name of a JobAgent document)'),
  jobAgentConfig: z.record(z.string(), z.unknown(), { message: 'jobAgentConfig must be a mapping' }),
  /**
   * Keys of jobAgentConfig a job request may set or change. Every other key, and every setting a job reads, is locked
   * (`configured-deployment-lock.ts`, docs/architecture.md "Configured Deployments").
   */
  overridable: z
    .array(z.string().trim().min(1, 'overridable keys must not be empty'), { message: 'overridable must be a list of jobAgentConfig keys' })
    .optional(),
  /** The Deployment's variables: what its templates see, and what a locked key is compared with (a request's cannot change it). */
  variables: z.record(z.string(), z.unknown(), { message: 'variables must be a mapping' }).optional(),
});

export type JobAgentDefinition = z.infer<typeof jobAgentDocument>;
export type DeploymentDefinition = z.infer<typeof deploymentDocument> & { source: string };

export interface DeclarativeConfig {
  jobAgents: ReadonlyMap<string, JobAgentDefinition>;
  deployments: ReadonlyMap<string, DeploymentDefinition>;
  /** Documents of other Ctrlplane types (System, Environment, ...) that this service has no use for. */
  ignored: string[];
}

/** Every problem of a config, each naming file, document and field. */
export class DeclarativeConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid CONFIG_FILE:\n  ${problems.join('\n  ')}`);
    this.name = 'DeclarativeConfigError';
  }
}

const YAML_FILE = /\.ya?ml$/i;

async function configFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new DeclarativeConfigError([`${path}: ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`]);
  });
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && YAML_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath ?? (entry as { path?: string }).path ?? path, entry.name))
    .sort();
}

const hasTemplate = (value: unknown): boolean =>
  typeof value === 'string' ? value.includes('{{') : value !== null && typeof value === 'object' && Object.values(value).some(hasTemplate);

/**
 * A jobAgentConfig without templates is checked in full now; one with templates can only be checked once a
 * job's context is known, so here only that the required fields are there.
 */
function checkJobAgentConfig(config: Record<string, unknown>): string[] {
  const missing = missingTargetSettings(config);
  const problems = missing.map((key) => `jobAgentConfig.${key} is required`);
  // Templates can be parsed without a context: a syntax error is found now, not by the first job.
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string' && value.includes('{{')) {
      const error = templateSyntaxError(value, path);
      if (error) problems.push(`jobAgentConfig.${path}: ${withTemplateHint(error)}`);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    }
  };
  walk(config, '');
  if (!hasTemplate(config)) {
    const validation = validateJobAgentConfig(config);
    // Fields already reported missing are not reported again with the validator's vaguer words.
    const more = validation.ok ? [] : validation.message.split('; ').filter((message) => !missing.some((key) => message.startsWith(key)));
    problems.push(...more.map((message) => `jobAgentConfig.${message}`));
  }
  return problems;
}

/**
 * Loads `CONFIG_FILE`: one YAML file with any number of documents, or a directory of them (recursively, in
 * path order). Throws a DeclarativeConfigError listing every problem rather than stopping at the first.
 */
export async function loadDeclarativeConfig(path: string): Promise<DeclarativeConfig> {
  const problems: string[] = [];
  const jobAgents = new Map<string, JobAgentDefinition>();
  const deployments = new Map<string, DeploymentDefinition>();
  const ignored: string[] = [];
  const files = await configFiles(path);
  if (files.length === 0) throw new DeclarativeConfigError([`${path}: no .yaml or .yml files`]);

  for (const file of files) {
    const inCwd = relative(process.cwd(), file);
    const shown = inCwd && !inCwd.startsWith('..') ? inCwd : file;
    const documents = parseAllDocuments(await readFile(file, 'utf8'));
    const list = Array.isArray(documents) ? documents : [documents];
    list.forEach((document, index) => {
      const where = `${shown} document ${index + 1}`;
      if (document.errors.length > 0) {
        for (const error of document.errors) problems.push(`${where}: ${error.message.split('\n')[0]}`);
        return;
      }
      const value: unknown = document.toJS();
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${where}: expected a mapping with a type field`);
        return;
      }
      const type = (value as { type?: unknown }).type;
      const label = (value as { name?: unknown }).name;
      const named = typeof label === 'string' ? `${where} (${String(type)} "${label}")` : where;
      if (type === 'JobAgent' || type === 'Deployment') {
        const parsed = (type === 'JobAgent' ? jobAgentDocument : deploymentDocument).safeParse(value, { reportInput: true });
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const field = issue.path.join('.') || '(document)';
            const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
            problems.push(`${named}: ${field}: ${message}`);
          }
          return;
        }
        const definition = parsed.data;
        if (definition.type === 'JobAgent') {
          if (jobAgents.has(definition.name)) problems.push(`${named}: name: JobAgent "${definition.name}" is defined twice`);
          jobAgents.set(definition.name, definition);
        } else {
          if (deployments.has(definition.name)) problems.push(`${named}: name: Deployment "${definition.name}" is defined twice`);
          for (const problem of checkJobAgentConfig(definition.jobAgentConfig)) problems.push(`${named}: ${problem}`);
          deployments.set(definition.name, { ...definition, source: named });
        }
        return;
      }
      if (typeof type !== 'string' || type === '') {
        problems.push(`${where}: type: is required (JobAgent or Deployment)`);
        return;
      }
      ignored.push(`${named}`);
    });
  }
  for (const deployment of deployments.values()) {
    if (!jobAgents.has(deployment.jobAgent)) {
      const known = [...jobAgents.keys()];
      problems.push(`${deployment.source}: jobAgent: no JobAgent named "${deployment.jobAgent}"${known.length ? ` (defined: ${known.join(', ')})` : ''}`);
    }
  }
  if (problems.length > 0) throw new DeclarativeConfigError(problems);
  return { jobAgents, deployments, ignored };
}

/** No CONFIG_FILE: no named deployments. */
export const EMPTY_DECLARATIVE_CONFIG: DeclarativeConfig = { jobAgents: new Map(), deployments: new Map(), ignored: [] };
