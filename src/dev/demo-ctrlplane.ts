import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ctrlplaneApiBaseUrl, type CtrlplaneSettings } from '../config/env.ts';
import { settingDefault } from '../config/settings.ts';
import type { CtrlplaneJob, CtrlplaneJobStatus } from '../ctrlplane/ctrlplane-job.ts';
import { isFinalCtrlplaneStatus } from '../domain/ctrlplane-status.ts';
import { type CtrlplaneSandbox, startCtrlplaneSandbox } from '../sandbox/ctrlplane/ctrlplane-sandbox.ts';
import { DEMO_INSTALLATION_ID, DEMO_OWNER, DEMO_REPO } from './demo-sandbox.ts';

export const DEMO_WORKSPACE_ID = '5e1f0c3a-8d2b-4c6e-9f7a-1b2c3d4e5f60';

export interface DemoCtrlplane {
  sandbox: CtrlplaneSandbox;
  settings: CtrlplaneSettings;
}

/** The Ctrlplane `npm run dev` pulls from when none is configured: one workspace, a fresh API key. */
export async function startDemoCtrlplane(logger: Logger): Promise<DemoCtrlplane> {
  const apiKey = `dev.${randomBytes(16).toString('hex')}`;
  const sandbox = await startCtrlplaneSandbox({ apiKeys: [apiKey], workspaces: [{ id: DEMO_WORKSPACE_ID, name: 'Demo', slug: 'demo' }], logger });
  return {
    sandbox,
    settings: {
      apiUrl: ctrlplaneApiBaseUrl(sandbox.url),
      apiKey,
      workspaceId: DEMO_WORKSPACE_ID,
      agentName: settingDefault('CTRLPLANE_AGENT_NAME'),
      pollIntervalMs: 2000,
    },
  };
}

/** Queues a deployment job for the agent as Ctrlplane would: templated config, a release target as context. */
export function queueDemoJob(sandbox: CtrlplaneSandbox, agentId: string): CtrlplaneJob {
  return sandbox.createJob({
    workspaceId: DEMO_WORKSPACE_ID,
    jobAgentId: agentId,
    deploymentJobAgentConfig: {
      installationId: DEMO_INSTALLATION_ID,
      owner: '{{.variables.github_org}}',
      repo: DEMO_REPO,
      workflowId: 'deploy.yml',
      ref: 'main',
    },
    dispatchContext: {
      deployment: { id: 'b1d2c3e4-0000-4000-8000-000000000001', name: 'api-service', slug: 'api-service' },
      environment: { id: 'b1d2c3e4-0000-4000-8000-000000000002', name: 'production' },
      resource: { id: 'b1d2c3e4-0000-4000-8000-000000000003', identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod' } },
      version: { id: 'b1d2c3e4-0000-4000-8000-000000000004', tag: 'v1.2.3', name: 'Release 1.2.3' },
      variables: { github_org: DEMO_OWNER },
    },
  });
}

/** Calls `onChange` with each status the job takes in Ctrlplane until it is final; returns a stop function. */
export function watchCtrlplaneJob(sandbox: CtrlplaneSandbox, jobId: string, onChange: (status: CtrlplaneJobStatus) => void): () => void {
  let last: CtrlplaneJobStatus | undefined;
  const timer = setInterval(() => {
    const status = sandbox.job(jobId)?.status;
    if (!status || status === last) return;
    last = status;
    onChange(status);
    if (isFinalCtrlplaneStatus(status)) clearInterval(timer);
  }, 100);
  timer.unref();
  return () => clearInterval(timer);
}
