import { PrimaryRateLimit, type RateLimitState } from './primary-rate-limit.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AppAuth } from './app-auth.ts';
import { FaultInjector, type SandboxFault } from './fault-injector.ts';
import { APP_PERMISSIONS, GithubObjects } from './github-objects.ts';
import { loadGithubOpenapi } from './openapi-spec.ts';
import { stableId } from './rebase-example.ts';
import { createRequestValidator } from './openapi-validator.ts';
import { DEFAULT_RUN_NAME } from './render-run-name.ts';
import { createRequestHandler, type RecordedRequest } from './sandbox-request-handler.ts';
import { organizations, SANDBOX_ROUTES, type DispatchRecord, type InstallationConfig, type RepoConfig, type SandboxContext } from './sandbox-routes.ts';
import { buildWorkflowRunPayload } from './webhook-payloads.ts';
import { WebhookSender, type RecordedDelivery, type WebhookConfig } from './webhook-sender.ts';
import { workflowFileText } from './workflow-file-text.ts';
import { RUN_CONCLUSIONS, WorkflowRuns, type RunConclusion } from './workflow-runs.ts';

export type { SandboxFault } from './fault-injector.ts';
export type { RecordedRequest } from './sandbox-request-handler.ts';
export type { RecordedDelivery, WebhookConfig } from './webhook-sender.ts';
export type RecordedDispatch = DispatchRecord;

export interface SandboxWorkflowSpec {
  /** Numeric workflow id. */
  id: number;
  /** `.github/workflows/deploy.yml`; dispatch accepts the id or the file name `deploy.yml`. */
  path: string;
  /** Workflow name, e.g. `Deploy`. */
  name: string;
  /** run-name template, default `Deploy ${{ inputs.job_id }}`; `''` = no run-name (display_title = name). */
  runName?: string;
  /** Conclusion the run ends with; default `success`. */
  conclusion?: RunConclusion;
  /** Has a `workflow_dispatch` trigger; default true (false → 422 as on GitHub). */
  dispatchable?: boolean;
  /** Overrides the sandbox's step delay. */
  stepDelayMs?: number;
  /** Stay `in_progress` until `completeRun()` or a cancel. */
  hold?: boolean;
  /** The workflow file's text; default: generated from the fields above (see `jobIdInput`). */
  yaml?: string;
  /** The generated file declares the `job_id` input of `workflow_dispatch`; default true. */
  jobIdInput?: boolean;
  /** More optional inputs the generated file declares beside `job_id`, e.g. `['job_token']`. */
  extraInputs?: string[];
  /** Branches or tags that hold the file; default every ref of the repository. */
  refs?: string[];
}

export interface SandboxRepoSpec {
  owner: string;
  name: string;
  /** Default `main`. */
  defaultBranch?: string;
  /** Branches that exist besides the default one. */
  branches?: string[];
  /** Tags that exist. */
  tags?: string[];
  workflows: SandboxWorkflowSpec[];
}

export interface SandboxInstallationSpec {
  id: number;
  account: string;
  /** `owner/name`s; every repository of the account when absent. */
  repositories?: string[];
  /** Permissions the account accepted; default the App's. */
  permissions?: Record<string, string>;
}

export interface GithubSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 1. */
  appId?: number;
  /** The App's webhook secret; `''` = none configured (deliveries go unsigned). */
  webhookSecret: string;
  /** Where `workflow_run` deliveries go; may be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** The webhook's content type; default `json`. */
  webhookContentType?: 'json' | 'form';
  /** Events the App is subscribed to; default `['workflow_run']`. */
  events?: string[];
  /** Repository permissions the App asks for; default actions: write, contents: read, metadata: read. */
  permissions?: Record<string, string>;
  installations: SandboxInstallationSpec[];
  repos: SandboxRepoSpec[];
  /** Delay between requested → in_progress → completed; default 50 ms. */
  stepDelayMs?: number;
  /** Default true: honour `return_run_details`; false → always 204 (older GHES). */
  returnRunDetails?: boolean;
  /** Each installation's primary rate limit (requests a window); default GitHub's 5,000. Tests shrink it. */
  rateLimitPerHour?: number;
  /** The rate limit's window; default GitHub's hour. Tests shrink it to watch windows reset. */
  rateLimitWindowMs?: number;
  logger?: Logger;
}

