import { createHash } from 'node:crypto';
import type { GithubOpenapi, JsonObject } from './openapi-spec.ts';
import type { DeliveryAttempt, WebhookConfig } from './webhook-sender.ts';
import { githubTime, legacyNodeId, rebaseExample, stableId, stableSha } from './rebase-example.ts';

/** A repository as the sandbox knows it. */
export interface SandboxRepo {
  owner: string;
  name: string;
  fullName: string;
  id: number;
  defaultBranch: string;
  branches: Set<string>;
}

/** A workflow file of a repository. */
export interface SandboxWorkflow {
  id: number;
  path: string;
  name: string;
  /** File name (`deploy.yml`), which GitHub accepts in place of the id. */
  fileName: string;
}

/** What a workflow run is made of; the API object is derived from it on every read. */
export interface RunRecord {
  id: number;
  repo: SandboxRepo;
  workflow: SandboxWorkflow;
  runNumber: number;
  checkSuiteId: number;
  headBranch: string;
  headSha: string;
  displayTitle: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  createdAt: number;
  updatedAt: number;
  runStartedAt: number;
}

/** The permissions the sandbox app has; `actions: write` is what dispatching needs. */
export const APP_PERMISSIONS = { actions: 'write', contents: 'read', metadata: 'read' } as const;

/** The fields of an organization GitHub shows to anyone, not only to its owners (`organization-full` has both). */
const PUBLIC_ORGANIZATION_FIELDS = new Set([
  'login',
  'id',
  'node_id',
  'url',
  'repos_url',
  'events_url',
  'hooks_url',
  'issues_url',
  'members_url',
  'public_members_url',
  'avatar_url',
  'description',
  'name',
  'company',
  'blog',
  'location',
  'email',
  'twitter_username',
  'is_verified',
  'has_organization_projects',
  'has_repository_projects',
  'public_repos',
  'public_gists',
  'followers',
  'following',
  'html_url',
  'created_at',
  'updated_at',
  'archived_at',
  'type',
]);

/** What the App is subscribed to and may do (an installation may have accepted fewer permissions). */
export interface AppSettings {
  events: readonly string[];
  permissions: Readonly<Record<string, string>>;
}

export const DEFAULT_APP_SETTINGS: AppSettings = { events: ['workflow_run'], permissions: APP_PERMISSIONS };

/**
 * Builds GitHub REST objects from the examples in GitHub's OpenAPI description, overriding only the
 * fields that identify the sandbox's app, accounts, repositories, workflows and runs.
 */
export class GithubObjects {
  readonly appSlug: string;
  readonly clientId: string;

  constructor(
    private readonly openapi: GithubOpenapi,
    readonly apiBaseUrl: string,
    readonly appId: number,
  ) {
    this.appSlug = `sandbox-app-${appId}`;
    this.clientId = `Iv23liSandbox${String(appId).padStart(7, '0')}`;
  }

  /** The numeric ID of an account: stable for its login, the same wherever the account appears. */
  accountId(login: string): number {
    return stableId('account', login);
  }

