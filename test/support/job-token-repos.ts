import { defaultSandboxRepos } from './e2e-stack.ts';

/** A sandbox workflow that declares the `job_token` input beside `job_id` and runs until told (or cancelled). */
export const TOKEN_HOLD = 105;
/** A sandbox workflow that declares the `job_token` input beside `job_id` and succeeds at once. */
export const TOKEN_QUICK = 106;

/** The stack's default sandbox repository with the two `job_token` workflows added, for the job-token tests. */
export const jobTokenRepos = [
  {
    ...defaultSandboxRepos[0]!,
    workflows: [
      ...defaultSandboxRepos[0]!.workflows,
      { id: TOKEN_HOLD, path: '.github/workflows/deploy-token-slow.yml', name: 'Deploy (token, slow)', hold: true, extraInputs: ['job_token'] },
      { id: TOKEN_QUICK, path: '.github/workflows/deploy-token.yml', name: 'Deploy (token)', extraInputs: ['job_token'] },
    ],
  },
];