export interface GithubSandbox {
  /** API base URL, e.g. `http://127.0.0.1:12345` (use as Octokit `baseUrl` / `GITHUB_API_URL`). */
  readonly url: string;
  readonly appId: number;
  /** The app's client id, which GitHub also accepts as JWT `iss`. */
  readonly clientId: string;
  /** PEM (PKCS#1, as GitHub's download) of the key pair generated at start. */
  readonly privateKey: string;
  readonly webhookSecret: string;
  setWebhookUrl(url: string): void;
  /** Changes the webhook as the App settings page would (`''`/`null` removes URL or secret). */
  setWebhookConfig(change: { url?: string | null; contentType?: 'json' | 'form'; secret?: string | null }): void;
  /** The webhook's current settings. */
  readonly webhookConfig: Readonly<WebhookConfig>;
  /** Requests answered (or dropped by a fault), in the order of their answers. */
  readonly requests: RecordedRequest[];
  /** Requests received and not yet answered (e.g. held by a `delay` fault), without their status. */
  inFlight(): RecordedRequest[];
  readonly dispatches: RecordedDispatch[];
  readonly deliveries: RecordedDelivery[];
  /**
   * The numeric ID GitHub gives an organization the sandbox knows (an installation's account or a repository's owner),
   * as `GET /organizations/{id}` finds it and `account.id` shows it; undefined for a login the sandbox does not know.
   */
  organizationId(login: string): number | undefined;
  /** The installation's primary rate limit now (what `x-ratelimit-*` says), and how many requests it refused. */
  rateLimit(installationId: number): RateLimitState & { refused: number };
  /** Installation tokens minted, for one installation or in total. */
  tokenMints(installationId?: number): number;
  /** The run as `GET /repos/{owner}/{repo}/actions/runs/{id}` returns it, or `undefined`. */
  getRun(runId: number): unknown;
  /** Completes a run now; resolves once its `completed` delivery has been attempted. */
  completeRun(runId: number, conclusion: string): Promise<void>;
  /** Uninstalls: later token exchanges → 404, existing tokens → 401, as on GitHub. */
  revokeInstallation(installationId: number): void;
  /** Makes the next matching request(s) fail the way GitHub or the network can (see SandboxFault). */
  injectFault(fault: SandboxFault): void;
  close(): Promise<void>;
}

/**
 * Starts a local server that speaks the part of GitHub's REST API and webhooks the service uses.
 * A dispatch starts its run at once: the `requested` delivery can reach the receiver before the
 * dispatch answer reaches the client, which can happen with GitHub too.
 */
