import { DEFAULT_REF, JOB_AGENT_SETTINGS } from '../domain/job-agent-config.ts';
import type { JobWorkflowInput } from '../domain/job.ts';
import { renderConfig } from '../template/index.ts';
import { templateData } from '../domain/render-job-agent-config.ts';
import type { DeploymentDefinition } from './declarative-config.ts';

/**
 * A Deployment of `CONFIG_FILE` locks its job agent config (docs/architecture.md "Configured Deployments"): every
 * setting a job reads (installation, owner, organizationId, repository, workflow, ref, jobTokenInput) and every other
 * key it sets is locked, unless the Deployment lists the key under `overridable`. A locked key must render, with the
 * job's context, to what the Deployment's own setting renders to with the Deployment's own variables: neither a key the
 * request sends nor a variable it sends can change it. Values are compared as rendered, not as template text.
 */
export function lockedKeys(deployment: Pick<DeploymentDefinition, 'jobAgentConfig' | 'overridable'>): string[] {
  const overridable = new Set(deployment.overridable ?? []);
  const keys = new Set([...JOB_AGENT_SETTINGS, ...Object.keys(deployment.jobAgentConfig)]);
  return [...keys].filter((key) => !overridable.has(key));
}

/**
 * A value as a job reads it: text trimmed, a number as its digits, anything else as JSON; a ref that is absent, blank
 * or not text is the default ref, as validation reads it (job-agent-config.ts).
 */
function comparable(key: string, value: unknown): string | undefined {
  if (key === 'ref') return typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_REF;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** One key rendered alone with the job's context; a key whose template fails compares by its template text. */
function renderedKey(config: Record<string, unknown>, key: string, data: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(config, key)) return comparable(key, undefined);
  try {
    return comparable(key, renderConfig({ [key]: config[key] }, data)[key]);
  } catch {
    return `unrenderable ${JSON.stringify(config[key])}`;
  }
}

/**
 * The locked keys of `deployment` that the job would dispatch differently from the Deployment's own setting. The
 * job's config (the Deployment's merged with the request's keys) is rendered with the job's context, as the workflow
 * will; the Deployment's with the same context but the Deployment's variables in place of the job's.
 */
export function lockedKeysChanged(deployment: DeploymentDefinition, job: JobWorkflowInput): string[] {
  const jobData = templateData(job);
  const configuredData = templateData({ ...job, variables: deployment.variables ?? {} });
  return lockedKeys(deployment).filter((key) => renderedKey(job.jobAgentConfig, key, jobData) !== renderedKey(deployment.jobAgentConfig, key, configuredData));
}

/**
 * The same check in the dispatch activity, where the job's config is already rendered and validated to the target it
 * dispatches: `dispatched` holds those settings, `context` the job's context without its variables.
 */
export function lockedSettingsChanged(deployment: DeploymentDefinition, context: DeploymentLockContext, dispatched: Record<string, unknown>): string[] {
  const configuredData = templateData({ createdAt: '', ...context, jobAgentConfig: deployment.jobAgentConfig, variables: deployment.variables ?? {} });
  // An owner the Deployment names by organizationId is the login GitHub gave for it: the API compared organizationId.
  const ownerLookedUp = !Object.hasOwn(deployment.jobAgentConfig, 'owner') && Object.hasOwn(deployment.jobAgentConfig, 'organizationId');
  return lockedKeys(deployment).filter(
    (key) =>
      key in dispatched &&
      !(key === 'owner' && ownerLookedUp) &&
      comparable(key, dispatched[key]) !== renderedKey(deployment.jobAgentConfig, key, configuredData),
  );
}

/** What the dispatch activity is given of a job to check it: its context without variables (they may be secret). */
export type DeploymentLockContext = Pick<JobWorkflowInput, 'id' | 'deployment' | 'environment' | 'resource' | 'version' | 'release' | 'inputs'>;

/** What the refusal says (API 403, or the job's message when the worker refuses). */
export function describeLockedKeysChanged(deployment: DeploymentDefinition, keys: readonly string[]): string {
  const hint = deployment.overridable?.length ? `it lets a request change ${deployment.overridable.join(', ')} only` : 'it lists no overridable keys';
  return `${keys.join(', ')} of the configured Deployment "${deployment.name}" cannot be changed by a request (compared as rendered with the job's context and the Deployment's own variables; ${hint})`;
}
