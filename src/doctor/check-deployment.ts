import type { Octokit } from '@octokit/rest';
import type { GithubAppCredentials } from '../config/env.ts';
import { ok, problem, warn, type CheckResult } from './check-result.ts';
import type { DeploymentTarget } from './deployment-targets.ts';
import { createAppOctokit, describeGithubError } from '../github-app/github-app-octokit.ts';
import { inspectWorkflowFile } from './inspect-workflow-file.ts';

export interface DeploymentCheckContext {
  /** Octokit as the App (JWT). */
  app: Octokit;
  apiUrl: string;
  credentials: GithubAppCredentials;
}

const statusOf = (error: unknown): number => describeGithubError(error).status;

/** A branch or tag name as `git/ref` takes it: `heads/x` / `tags/x`, both tried for a bare name. */
async function refExists(github: Octokit, target: DeploymentTarget): Promise<{ found?: string; error?: string }> {
  const ref = target.ref.replace(/^refs\//, '');
  const candidates = /^(heads|tags)\//.test(ref) ? [ref] : [`heads/${ref}`, `tags/${ref}`];
  for (const candidate of candidates) {
    try {
      await github.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: target.owner, repo: target.repo, ref: candidate });
      return { found: candidate };
    } catch (error) {
      if (statusOf(error) !== 404) return { error: describeGithubError(error).message };
    }
  }
  return {};
}

/**
 * Guide: "Workflow not triggered" for one Deployment — the App is installed on the repository, the
 * repository is reachable, the workflow exists and is active, its file at `ref` has `workflow_dispatch`
 * with a `job_id` input and a run-name carrying `inputs.job_id`, and the ref exists.
 */
