import { describe, expect, it } from 'vitest';
import { createPendingJob } from '../../src/domain/job.ts';
import { renderJobAgentConfig } from '../../src/domain/render-job-agent-config.ts';

const input = (jobAgentConfig: Record<string, unknown>, variables: Record<string, unknown>) => ({
  ...createPendingJob({
    id: '0b7a3e52-7c3f-4f3e-9f3b-2a8e0c1d2e3f',
    jobAgentConfig,
    deployment: { name: 'api' },
    environment: { name: 'prod' },
    resource: { identifier: 'c1' },
    version: { tag: 'v1' },
    variables,
    createdAt: '2026-01-01T00:00:00Z',
  }),
  createdAt: '2026-01-01T00:00:00Z',
});

describe('render errors', () => {
  it('never echo a variable value, however the template quotes it', () => {
    const secret = 'ghp_s3cr3tTokenValue';
    const outcome = renderJobAgentConfig(
      input(
        { installationId: 1, owner: 'acme', repo: 'r', workflowId: 1, ref: `{{ fail (printf "bad %s" .variables.token) }}` },
        { token: secret, nested: { also: `${secret}-2` } },
      ),
    );
    expect(outcome.ok).toBe(false);
    const message = (outcome as { message: string }).message;
    expect(message).toContain('bad ***');
    expect(message).not.toContain(secret);
  });
});
