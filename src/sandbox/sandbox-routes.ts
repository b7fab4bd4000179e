import type { PrimaryRateLimit } from './primary-rate-limit.ts';
import type { AppAuth, InstallationToken } from './app-auth.ts';
import { GENERIC_DOCS_URL, GithubError } from './github-error.ts';
import type { AppSettings, GithubObjects, SandboxRepo, SandboxWorkflow } from './github-objects.ts';
import { listWorkflowRuns } from './list-workflow-runs.ts';
import type { GithubOpenapi, JsonObject, SandboxOperationId } from './openapi-spec.ts';
import { renderRunName } from './render-run-name.ts';
import { stableSha } from './rebase-example.ts';
import type { WebhookSender } from './webhook-sender.ts';
import type { RunConclusion, WorkflowRuns } from './workflow-runs.ts';
import { dispatchInputs } from './workflow-file-text.ts';

/** A workflow as configured for the sandbox, with its defaults applied. */
export interface WorkflowConfig extends SandboxWorkflow {
  runName: string;
  conclusion: RunConclusion;
  dispatchable: boolean;
  stepDelayMs: number;
  hold: boolean;
  /** The file's text, as `GET /repos/{owner}/{repo}/contents/{path}` serves it. */
  yaml: string;
  /** Branches or tags that hold the file; `undefined` = every ref of the repository. */
  refs?: Set<string>;
}

export interface RepoConfig extends SandboxRepo {
  workflows: WorkflowConfig[];
  tags: Set<string>;
}

export interface InstallationConfig {
  id: number;
  account: string;
  /** Lower-cased `owner/name`s; `undefined` = every repository of the account. */
  repositories?: Set<string>;
  /** Permissions the account accepted (may be fewer than the App asks for). */
  permissions: Readonly<Record<string, string>>;
}

export interface DispatchRecord {
  owner: string;
  repo: string;
  workflowId: number;
  workflowRef: string;
  ref: string;
  inputs: Record<string, string>;
  installationId: number;
  runId: number;
  at: number;
}

/** Everything a route handler may read or change. */
export interface SandboxContext {
  openapi: GithubOpenapi;
  objects: GithubObjects;
  auth: AppAuth;
  runs: WorkflowRuns;
  /** By lower-cased `owner/name`. */
  repos: Map<string, RepoConfig>;
  installations: Map<number, InstallationConfig>;
  dispatches: DispatchRecord[];
  returnRunDetails: boolean;
  createdAt: number;
  /** What the App is subscribed to and asks for (`GET /app`). */
  app: AppSettings;
  /** The App's webhook: its config and every delivery attempt. */
  hook: WebhookSender;
  /** Each installation's primary rate limit, counted over the requests made with its tokens. */
  rateLimit: PrimaryRateLimit;
}

export type Caller = { kind: 'jwt' } | { kind: 'installation'; token: InstallationToken };

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  url: URL;
  caller: Caller;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  /** GitHub's operation; its path, method, request schema and docs link are the route's. */
  operationId: SandboxOperationId;
  /**
   * For a route GitHub serves but does not document (`/organizations/{id}`): its path, in place of the operation's.
   * It answers as the operation does.
   */
  path?: string;
  /** Who may call: the app itself (JWT) or an installation (token). */
  auth: 'jwt' | 'installation';
  handle(ctx: SandboxContext, req: RouteRequest): RouteResponse;
}