export async function startGithubSandbox(options: GithubSandboxOptions): Promise<GithubSandbox> {
  const appId = options.appId ?? 1;
  const stepDelayMs = options.stepDelayMs ?? 50;
  const openapi = loadGithubOpenapi();
  const validator = createRequestValidator(openapi);
  const logger = options.logger?.child({ component: 'github-sandbox' });
  const appPermissions = options.permissions ?? { ...APP_PERMISSIONS };

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard bind is reached through loopback.
  const bound = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const host = bound.includes(':') ? `[${bound}]` : bound;
  const url = `http://${host}:${address.port}`;

  try {
    const objects = new GithubObjects(openapi, url, appId);
    const auth = await AppAuth.create(appId, objects.clientId);
    const sender = new WebhookSender({
      secret: options.webhookSecret,
      appId,
      ...(options.webhookUrl ? { url: options.webhookUrl } : {}),
      ...(options.webhookContentType ? { contentType: options.webhookContentType } : {}),
      ...(logger ? { logger } : {}),
    });
    const runs = new WorkflowRuns((action, run, installationId) =>
      sender.enqueue(run.id, 'workflow_run', action, buildWorkflowRunPayload(objects, action, run, installationId)),
    );
    const ctx: SandboxContext = {
      openapi,
      objects,
      auth,
      runs,
      repos: buildRepos(options.repos, stepDelayMs),
      installations: buildInstallations(options.installations, appPermissions),
      dispatches: [],
      returnRunDetails: options.returnRunDetails ?? true,
      createdAt: Date.now(),
      app: { events: options.events ?? ['workflow_run'], permissions: appPermissions },
      hook: sender,
      rateLimit: new PrimaryRateLimit(options.rateLimitPerHour, Date.now, options.rateLimitWindowMs),
    };
    const requests: RecordedRequest[] = [];
    const faults = new FaultInjector();
    const inFlight = new Set<RecordedRequest>();
    server.on('request', createRequestHandler(ctx, SANDBOX_ROUTES, validator, requests, inFlight, faults, logger));
    logger?.info({ url, appId, repos: [...ctx.repos.values()].map((r) => r.fullName) }, 'github sandbox listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      appId,
      clientId: objects.clientId,
      privateKey: auth.privateKeyPem,
      webhookSecret: options.webhookSecret,
      setWebhookUrl: (webhookUrl) => sender.setUrl(webhookUrl),
      setWebhookConfig: (change) =>
        sender.updateConfig({
          ...(change.url !== undefined ? { url: change.url } : {}),
          ...(change.contentType !== undefined ? { content_type: change.contentType } : {}),
          ...(change.secret !== undefined ? { secret: change.secret } : {}),
        }),
      get webhookConfig() {
        return { ...sender.config };
      },
      requests,
      inFlight: () => [...inFlight],
      dispatches: ctx.dispatches,
      deliveries: sender.deliveries,
      organizationId: (login) => {
        const found = organizations(ctx).find((known) => known.toLowerCase() === login.toLowerCase());
        return found === undefined ? undefined : objects.accountId(found);
      },
      rateLimit: (installationId) => ({ ...ctx.rateLimit.state(installationId), refused: ctx.rateLimit.refused.get(installationId) ?? 0 }),
      tokenMints: (installationId) => auth.tokenMints(installationId),
      getRun: (runId) => {
        const run = runs.get(runId);
        return run ? objects.run(run) : undefined;
      },
      completeRun: (runId, conclusion) => {
        if (!(RUN_CONCLUSIONS as readonly string[]).includes(conclusion)) {
          return Promise.reject(new Error(`not a workflow run conclusion: ${conclusion}`));
        }
        return runs.complete(runId, conclusion as RunConclusion);
      },
      revokeInstallation: (installationId) => auth.revoke(installationId),
      injectFault: (fault) => faults.add(fault),
      close: () => {
        closing ??= (async () => {
          runs.close();
          await sender.close();
          await closeServer(server);
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeServer(server);
    throw error;
  }
}

function buildRepos(specs: SandboxRepoSpec[], defaultStepDelayMs: number): Map<string, RepoConfig> {
  const repos = new Map<string, RepoConfig>();
  for (const spec of specs) {
    const fullName = `${spec.owner}/${spec.name}`;
    const defaultBranch = spec.defaultBranch ?? 'main';
    repos.set(fullName.toLowerCase(), {
      owner: spec.owner,
      name: spec.name,
      fullName,
      id: stableId('repository', fullName.toLowerCase(), 100_000_000),
      defaultBranch,
      branches: new Set([defaultBranch, ...(spec.branches ?? [])]),
      tags: new Set(spec.tags ?? []),
      workflows: spec.workflows.map((w) => ({
        id: w.id,
        path: w.path,
        name: w.name,
        fileName: w.path.split('/').pop() ?? w.path,
        runName: w.runName ?? DEFAULT_RUN_NAME,
        conclusion: w.conclusion ?? 'success',
        dispatchable: w.dispatchable ?? true,
        stepDelayMs: w.stepDelayMs ?? defaultStepDelayMs,
        hold: w.hold ?? false,
        yaml:
          w.yaml ??
          workflowFileText({
            name: w.name,
            runName: w.runName ?? DEFAULT_RUN_NAME,
            dispatchable: w.dispatchable ?? true,
            jobIdInput: w.jobIdInput ?? true,
            extraInputs: w.extraInputs,
          }),
        ...(w.refs ? { refs: new Set(w.refs) } : {}),
      })),
    });
  }
  return repos;
}

function buildInstallations(specs: SandboxInstallationSpec[], appPermissions: Record<string, string>): Map<number, InstallationConfig> {
  const out = new Map<number, InstallationConfig>();
  for (const spec of specs) {
    out.set(spec.id, {
      id: spec.id,
      account: spec.account,
      permissions: spec.permissions ?? appPermissions,
      ...(spec.repositories ? { repositories: new Set(spec.repositories.map((r) => r.toLowerCase())) } : {}),
    });
  }
  return out;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
