/**
 * DISPATCH_ALLOWLIST: which GitHub workflows jobs may dispatch, at which refs (docs/security.md, "Dispatch allow-list"). Comma-separated
 * rules `[installationId:]owner/repo[:workflow][@ref]`, where owner, repo, workflow and ref may use `*` as a wildcard
 * (in a ref it matches `/` too) and the workflow is a numeric ID or a file name: `acme/*`,
 * `4242:acme/deploy-*:deploy.yml@main`, `acme/infra:101@release/*`. A rule without a ref allows every ref. Unset:
 * every target the GitHub App can reach is allowed.
 */
export interface DispatchRule {
  installationId?: number;
  owner: RegExp;
  repo: RegExp;
  workflow?: RegExp;
  ref?: RegExp;
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
  /** The ref the dispatch names, as the job's config rendered it. */
  ref: string;
}

/** The characters of a ref in a rule: what branch and tag names use (git refuses spaces, `:`, `~`, `^`, `?`, `[`, `\`). */
const RULE = /^(?:(\d+):)?([A-Za-z0-9*][A-Za-z0-9*-]*)\/([A-Za-z0-9._*-]+)(?::([A-Za-z0-9._*-]+))?(?:@([A-Za-z0-9._/*+-]+))?$/;
const RULE_FORM = '[installationId:]owner/repo[:workflow][@ref]';
/** GitHub dispatches `refs/heads/<branch>` as `<branch>`: a rule for the branch covers both spellings. */
const BRANCH_PREFIX = 'refs/heads/';

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
      if (!match) throw new Error(`rule ${index + 1} ("${rule}") is not ${RULE_FORM} (wildcard *)`);
      const [, installation, owner, repo, workflow, ref] = match;
      return {
        installationId: installation ? Number(installation) : undefined,
        // GitHub owner and repository names are case-insensitive; workflow file names are not.
        owner: glob(owner as string, true),
        repo: glob(repo as string, true),
        workflow: workflow ? glob(workflow, false) : undefined,
        // Git refs are case-sensitive.
        ref: ref ? glob(ref, false) : undefined,
        text: rule,
      };
    });
}

function refAllowed(rule: RegExp, ref: string): boolean {
  return rule.test(ref) || (ref.startsWith(BRANCH_PREFIX) && rule.test(ref.slice(BRANCH_PREFIX.length)));
}

/** Whether a rule allows the target; no rules (unset) allow everything. */
export function isDispatchAllowed(rules: readonly DispatchRule[] | undefined, target: DispatchTarget): boolean {
  if (!rules || rules.length === 0) return true;
  return rules.some(
    (rule) =>
      (rule.installationId === undefined || rule.installationId === target.installationId) &&
      (target.owner === undefined || rule.owner.test(target.owner)) &&
      rule.repo.test(target.repo) &&
      (rule.workflow === undefined || rule.workflow.test(String(target.workflowId))) &&
      (rule.ref === undefined || refAllowed(rule.ref, target.ref)),
  );
}

/** What the refusal says, for the job's message and the API's 403. */
export function describeRefusedTarget(target: DispatchTarget): string {
  const repository = target.owner === undefined ? `repository ${target.repo} of any organization` : `${target.owner}/${target.repo}`;
  return `dispatching ${repository} workflow ${target.workflowId} at ${target.ref} (installation ${target.installationId}) is not allowed by DISPATCH_ALLOWLIST`;
}