export async function checkDeployment(target: DeploymentTarget, ctx: DeploymentCheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const id = (what: string) => `deployment.${target.name}.${what}`;
  const label = (what: string) => `${target.name}: ${what}`;
  const fullName = `${target.owner}/${target.repo}`;

  // Which installation covers the repository, per GitHub; compared with the configured one.
  let coveringId: number | undefined;
  try {
    coveringId = (await ctx.app.request('GET /repos/{owner}/{repo}/installation', { owner: target.owner, repo: target.repo })).data.id;
  } catch (error) {
    if (statusOf(error) !== 404) {
      results.push(
        problem(
          id('installation'),
          label('installation'),
          `cannot look up the installation of ${fullName}: ${describeGithubError(error).message}`,
          'see the App JWT check above',
        ),
      );
      return results;
    }
  }
  if (coveringId === undefined) {
    results.push(
      problem(
        id('installation'),
        label('installation'),
        `the App is not installed on ${fullName} (or the repository does not exist)`,
        `App settings → Install App → ${target.owner} → Configure → Repository access: add ${target.repo}; check the owner and repo spelling`,
      ),
    );
    return results;
  }
  if (target.installationId !== undefined && target.installationId !== coveringId) {
    results.push(
      problem(
        id('installation'),
        label('installation'),
        `installationId ${target.installationId} does not cover ${fullName}; installation ${coveringId} does`,
        `set installationId: ${coveringId} (list them with \`gha-agent github installations\`)`,
      ),
    );
    return results;
  }
  const installationId = target.installationId ?? coveringId;
  results.push(ok(id('installation'), label('installation'), `installation ${installationId} covers ${fullName}`));

  const github = createAppOctokit(ctx.apiUrl, ctx.credentials, installationId);
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}', { owner: target.owner, repo: target.repo });
    results.push(ok(id('repository'), label('repository'), `${data.full_name} reachable (default branch ${data.default_branch})`));
  } catch (error) {
    results.push(
      problem(
        id('repository'),
        label('repository'),
        `${fullName} is not reachable with installation ${installationId}: ${describeGithubError(error).message}`,
        `give installation ${installationId} access to ${fullName} (${target.owner} → Settings → GitHub Apps → the App → Repository access)`,
      ),
    );
    return results;
  }

  const ref = await refExists(github, target);
  if (ref.found) results.push(ok(id('ref'), label('ref'), `${target.ref} exists (refs/${ref.found})`));
  else if (ref.error)
    results.push(problem(id('ref'), label('ref'), `cannot look up ref ${target.ref}: ${ref.error}`, 'retry; see the installation checks above'));
  else
    results.push(
      problem(
        id('ref'),
        label('ref'),
        `no branch or tag "${target.ref}" in ${fullName}`,
        `set ref to an existing branch or tag that holds the workflow file (default main)`,
      ),
    );

  let workflowPath: string;
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}', {
      owner: target.owner,
      repo: target.repo,
      workflow_id: target.workflow,
    });
    workflowPath = data.path;
    if (data.state !== 'active') {
      results.push(
        problem(
          id('workflow'),
          label('workflow'),
          `workflow ${data.id} (${data.path}) is ${data.state}`,
          `enable it: ${fullName} → Actions → ${data.name} → Enable workflow`,
        ),
      );
    } else {
      results.push(ok(id('workflow'), label('workflow'), `workflow ${data.id} "${data.name}" (${data.path})`));
    }
  } catch (error) {
    results.push(
      statusOf(error) === 404
        ? problem(
            id('workflow'),
            label('workflow'),
            `no workflow "${target.workflow}" in ${fullName}`,
            `use a workflow ID or file name listed by \`gha-agent github workflows --repo ${fullName}\``,
          )
        : problem(
            id('workflow'),
            label('workflow'),
            `cannot read workflow ${target.workflow}: ${describeGithubError(error).message}`,
            'the App needs Actions permission (see the installation checks above)',
          ),
    );
    return results;
  }
  if (!ref.found) return results;

  let text: string;
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner: target.owner,
      repo: target.repo,
      path: workflowPath,
      ref: target.ref,
    });
    const file = data as { type?: string; content?: string; encoding?: string };
    if (file.type !== 'file' || typeof file.content !== 'string') throw Object.assign(new Error(`${workflowPath} is not a file`), { status: 404 });
    text = Buffer.from(file.content, (file.encoding as BufferEncoding | undefined) ?? 'base64').toString('utf8');
  } catch (error) {
    const status = statusOf(error);
    results.push(
      status === 404
        ? problem(
            id('workflow-file'),
            label('workflow file'),
            `${workflowPath} does not exist at ${target.ref}`,
            `merge the workflow file into ${target.ref}, or set ref to a branch that has it (GitHub runs the file as it is on that ref)`,
          )
        : status === 403
          ? problem(
              id('workflow-file'),
              label('workflow file'),
              `cannot read ${workflowPath}: ${describeGithubError(error).message}`,
              'give the App Contents: Read-only (App settings → Permissions & events) and have the installation accept it',
            )
          : problem(
              id('workflow-file'),
              label('workflow file'),
              `cannot read ${workflowPath}: ${describeGithubError(error).message}`,
              'retry; see the checks above',
            ),
    );
    return results;
  }
  const facts = inspectWorkflowFile(text);
  if (facts.parseError) {
    results.push(
      problem(
        id('workflow-file'),
        label('workflow file'),
        `${workflowPath} at ${target.ref} is not valid YAML: ${facts.parseError}`,
        'fix the file; GitHub shows the same error on the Actions tab',
      ),
    );
    return results;
  }
  results.push(ok(id('workflow-file'), label('workflow file'), `${workflowPath} at ${target.ref} parses`));
  results.push(
    facts.hasDispatchTrigger
      ? ok(id('dispatch-trigger'), label('workflow_dispatch trigger'), 'present')
      : problem(
          id('dispatch-trigger'),
          label('workflow_dispatch trigger'),
          `${workflowPath} has no workflow_dispatch trigger: GitHub refuses the dispatch (422)`,
          "add `on: workflow_dispatch:` with the `job_id` input (see the guide's Workflow Setup)",
        ),
  );
  results.push(
    facts.hasJobIdInput
      ? ok(id('job-id-input'), label('job_id input'), 'declared')
      : problem(
          id('job-id-input'),
          label('job_id input'),
          `workflow_dispatch of ${workflowPath} declares no job_id input: GitHub refuses the dispatch (422 Unexpected inputs)`,
          'add `inputs: job_id: { description: "Ctrlplane Job ID", required: true }` under workflow_dispatch',
        ),
  );
  results.push(
    facts.runNameHasJobId
      ? ok(id('run-name'), label('run-name'), facts.runName as string)
      : // A warning, not a problem: where GitHub answers the dispatch with the run ID (github.com, recent GHES),
        // webhooks match the job by run ID; only servers that answer 204 need the job ID in the run name.
        warn(
          id('run-name'),
          label('run-name'),
          facts.runName === undefined
            ? `${workflowPath} has no run-name: its runs are titled "${facts.name ?? workflowPath}", so webhooks can match the job by run ID only (not on GitHub Enterprise Server versions that answer dispatches without run details)`
            : `run-name "${facts.runName}" does not contain inputs.job_id, so webhooks can match the job by run ID only (not on GitHub Enterprise Server versions that answer dispatches without run details)`,
          'add `run-name: "Deploy ${{ inputs.job_id }}"` at the top level of the workflow file',
        ),
  );
  return results;
}