/** The REST operations the sandbox serves, keyed by GitHub's operation ids. */
export const SANDBOX_ROUTES: Route[] = [
  {
    operationId: 'apps/get-authenticated',
    auth: 'jwt',
    handle: (ctx) => ({ status: 200, body: ctx.objects.app(liveInstallations(ctx).length, ctx.app) }),
  },
  {
    operationId: 'apps/list-installations',
    auth: 'jwt',
    handle: (ctx, req) => ({
      status: 200,
      body: paginate(liveInstallations(ctx), req.query).map((i) => installationObject(ctx, i)),
    }),
  },
  {
    operationId: 'apps/get-installation',
    auth: 'jwt',
    handle: (ctx, req) => ({ status: 200, body: installationObject(ctx, installationFromParam(ctx, req, 'apps/get-installation')) }),
  },
  {
    operationId: 'apps/create-installation-access-token',
    auth: 'jwt',
    handle: (ctx, req) => {
      const op = 'apps/create-installation-access-token';
      const installation = installationFromParam(ctx, req, op);
      const visible = reposOf(ctx, installation);
      const body = (req.body ?? {}) as { repositories?: string[]; repository_ids?: number[] };
      let selected: SandboxRepo[] | undefined;
      if (body.repositories !== undefined || body.repository_ids !== undefined) {
        selected = [];
        for (const name of body.repositories ?? []) {
          const repo = visible.find((r) => r.name.toLowerCase() === name.toLowerCase());
          if (!repo) throw notAccessible(ctx, op);
          selected.push(repo);
        }
        for (const id of body.repository_ids ?? []) {
          const repo = visible.find((r) => r.id === id);
          if (!repo) throw notAccessible(ctx, op);
          selected.push(repo);
        }
      }
      const token = ctx.auth.mintToken(installation.id, selected && new Set(selected.map((r) => r.id)));
      const selection = selected || installation.repositories ? 'selected' : 'all';
      return {
        status: 201,
        body: ctx.objects.installationToken(token.token, token.expiresAt, selection, selected ?? visible, installation.permissions),
      };
    },
  },
  {
    operationId: 'apps/get-repo-installation',
    auth: 'jwt',
    handle: (ctx, req) => {
      const op = 'apps/get-repo-installation';
      const repo = ctx.repos.get(`${req.params.owner}/${req.params.repo}`.toLowerCase());
      const installation = repo && liveInstallations(ctx).find((i) => reposOf(ctx, i).includes(repo));
      if (!installation) throw notFound(ctx, op);
      return { status: 200, body: installationObject(ctx, installation) };
    },
  },
  {
    operationId: 'apps/list-repos-accessible-to-installation',
    auth: 'installation',
    handle: (ctx, req) => {
      const token = installationCaller(req);
      const installation = ctx.installations.get(token.installationId) as InstallationConfig;
      const repos = reposOf(ctx, installation).filter((r) => !token.repositoryIds || token.repositoryIds.has(r.id));
      return {
        status: 200,
        body: {
          total_count: repos.length,
          repository_selection: installation.repositories || token.repositoryIds ? 'selected' : 'all',
          repositories: paginate(repos, req.query).map((r) => ctx.objects.fullRepository(r)),
        },
      };
    },
  },
  {
    operationId: 'repos/get',
    auth: 'installation',
    handle: (ctx, req) => ({ status: 200, body: ctx.objects.fullRepository(repoFor(ctx, req, 'repos/get')) }),
  },
  {
    operationId: 'actions/list-repo-workflows',
    auth: 'installation',
    handle: (ctx, req) => {
      const repo = repoFor(ctx, req, 'actions/list-repo-workflows');
      return {
        status: 200,
        body: {
          total_count: repo.workflows.length,
          workflows: paginate(repo.workflows, req.query).map((w) => ctx.objects.workflow(repo, w, ctx.createdAt)),
        },
      };
    },
  },
  {
    operationId: 'actions/get-workflow',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'actions/get-workflow';
      const repo = repoFor(ctx, req, op);
      return { status: 200, body: ctx.objects.workflow(repo, workflowFor(ctx, repo, req, op), ctx.createdAt) };
    },
  },
  {
    operationId: 'actions/create-workflow-dispatch',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'actions/create-workflow-dispatch';
      const docs = ctx.openapi.operation(op).docsUrl;
      const repo = repoFor(ctx, req, op);
      const workflow = workflowFor(ctx, repo, req, op);
      requirePermission(ctx, req, 'actions', 'write', op);
      const body = req.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
      const branch = body.ref.replace(/^refs\/heads\//, '');
      if (!repo.branches.has(branch)) throw new GithubError(422, `No ref found for: ${body.ref}`, docs);
      if (!workflow.dispatchable) throw new GithubError(422, "Workflow does not have 'workflow_dispatch' trigger", docs);
      const inputs = body.inputs ?? {};
      // As GitHub: inputs are checked against the workflow file; one it does not declare refuses the dispatch.
      // (`required` is not enforced for API dispatches, so neither is it here.)
      const declared = dispatchInputs(workflow.yaml)?.declared;
      const unexpected = declared ? Object.keys(inputs).filter((name) => !declared.has(name)) : [];
      if (unexpected.length) throw new GithubError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`, docs);
      const token = installationCaller(req);
      const run = ctx.runs.start({
        repo,
        workflow,
        headBranch: branch,
        headSha: stableSha(`${repo.fullName}@${branch}`),
        displayTitle: renderRunName(workflow.runName, inputs, workflow.name),
        installationId: token.installationId,
        conclusion: workflow.conclusion,
        stepDelayMs: workflow.stepDelayMs,
        hold: workflow.hold,
      });
      ctx.dispatches.push({
        owner: repo.owner,
        repo: repo.name,
        workflowId: workflow.id,
        workflowRef: req.params.workflow_id as string,
        ref: body.ref,
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
        installationId: token.installationId,
        runId: run.id,
        at: Date.now(),
      });
      if (body.return_run_details === true && ctx.returnRunDetails) {
        return { status: 200, body: ctx.objects.dispatchDetails(run) };
      }
      return { status: 204 };
    },
  },
  {
    operationId: 'actions/list-workflow-runs',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'actions/list-workflow-runs';
      const repo = repoFor(ctx, req, op);
      const workflow = workflowFor(ctx, repo, req, op);
      return runList(ctx, req, ctx.runs.list(repo, workflow.id), op);
    },
  },
  {
    operationId: 'actions/list-workflow-runs-for-repo',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'actions/list-workflow-runs-for-repo';
      return runList(ctx, req, ctx.runs.list(repoFor(ctx, req, op)), op);
    },
  },
  {
    operationId: 'actions/get-workflow-run',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'actions/get-workflow-run';
      const run = runFor(ctx, repoFor(ctx, req, op), req, op);
      return { status: 200, body: ctx.objects.run(run) };
    },
  },
  {
    operationId: 'actions/cancel-workflow-run',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'actions/cancel-workflow-run';
      const run = runFor(ctx, repoFor(ctx, req, op), req, op);
      if (!ctx.runs.cancel(run.id)) {
        throw new GithubError(409, 'Cannot cancel a workflow run that is completed.', ctx.openapi.operation(op).docsUrl);
      }
      return { status: 202, body: {} };
    },
  },
  {
    operationId: 'apps/get-webhook-config-for-app',
    auth: 'jwt',
    handle: (ctx) => ({ status: 200, body: ctx.objects.webhookConfig(ctx.hook.config) }),
  },
  {
    operationId: 'apps/update-webhook-config-for-app',
    auth: 'jwt',
    handle: (ctx, req) => {
      ctx.hook.updateConfig(req.body as Parameters<WebhookSender['updateConfig']>[0]);
      return { status: 200, body: ctx.objects.webhookConfig(ctx.hook.config) };
    },
  },
  {
    operationId: 'apps/list-webhook-deliveries',
    auth: 'jwt',
    handle: (ctx, req) => {
      const op = 'apps/list-webhook-deliveries';
      const wanted = req.query.get('status');
      if (wanted !== null && wanted !== 'success' && wanted !== 'failure') {
        throw new GithubError(422, `Invalid value for status: ${wanted}`, ctx.openapi.operation(op).docsUrl);
      }
      // Newest first; `status` filters by status code range as GitHub documents (network failures are in neither).
      const all = [...ctx.hook.attempts].reverse().filter((a) => {
        if (wanted === null) return true;
        const code = a.status === 'network-error' ? 0 : a.status;
        return wanted === 'success' ? code >= 200 && code <= 399 : code >= 400 && code <= 599;
      });
      const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
      const cursor = req.query.get('cursor');
      const start = cursor === null ? 0 : all.findIndex((a) => String(a.deliveryId) === cursor);
      if (start < 0) throw new GithubError(400, 'Invalid cursor', ctx.openapi.operation(op).docsUrl);
      const page = all.slice(start, start + perPage);
      const next = all[start + perPage];
      let link: string | undefined;
      if (next) {
        const url = new URL(req.url.href);
        url.searchParams.set('per_page', String(perPage));
        url.searchParams.set('cursor', String(next.deliveryId));
        link = `<${ctx.objects.apiBaseUrl}${url.pathname}${url.search}>; rel="next"`;
      }
      return { status: 200, body: page.map((a) => ctx.objects.hookDeliveryItem(a)), ...(link ? { headers: { link } } : {}) };
    },
  },
  {
    operationId: 'apps/get-webhook-delivery',
    auth: 'jwt',
    handle: (ctx, req) => {
      const attempt = ctx.hook.attempt(Number(req.params.delivery_id));
      if (!attempt) throw notFound(ctx, 'apps/get-webhook-delivery');
      return { status: 200, body: ctx.objects.hookDelivery(attempt) };
    },
  },
  {
    operationId: 'apps/redeliver-webhook-delivery',
    auth: 'jwt',
    handle: (ctx, req) => {
      // Accepted now, sent right after, as GitHub does.
      if (!ctx.hook.redeliver(Number(req.params.delivery_id))) throw notFound(ctx, 'apps/redeliver-webhook-delivery');
      return { status: 202, body: {} };
    },
  },
  {
    operationId: 'repos/get-content',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'repos/get-content';
      const repo = repoFor(ctx, req, op);
      requirePermission(ctx, req, 'contents', 'read', op);
      const ref = (req.query.get('ref') ?? repo.defaultBranch).replace(/^refs\/(heads|tags)\//, '');
      if (!refExists(repo, ref)) throw new GithubError(404, `No commit found for the ref ${ref}`, ctx.openapi.operation(op).docsUrl);
      const path = (req.params.path as string).replace(/^\/+|\/+$/g, '');
      const workflow = repo.workflows.find((w) => w.path === path && (!w.refs || w.refs.has(ref)));
      if (!workflow) throw notFound(ctx, op);
      return { status: 200, body: ctx.objects.contentFile(repo, path, ref, workflow.yaml) };
    },
  },
  {
    operationId: 'repos/get-branch',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'repos/get-branch';
      const repo = repoFor(ctx, req, op);
      const branch = req.params.branch as string;
      if (!repo.branches.has(branch)) throw new GithubError(404, 'Branch not found', ctx.openapi.operation(op).docsUrl);
      return { status: 200, body: ctx.objects.branch(repo, branch) };
    },
  },
  {
    operationId: 'orgs/get',
    auth: 'installation',
    handle: (ctx, req) => {
      const login = organizations(ctx).find((o) => o.toLowerCase() === (req.params.org as string).toLowerCase());
      if (!login) throw notFound(ctx, 'orgs/get');
      return { status: 200, body: ctx.objects.organization(login) };
    },
  },
  {
    // Undocumented, long served by GitHub: an organization by its numeric ID, answered as `GET /orgs/{org}` is.
    // Ctrlplane's GitHub agent turns `organizationId` into the owner's login with it. Not found → the generic link.
    operationId: 'orgs/get',
    path: '/organizations/{id}',
    auth: 'installation',
    handle: (ctx, req) => {
      const id = req.params.id as string;
      const login = /^\d+$/.test(id) ? organizations(ctx).find((o) => ctx.objects.accountId(o) === Number(id)) : undefined;
      if (!login) throw new GithubError(404, 'Not Found', GENERIC_DOCS_URL);
      return { status: 200, body: ctx.objects.organization(login) };
    },
  },
  {
    operationId: 'git/get-ref',
    auth: 'installation',
    handle: (ctx, req) => {
      const op = 'git/get-ref';
      const repo = repoFor(ctx, req, op);
      const ref = req.params.ref as string;
      if (!/^(heads|tags)\/./.test(ref) || !refExists(repo, ref)) throw notFound(ctx, op);
      return { status: 200, body: ctx.objects.gitRef(repo, ref) };
    },
  },
];

function runList(ctx: SandboxContext, req: RouteRequest, runs: ReturnType<WorkflowRuns['list']>, op: SandboxOperationId): RouteResponse {
  const bot = ctx.objects.botUser();
  const page = listWorkflowRuns(runs, req.query, String(bot.login), req.url, ctx.openapi.operation(op).docsUrl);
  return {
    status: 200,
    body: { total_count: page.totalCount, workflow_runs: page.runs.map((r) => ctx.objects.run(r)) },
    ...(page.link ? { headers: { link: page.link } } : {}),
  };
}

/**
 * The organizations the sandbox knows: every installation's account and every repository's owner (the sandbox's
 * accounts are all organizations), by their logins as first given.
 */
export function organizations(ctx: Pick<SandboxContext, 'installations' | 'repos'>): string[] {
  const logins = new Map<string, string>();
  for (const login of [...[...ctx.installations.values()].map((i) => i.account), ...[...ctx.repos.values()].map((r) => r.owner)]) {
    if (!logins.has(login.toLowerCase())) logins.set(login.toLowerCase(), login);
  }
  return [...logins.values()];
}

function liveInstallations(ctx: SandboxContext): InstallationConfig[] {
  return [...ctx.installations.values()].filter((i) => !ctx.auth.isRevoked(i.id));
}

function installationObject(ctx: SandboxContext, installation: InstallationConfig): JsonObject {
  return ctx.objects.installation(installation.id, installation.account, installation.repositories ? 'selected' : 'all', {
    events: ctx.app.events,
    permissions: installation.permissions,
  });
}

/** GitHub answers 403 "Resource not accessible by integration" when the installation lacks a permission. */
function requirePermission(ctx: SandboxContext, req: RouteRequest, name: string, level: 'read' | 'write', op: SandboxOperationId): void {
  const token = installationCaller(req);
  const granted = ctx.installations.get(token.installationId)?.permissions[name];
  if (granted === 'write' || granted === level) return;
  throw new GithubError(403, 'Resource not accessible by integration', ctx.openapi.operation(op).docsUrl);
}

/** `master`, `heads/master` or `refs/heads/master` → the branch or tag it names. */
function refExists(repo: RepoConfig, ref: string): boolean {
  const short = ref.replace(/^refs\//, '');
  if (short.startsWith('heads/')) return repo.branches.has(short.slice('heads/'.length));
  if (short.startsWith('tags/')) return repo.tags.has(short.slice('tags/'.length));
  return repo.branches.has(short) || repo.tags.has(short);
}

function installationFromParam(ctx: SandboxContext, req: RouteRequest, op: SandboxOperationId): InstallationConfig {
  const installation = ctx.installations.get(Number(req.params.installation_id));
  if (!installation || ctx.auth.isRevoked(installation.id)) throw notFound(ctx, op);
  return installation;
}

/** Repositories an installation can see: its selection, or every repository of its account. */
function reposOf(ctx: SandboxContext, installation: InstallationConfig): RepoConfig[] {
  return [...ctx.repos.values()].filter((repo) =>
    installation.repositories ? installation.repositories.has(repo.fullName.toLowerCase()) : repo.owner.toLowerCase() === installation.account.toLowerCase(),
  );
}

function installationCaller(req: RouteRequest): InstallationToken {
  if (req.caller.kind !== 'installation') throw new GithubError(401, 'Bad credentials');
  return req.caller.token;
}

/** The repository of the path, when the calling token may see it; else 404 as GitHub hides it. */
function repoFor(ctx: SandboxContext, req: RouteRequest, op: SandboxOperationId): RepoConfig {
  const token = installationCaller(req);
  const repo = ctx.repos.get(`${req.params.owner}/${req.params.repo}`.toLowerCase());
  const installation = ctx.installations.get(token.installationId);
  if (!repo || !installation || !reposOf(ctx, installation).includes(repo)) throw notFound(ctx, op);
  if (token.repositoryIds && !token.repositoryIds.has(repo.id)) throw notFound(ctx, op);
  return repo;
}

/** By numeric id, or by file name (`deploy.yml`) or path, as GitHub accepts both. */
function workflowFor(ctx: SandboxContext, repo: RepoConfig, req: RouteRequest, op: SandboxOperationId): WorkflowConfig {
  const ref = req.params.workflow_id as string;
  const workflow = /^\d+$/.test(ref) ? repo.workflows.find((w) => w.id === Number(ref)) : repo.workflows.find((w) => w.fileName === ref || w.path === ref);
  if (!workflow) throw notFound(ctx, op);
  return workflow;
}

function runFor(ctx: SandboxContext, repo: RepoConfig, req: RouteRequest, op: SandboxOperationId) {
  const run = ctx.runs.get(Number(req.params.run_id));
  if (!run || run.repo.fullName !== repo.fullName) throw notFound(ctx, op);
  return run;
}

function paginate<T>(items: T[], query: URLSearchParams): T[] {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  return items.slice((page - 1) * perPage, page * perPage);
}

function notFound(ctx: SandboxContext, op: SandboxOperationId): GithubError {
  return new GithubError(404, 'Not Found', ctx.openapi.operation(op).docsUrl);
}

function notAccessible(ctx: SandboxContext, op: SandboxOperationId): GithubError {
  return new GithubError(
    422,
    'There is at least one repository that does not exist or is not accessible to the parent installation.',
    ctx.openapi.operation(op).docsUrl,
  );
}
