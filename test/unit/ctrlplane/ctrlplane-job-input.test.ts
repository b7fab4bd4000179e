import { describe, expect, it } from 'vitest';
import { ctrlplaneJobToWorkflowInput, unwrapVariables } from '../../../src/ctrlplane/ctrlplane-job-input.ts';
import { ctrlplaneJobSchema } from '../../../src/ctrlplane/ctrlplane-job.ts';
import { toCtrlplaneStatus } from '../../../src/domain/ctrlplane-status.ts';
import { JOB_STATUSES } from '../../../src/domain/job-status.ts';
import { renderJobAgentConfig } from '../../../src/domain/render-job-agent-config.ts';

const origin = { workspaceId: 'ws', agentId: 'agent' };

describe('a Ctrlplane job as a job workflow input', () => {
  it('takes the wrapper off object variables, once, and keeps literals', () => {
    expect(unwrapVariables({ n: 3, s: 'x', b: false, o: { object: { a: 1 } }, oo: { object: { object: 2 } }, arr: [1] })).toEqual({
      n: 3,
      s: 'x',
      b: false,
      o: { a: 1 },
      oo: { object: 2 },
      arr: [1],
    });
  });

  it('renders the merged config over the dispatch context as Go would, numbers as their JSON literal', () => {
    const job = ctrlplaneJobSchema.parse({
      id: '7b0f7c2e-1d5a-4c3b-9e8f-0a1b2c3d4e5f',
      releaseId: 'r',
      jobAgentId: 'agent',
      jobAgentConfig: {
        installationId: '{{.variables.installation}}',
        owner: '{{.variables.gh.org}}',
        repo: '{{.deployment.slug}}',
        workflowId: 'deploy.yml',
        ref: '{{.version.tag}}',
      },
      status: 'queued',
      createdAt: '2026-12-01T00:00:00Z',
      updatedAt: '2026-12-01T00:00:00Z',
      metadata: {},
      dispatchContext: {
        jobAgent: { id: 'agent', name: 'github-actions-agent', type: 'http-pull' },
        deployment: { id: 'd', name: 'API', slug: 'api' },
        environment: { id: 'e', name: 'prod' },
        resource: { id: 'r', identifier: 'c1', name: 'c1' },
        version: { id: 'v', tag: 'v1.2.3' },
        variables: { installation: 12345678, gh: { object: { org: 'acme' } } },
      },
    });
    const input = ctrlplaneJobToWorkflowInput(job, origin);
    expect(input.ctrlplane).toEqual(origin);
    const rendered = renderJobAgentConfig(input);
    expect(rendered).toMatchObject({ ok: true, config: { installationId: 12345678, owner: 'acme', repo: 'api', workflowId: 'deploy.yml', ref: 'v1.2.3' } });
  });

  it('spells every status of ours the way Ctrlplane takes it', () => {
    expect(JOB_STATUSES.map(toCtrlplaneStatus)).toEqual([
      'pending',
      'inProgress',
      'actionRequired',
      'successful',
      'failure',
      'cancelled',
      'skipped',
      'invalidJobAgent',
      'invalidIntegration',
      'externalRunNotFound',
    ]);
  });
});