  /** An organization account (a user-shaped object, as GitHub nests them). */
  account(login: string): JsonObject {
    const template = this.openapi.example('integration').owner as JsonObject;
    const id = this.accountId(login);
    return {
      ...rebaseExample(template, { apiBaseUrl: this.apiBaseUrl, owner: { from: String(template.login), to: login } }),
      login,
      id,
      node_id: legacyNodeId('Organization', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      type: 'Organization',
      site_admin: false,
    };
  }

  /** The app's bot user, which GitHub shows as actor and sender of what the app triggers. */
  botUser(): JsonObject {
    const login = `${this.appSlug}[bot]`;
    const id = stableId('bot', this.appSlug);
    const template = this.openapi.example('integration').owner as JsonObject;
    // GitHub escapes the brackets of bot logins in URLs (`/users/x%5Bbot%5D`).
    const inUrls = encodeURIComponent(login);
    return {
      ...rebaseExample(template, { apiBaseUrl: this.apiBaseUrl, owner: { from: String(template.login), to: inUrls } }),
      login,
      id,
      node_id: legacyNodeId('Bot', id),
      avatar_url: `https://avatars.githubusercontent.com/in/${this.appId}?v=4`,
      html_url: `https://github.com/apps/${this.appSlug}`,
      type: 'Bot',
      site_admin: false,
    };
  }

  /**
   * `GET /orgs/{org}` (and `GET /organizations/{id}`) as an installation without organization permissions sees it:
   * the public fields only, as GitHub keeps the rest (plan, billing, member settings) for owners.
   */
  organization(login: string): JsonObject {
    const example = this.openapi.example('organization-full');
    const id = this.accountId(login);
    const rebased = rebaseExample(example, { apiBaseUrl: this.apiBaseUrl, owner: { from: String(example.login), to: login } });
    const shown = Object.fromEntries(Object.entries(rebased).filter(([key]) => PUBLIC_ORGANIZATION_FIELDS.has(key)));
    return {
      ...shown,
      login,
      id,
      node_id: legacyNodeId('Organization', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      description: `Sandbox organization ${login}`,
      name: login,
      is_verified: false,
      public_repos: 0,
      html_url: `https://github.com/${login}`,
      archived_at: null,
      type: 'Organization',
    };
  }

  /** `GET /app` */
  app(installationsCount: number, settings: AppSettings = DEFAULT_APP_SETTINGS): JsonObject {
    const example = this.openapi.example('integration');
    const owner = example.owner as JsonObject;
    return {
      ...rebaseExample(example, { apiBaseUrl: this.apiBaseUrl, owner: { from: String(owner.login), to: 'sandbox' } }),
      id: this.appId,
      slug: this.appSlug,
      client_id: this.clientId,
      node_id: legacyNodeId('Integration', this.appId),
      owner: this.account('sandbox'),
      name: `Sandbox App ${this.appId}`,
      description: 'GitHub sandbox of github-actions-agent',
      external_url: 'https://example.com',
      html_url: `https://github.com/apps/${this.appSlug}`,
      permissions: { ...settings.permissions },
      events: [...settings.events],
      installations_count: installationsCount,
    };
  }

  /** `GET /app/installations/{id}`, `GET /repos/{owner}/{repo}/installation` */
  installation(id: number, account: string, selection: 'all' | 'selected', settings: AppSettings = DEFAULT_APP_SETTINGS): JsonObject {
    const example = this.openapi.example('installation');
    const exampleAccount = example.account as JsonObject;
    const owner = this.account(account);
    return {
      ...rebaseExample(example, { apiBaseUrl: this.apiBaseUrl, owner: { from: String(exampleAccount.login), to: account } }),
      id,
      account: owner,
      repository_selection: selection,
      access_tokens_url: `${this.apiBaseUrl}/app/installations/${id}/access_tokens`,
      repositories_url: `${this.apiBaseUrl}/installation/repositories`,
      html_url: `https://github.com/organizations/${account}/settings/installations/${id}`,
      app_id: this.appId,
      client_id: this.clientId,
      app_slug: this.appSlug,
      target_id: owner.id,
      target_type: 'Organization',
      permissions: { ...settings.permissions },
      events: [...settings.events],
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_at: null,
      suspended_by: null,
    };
  }

  /** `POST /app/installations/{id}/access_tokens` */
  installationToken(
    token: string,
    expiresAt: number,
    selection: 'all' | 'selected',
    repos: SandboxRepo[],
    permissions: Readonly<Record<string, string>> = APP_PERMISSIONS,
  ): JsonObject {
    const example = this.openapi.example('installation-token');
    const { repositories: _omit, ...rest } = example;
    return {
      ...rest,
      token,
      expires_at: githubTime(expiresAt),
      permissions: { ...permissions },
      repository_selection: selection,
      ...(selection === 'selected' ? { repositories: repos.map((r) => this.repository(r)) } : {}),
    };
  }

  /** The repository shape GitHub nests in runs and lists (`repository` of a workflow run). */
  repository(repo: SandboxRepo): JsonObject {
    const template = this.openapi.example('workflow-run').repository as JsonObject;
    return this.rebaseRepository(template, repo);
  }

  /** `GET /repos/{owner}/{repo}` */
  fullRepository(repo: SandboxRepo): JsonObject {
    const template = this.openapi.example('full-repository-default-response');
    const { parent: _p, source: _s, template_repository: _t, ...rest } = template;
    const out = this.rebaseRepository(rest, repo);
    out.organization = this.account(repo.owner);
    out.permissions = { admin: false, maintain: false, push: false, triage: false, pull: true };
    return out;
  }

  /** Moves any repository-shaped example onto one of ours. */
  rebaseRepository(template: JsonObject, repo: SandboxRepo): JsonObject {
    const exampleOwner = String((template.owner as JsonObject).login);
    const out = rebaseExample(template, {
      apiBaseUrl: this.apiBaseUrl,
      fullName: { from: String(template.full_name), to: repo.fullName },
      owner: { from: exampleOwner, to: repo.owner },
    });
    out.id = repo.id;
    out.node_id = legacyNodeId('Repository', repo.id);
    out.name = repo.name;
    out.full_name = repo.fullName;
    out.owner = this.account(repo.owner);
    out.private = true;
    out.fork = false;
    out.description = `Sandbox repository ${repo.fullName}`;
    if ('visibility' in out) out.visibility = 'private';
    if ('default_branch' in out) out.default_branch = repo.defaultBranch;
    if ('homepage' in out) out.homepage = null;
    if ('mirror_url' in out) out.mirror_url = null;
    return out;
  }

  /** `GET /repos/{owner}/{repo}/actions/workflows/{id}` */
  workflow(repo: SandboxRepo, workflow: SandboxWorkflow, createdAt: number): JsonObject {
    const example = this.openapi.example('workflow');
    return {
      ...example,
      id: workflow.id,
      node_id: legacyNodeId('Workflow', workflow.id),
      name: workflow.name,
      path: workflow.path,
      state: 'active',
      created_at: githubTime(createdAt),
      updated_at: githubTime(createdAt),
      url: `${this.apiBaseUrl}/repos/${repo.fullName}/actions/workflows/${workflow.id}`,
      html_url: `https://github.com/${repo.fullName}/blob/${repo.defaultBranch}/${workflow.path}`,
      badge_url: `https://github.com/${repo.fullName}/workflows/${encodeURIComponent(workflow.name)}/badge.svg`,
    };
  }

  /** `GET /repos/{owner}/{repo}/actions/runs/{run_id}` */
  run(run: RunRecord): JsonObject {
    const example = this.openapi.example('workflow-run');
    const repo = run.repo;
    const api = `${this.apiBaseUrl}/repos/${repo.fullName}`;
    const bot = this.botUser();
    const headCommit = example.head_commit as JsonObject;
    return {
      ...example,
      id: run.id,
      name: run.workflow.name,
      node_id: legacyNodeId('WorkflowRun', run.id),
      check_suite_id: run.checkSuiteId,
      check_suite_node_id: legacyNodeId('CheckSuite', run.checkSuiteId),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: run.workflow.path,
      run_number: run.runNumber,
      event: 'workflow_dispatch',
      display_title: run.displayTitle,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflow.id,
      url: `${api}/actions/runs/${run.id}`,
      html_url: `https://github.com/${repo.fullName}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: githubTime(run.createdAt),
      updated_at: githubTime(run.updatedAt),
      actor: bot,
      run_attempt: 1,
      referenced_workflows: [],
      run_started_at: githubTime(run.runStartedAt),
      triggering_actor: bot,
      jobs_url: `${api}/actions/runs/${run.id}/jobs`,
      logs_url: `${api}/actions/runs/${run.id}/logs`,
      check_suite_url: `${api}/check-suites/${run.checkSuiteId}`,
      artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
      cancel_url: `${api}/actions/runs/${run.id}/cancel`,
      rerun_url: `${api}/actions/runs/${run.id}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${api}/actions/workflows/${run.workflow.id}`,
      head_commit: {
        ...headCommit,
        id: run.headSha,
        tree_id: stableSha(`tree:${run.headSha}`),
        message: `Sandbox commit on ${run.headBranch}`,
        timestamp: githubTime(run.createdAt),
      },
      repository: this.repository(repo),
      head_repository: this.repository(repo),
    };
  }

  /** `GET /app/hook/config`: the secret is never shown, only that one is set. */
  webhookConfig(config: WebhookConfig): JsonObject {
    const { secret: _masked, ...example } = this.openapi.example('webhook-config');
    return {
      ...example,
      content_type: config.contentType,
      insecure_ssl: config.insecureSsl,
      url: config.url ?? '',
      ...(config.secret ? { secret: '********' } : {}),
    };
  }

  /** An item of `GET /app/hook/deliveries`. */
  hookDeliveryItem(attempt: DeliveryAttempt): JsonObject {
    const [example] = this.openapi.example('hook-delivery-items') as unknown as JsonObject[];
    const statusCode = attempt.status === 'network-error' ? 0 : attempt.status;
    return {
      ...example,
      id: attempt.deliveryId,
      guid: attempt.id,
      delivered_at: githubTime(attempt.at),
      redelivery: attempt.redelivery,
      duration: Math.round(attempt.durationMs) / 1000,
      status: deliveryStatusText(attempt.status),
      status_code: statusCode,
      event: attempt.event,
      action: attempt.action,
      installation_id: attempt.installationId,
      repository_id: attempt.repositoryId,
      throttled_at: null,
    };
  }

  /** `GET /app/hook/deliveries/{delivery_id}`: the item plus what was sent and answered. */
  hookDelivery(attempt: DeliveryAttempt): JsonObject {
    const example = this.openapi.example('hook-delivery');
    let payload: unknown = attempt.payload;
    try {
      payload = JSON.parse(attempt.payload);
    } catch {
      // Kept as text.
    }
    return {
      ...example,
      ...this.hookDeliveryItem(attempt),
      url: attempt.url,
      request: { headers: attempt.requestHeaders, payload },
      response: { headers: attempt.responseHeaders, payload: attempt.responseBody },
    };
  }

  /** `GET /repos/{owner}/{repo}/contents/{path}` for a file, base64 as GitHub sends it (60-char lines). */
  contentFile(repo: SandboxRepo, path: string, ref: string, text: string): JsonObject {
    const example = this.openapi.example('content-file-response-if-content-is-a-file');
    const bytes = Buffer.from(text, 'utf8');
    const sha = gitBlobSha(bytes);
    const base64 = bytes.toString('base64').replace(/.{1,60}/g, '$&\n');
    const api = `${this.apiBaseUrl}/repos/${repo.fullName}`;
    const html = `https://github.com/${repo.fullName}/blob/${ref}/${path}`;
    return {
      ...example,
      type: 'file',
      encoding: 'base64',
      size: bytes.length,
      name: path.split('/').pop() ?? path,
      path,
      content: base64,
      sha,
      url: `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`,
      git_url: `${api}/git/blobs/${sha}`,
      html_url: html,
      download_url: `https://raw.githubusercontent.com/${repo.fullName}/${ref}/${path}`,
      _links: { git: `${api}/git/blobs/${sha}`, self: `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`, html },
    };
  }

  /** `GET /repos/{owner}/{repo}/branches/{branch}` */
  branch(repo: SandboxRepo, name: string): JsonObject {
    const example = this.openapi.example('branch-get');
    const sha = stableSha(`${repo.fullName}@${name}`);
    const api = `${this.apiBaseUrl}/repos/${repo.fullName}`;
    const commit = example.commit as JsonObject;
    return {
      ...example,
      name,
      commit: {
        ...commit,
        sha,
        node_id: legacyNodeId('Commit', stableId('commit', sha)),
        url: `${api}/commits/${sha}`,
        html_url: `https://github.com/${repo.fullName}/commit/${sha}`,
      },
      _links: { self: `${api}/branches/${encodeURIComponent(name)}`, html: `https://github.com/${repo.fullName}/tree/${name}` },
      protected: false,
      protection_url: `${api}/branches/${encodeURIComponent(name)}/protection`,
    };
  }

  /** `GET /repos/{owner}/{repo}/git/ref/{ref}` for `heads/x` or `tags/x`. */
  gitRef(repo: SandboxRepo, ref: string): JsonObject {
    const example = this.openapi.example('git-ref');
    const sha = stableSha(`${repo.fullName}@${ref.replace(/^(heads|tags)\//, '')}`);
    const api = `${this.apiBaseUrl}/repos/${repo.fullName}`;
    return {
      ...example,
      ref: `refs/${ref}`,
      node_id: legacyNodeId('Ref', stableId('ref', `${repo.fullName}:${ref}`)),
      url: `${api}/git/refs/${ref}`,
      object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
    };
  }

  /** The 200 body of a dispatch with `return_run_details: true`. */
  dispatchDetails(run: RunRecord): JsonObject {
    return {
      ...this.openapi.example('workflow-dispatch-response'),
      workflow_run_id: run.id,
      run_url: `${this.apiBaseUrl}/repos/${run.repo.fullName}/actions/runs/${run.id}`,
      html_url: `https://github.com/${run.repo.fullName}/actions/runs/${run.id}`,
    };
  }
}

/** GitHub's `status` text of a delivery attempt. */
function deliveryStatusText(status: number | 'network-error'): string {
  if (status === 'network-error') return 'failed to connect to host';
  return status >= 200 && status < 300 ? 'OK' : `Invalid HTTP Response: ${status}`;
}

/** A blob's git object id, as the contents API reports it. */
function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
