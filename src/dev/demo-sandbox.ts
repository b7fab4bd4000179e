import type { Logger } from 'pino';
import { type GithubSandbox, startGithubSandbox } from '../sandbox/github-sandbox.ts';

export const DEMO_INSTALLATION_ID = 1;
export const DEMO_OWNER = 'acme';
export const DEMO_REPO = 'deploy-demo';

/** The GitHub `npm run dev` talks to when no GitHub App is configured: one repo with a good and a broken workflow. */
export function startDemoSandbox(webhookSecret: string, logger: Logger): Promise<GithubSandbox> {
  return startGithubSandbox({
    webhookSecret,
    logger,
    // Slow enough to watch a job go pending → in_progress → successful in the Temporal UI.
    stepDelayMs: 1500,
    installations: [{ id: DEMO_INSTALLATION_ID, account: DEMO_OWNER }],
    repos: [
      {
        owner: DEMO_OWNER,
        name: DEMO_REPO,
        defaultBranch: 'main',
        branches: ['main'],
        workflows: [
          { id: 1, path: '.github/workflows/deploy.yml', name: 'Deploy', conclusion: 'success' },
          { id: 2, path: '.github/workflows/deploy-broken.yml', name: 'Deploy (broken)', conclusion: 'failure' },
        ],
      },
    ],
  });
}
