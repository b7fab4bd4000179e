import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { msToNumber, type SearchAttributePair } from '@temporalio/common';
import { ctrlplaneProblemInput, type JobWorkflowInput } from '../domain/job.ts';
import { jobInputOverLimits } from '../domain/job-input-limits.ts';
import { configOwner, DEFAULT_REF, organizationToResolve } from '../domain/job-agent-config.ts';
import { type RenderOutcome, renderJobAgentConfig } from '../domain/render-job-agent-config.ts';
import { searchAttributes } from '../contract/search-attributes.ts';
import { jobOriginOf, jobWorkflowId } from '../domain/job-id.ts';
import { JOB_WORKFLOW_TYPE } from '../contract/workflow-contract.ts';
import { DEFAULT_JOB_TIMEOUTS, type JobTimeouts } from '../domain/job-timeouts.ts';
import type { jobWorkflow } from '../workflows/job-workflow.ts';

const text = (value: unknown) => (value === undefined || value === null || value === '' ? '?' : String(value));

/** The Temporal UI's one-line summary: `deploy api-service v1.2.3 → production / cluster-1`. */
export function jobSummary(input: JobWorkflowInput): string {
  const resource = input.resource?.name ?? input.resource?.identifier;
  return `deploy ${text(input.deployment?.name)} ${text(input.version?.tag)} → ${text(input.environment?.name)} / ${text(resource)}`;
}

/**
 * The UI's details pane: the job, where it came from, and where it dispatches: the config as the job will render it
 * (same engine, same budget), or as written, marked so, when it does not render (the job then ends
 * invalid_job_agent and says why).
 */
function staticDetails(input: JobWorkflowInput, outcome: RenderOutcome): string {
  const config = outcome.ok ? outcome.config : input.jobAgentConfig;
  // A numeric organizationId is looked up by the job; until then the details name the ID.
  const organizationId = outcome.ok ? organizationToResolve(outcome.config) : undefined;
  const owner = organizationId !== undefined ? `<organization ${organizationId}>` : configOwner(config);
  const lines = [
    `job ${input.id}`,
    `GitHub: ${text(owner)}/${text(config.repo)} · workflow ${text(config.workflowId)} · ref ${config.ref === undefined ? DEFAULT_REF : text(config.ref)} · installation ${text(config.installationId)}${outcome.ok ? '' : ' (as written: it does not render)'}`,
  ];
  if (input.ctrlplane) lines.push(`from Ctrlplane: workspace ${input.ctrlplane.workspaceId} · agent ${input.ctrlplane.agentId}`);
  return lines.join('\n\n');
}

/**
 * A Ctrlplane job over JOB_INPUT_LIMITS (the API refuses its own with 413 before they get here) starts without its
 * context and config, marked with the reason: it is claimed and ends invalidJobAgent saying why, and what it
 * carried never enters its history (docs/architecture.md "Invariants").
 */
function withinLimits(input: JobWorkflowInput, rendered: RenderOutcome): JobWorkflowInput {
  if (!input.ctrlplane) return input;
  const over = jobInputOverLimits(input, rendered.rendered);
  if (!over) return input;
  return ctrlplaneProblemInput(input.id, input.createdAt, { ...input.ctrlplane, problem: `Ctrlplane's job ${input.id} is too large to run: ${over}` });
}

/**
 * A keyword search attribute, when the value is a non-empty string of a size visibility stores: a job from
 * Ctrlplane may name its deployment with a number, or not at all, and must start all the same.
 */
function keyword(key: (typeof searchAttributes)['deployment'], value: unknown): SearchAttributePair[] {
  return typeof value === 'string' && value !== '' && value.length <= 1000 ? [{ key, value }] : [];
}

/**
 * The backstop (docs/architecture.md "Invariants"): Temporal ends a job's workflow, every continued run included, once
 * the job's own deadlines and a long margin have passed, in case anything ever keeps it from ending by itself.
 */
export function jobExecutionTimeoutMs(overrides: Partial<JobTimeouts> = {}): number {
  const timeouts = { ...DEFAULT_JOB_TIMEOUTS, ...overrides };
  return msToNumber(timeouts.jobTimeout) + msToNumber(timeouts.discoveryTimeout) + msToNumber(timeouts.backstopMargin ?? 0);
}

export interface StartJobWorkflowOptions {
  taskQueue: string;
  timeouts?: Partial<JobTimeouts>;
  /** The config as the caller already rendered it (the API does, to check sizes and the allow-list); else rendered here. */
  rendered?: RenderOutcome;
}

/**
 * Starts the job's workflow (`job-<uuid>`, or `ctrlplane-job-<uuid>` for a job from Ctrlplane), once: a second start
 * of the same job ID and origin (a replayed POST, another API or worker replica) is refused by Temporal and reported
 * as `started: false`. The single place jobs start, for the API and the Ctrlplane poller alike.
 */
export async function startJobWorkflow(client: Client, given: JobWorkflowInput, options: StartJobWorkflowOptions): Promise<{ started: boolean }> {
  const renderedGiven = options.rendered ?? renderJobAgentConfig(given);
  const input = withinLimits(given, renderedGiven);
  const rendered = input === given ? renderedGiven : renderJobAgentConfig(input);
  try {
    await client.workflow.start<typeof jobWorkflow>(JOB_WORKFLOW_TYPE, {
      taskQueue: options.taskQueue,
      // The origin is part of the ID, so no API caller can take a Ctrlplane job's ID (docs/architecture.md "Job IDs and origins").
      workflowId: jobWorkflowId(input.id, jobOriginOf(input)),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowExecutionTimeout: jobExecutionTimeoutMs(options.timeouts),
      args: [{ ...input, timeouts: options.timeouts }],
      staticSummary: jobSummary(input),
      staticDetails: staticDetails(input, rendered),
      typedSearchAttributes: [
        { key: searchAttributes.status, value: 'pending' },
        // Known from the render, so the workflow's first upsert (pending + repository) has nothing left to change;
        // not for an owner given as a numeric organizationId, which the workflow publishes once it has looked it up.
        ...(rendered.ok && rendered.config.owner !== undefined ? keyword(searchAttributes.repository, `${rendered.config.owner}/${rendered.config.repo}`) : []),
        ...keyword(searchAttributes.deployment, input.deployment?.name),
        ...keyword(searchAttributes.environment, input.environment?.name),
        ...keyword(searchAttributes.resource, input.resource?.identifier),
        ...keyword(searchAttributes.ctrlplaneAgent, input.ctrlplane?.agentId),
      ],
    });
    return { started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
    throw error;
  }
}
