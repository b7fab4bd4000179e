/**
 * DISPATCH_ALLOWLIST: which GitHub workflows jobs may dispatch (README "Security"). Comma-separated rules
 * `[installationId:]owner/repo[:workflow]`, where owner, repo and workflow may use `*` as a wildcard and the
 * workflow is a numeric ID or a file name: `acme/*`, `4242:acme/deploy-*:deploy.yml`, `acme/infra:101`. Unset:
 * every target the GitHub App can reach is allowed (as before).
 */
export interface DispatchRule {
  installationId?: number;
  owner: RegExp;
  repo: RegExp;
  workflow?: RegExp;
  text: string;
}

export interface DispatchTarget {
  installationId: number;
  /**
   * Absent while not known yet: a job agent config that names its owner by a numeric `organizationId`, which the job
   * looks up before it dispatches (and checks the allow-list again then). Any rule's owner may match it.
   */
  owner?: string;
  repo: string;
  workflowId: number | string;
}

const RULE = /^(?:(\d+):)?([A-Za-z0-9*][A-Za-z0-9*-]*)\/([A-Za-z0-9._*-]+)(?::([A-Za-z0-9._*-]+))?$/;

function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/** Parses the rules; throws naming the rule that is not of the form. */
export function parseDispatchAllowlist(text: string): DispatchRule[] {
  return text
    .split(',')
    .map((rule) => rule.trim())
    .filter(Boolean)
    .map((rule, index) => {
      const match = RULE.exec(rule);
      if (!match) throw new Error(`rule ${index + 1} ("${rule}") is not [installationId:]owner/repo[:workflow] (wildcard *)`);
      const [, installation, owner, repo, workflow] = match;
      return {
        installationId: installation ? Number(installation) : undefined,
        // GitHub owner and repository names are case-insensitive; workflow file names are not.
        owner: glob(owner as string, true),
        repo: glob(repo as string, true),
        workflow: workflow ? glob(workflow, false) : undefined,
        text: rule,
      };
    });
}

/** Whether a rule allows the target; no rules (unset) allow everything. */
export function isDispatchAllowed(rules: readonly DispatchRule[] | undefined, target: DispatchTarget): boolean {
  if (!rules || rules.length === 0) return true;
  return rules.some(
    (rule) =>
      (rule.installationId === undefined || rule.installationId === target.installationId) &&
      (target.owner === undefined || rule.owner.test(target.owner)) &&
      rule.repo.test(target.repo) &&
      (rule.workflow === undefined || rule.workflow.test(String(target.workflowId))),
  );
}

/** What the refusal says, for the job's message and the API's 403. */
export function describeRefusedTarget(target: DispatchTarget): string {
  const repository = target.owner === undefined ? `repository ${target.repo} of any organization` : `${target.owner}/${target.repo}`;
  return `dispatching ${repository} workflow ${target.workflowId} (installation ${target.installationId}) is not allowed by DISPATCH_ALLOWLIST`;
}
