import type { DeclarativeConfig } from '../config/declarative-config.ts';
import { skipped, type CheckResult } from './check-result.ts';
import { configOwner, DEFAULT_REF, numericOrganizationId } from '../domain/job-agent-config.ts';

/** One repository workflow jobs get dispatched to, as the doctor checks it. */
export interface DeploymentTarget {
  /** A Deployment's name, or `owner/repo` for one given with flags. */
  name: string;
  /** `undefined`: look up the installation that covers the repository. */
  installationId?: number;
  owner: string;
  repo: string;
  /** Numeric workflow ID or file name (`deploy.yml`). */
  workflow: string;
  ref: string;
}

/** `--repo owner/repo --workflow id|file [--ref main] [--installation id]`. */
export function deploymentTargetFromFlags(flags: {
  repo: string;
  workflow: string;
  ref?: string | undefined;
  installation?: string | undefined;
}): DeploymentTarget {
  const [owner, repo, ...rest] = flags.repo.split('/');
  if (!owner || !repo || rest.length > 0) throw new Error(`--repo must be owner/repo, got "${flags.repo}"`);
  if (!/^\d+$/.test(flags.workflow) && !/^[\w.-]+\.ya?ml$/.test(flags.workflow)) {
    throw new Error(`--workflow must be a numeric workflow ID or a file name such as deploy.yml, got "${flags.workflow}"`);
  }
  if (flags.installation !== undefined && !/^\d+$/.test(flags.installation)) throw new Error(`--installation must be numeric, got "${flags.installation}"`);
  return {
    name: `${owner}/${repo}`,
    owner,
    repo,
    workflow: flags.workflow,
    ref: flags.ref?.trim() || DEFAULT_REF,
    ...(flags.installation !== undefined ? { installationId: Number(flags.installation) } : {}),
  };
}

const isTemplated = (value: unknown): boolean => typeof value === 'string' && value.includes('{{');

/**
 * The Deployments of CONFIG_FILE as targets. Fields written as templates are only known once a job's
 * context renders them: such a Deployment is reported as skipped, unless only `installationId` or
 * `ref` is templated (the installation is then looked up, the ref taken as `main`).
 */
export function deploymentTargetsFromConfig(config: DeclarativeConfig): { targets: DeploymentTarget[]; results: CheckResult[] } {
  const targets: DeploymentTarget[] = [];
  const results: CheckResult[] = [];
  for (const deployment of config.deployments.values()) {
    const c = deployment.jobAgentConfig;
    const owner = configOwner(c);
    const templated = (['owner', 'repo', 'workflowId'] as const).filter((key) => isTemplated(key === 'owner' ? owner : c[key]));
    if (templated.length > 0) {
      results.push(
        skipped(
          `deployment.${deployment.name}`,
          `Deployment ${deployment.name}`,
          `${templated.join(', ')} ${templated.length === 1 ? 'is a template' : 'are templates'}: known only when a job renders them (check one with --repo/--workflow)`,
        ),
      );
      continue;
    }
    const organizationId = c.owner === undefined ? numericOrganizationId(c.organizationId) : undefined;
    if (organizationId !== undefined) {
      results.push(
        skipped(
          `deployment.${deployment.name}`,
          `Deployment ${deployment.name}`,
          `organizationId ${organizationId} is a numeric GitHub organization ID, whose login a job looks up when it runs (check one with --repo <login>/${String(c.repo)} --workflow ${String(c.workflowId)})`,
        ),
      );
      continue;
    }
    const installationId = isTemplated(c.installationId) ? undefined : Number(c.installationId);
    const ref = typeof c.ref === 'string' && c.ref.trim() !== '' && !isTemplated(c.ref) ? c.ref.trim() : DEFAULT_REF;
    targets.push({
      name: deployment.name,
      owner: String(owner),
      repo: String(c.repo),
      workflow: String(c.workflowId),
      ref,
      ...(installationId !== undefined && Number.isInteger(installationId) ? { installationId } : {}),
    });
  }
  return { targets, results };
}
