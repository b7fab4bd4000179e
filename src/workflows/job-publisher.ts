import { metricMeter, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Job } from '../domain/job.ts';
import { isTerminalStatus } from '../domain/job-status.ts';
import { searchAttributes } from '../contract/search-attributes.ts';

/** What the job waits for besides its run (GitHub's request budget), shown in its details while it lasts. */
export interface WaitingNote {
  note?: string;
}

export interface PublisherOptions {
  /** The search attributes already published, as `publishedAtStart` gives them; '' for none. */
  published: string;
  waiting: WaitingNote;
}

/** Publishes the job as it changes; called by `JobState` on every change. */
export type Publish = (job: Job) => void;

/**
 * The published form of what the workflow was started with: status and repository (the API and poller set both), so
 * the first change that sets only those is not upserted again.
 */
export function publishedAtStart(): string {
  const attributes = workflowInfo().typedSearchAttributes;
  const status = attributes.get(searchAttributes.status);
  const repository = attributes.get(searchAttributes.repository);
  if (status === undefined) return '';
  return JSON.stringify([[searchAttributes.status.name, status], ...(repository === undefined ? [] : [[searchAttributes.repository.name, repository]])]);
}

/**
 * Keeps the Temporal UI's view of the job current: search attributes and the details pane (one line: status, run
 * link, GitHub's own status), and counts the job when it ends.
 *
 * Each upsert is a history event, a billable action and a visibility write, so there is one only when a value
 * changes, and the changes of one workflow task (the run and in_progress, known together from the dispatch) make one
 * upsert, sent after the task's other code has run.
 */
export function createPublisher({ published: initial, waiting }: PublisherOptions): Publish {
  // Jobs that reached a final status, by status; the SDK drops metrics during replay, so each job counts once.
  const jobsCompleted = metricMeter.createCounter('gha_agent_jobs_completed', 'jobs', 'Jobs that reached a final status');
  let counted = false;
  let published = initial;
  let pending: Job | undefined;
  const upsert = (job: Job): void => {
    const config = job.renderedJobAgentConfig;
    const pairs = [
      { key: searchAttributes.status, value: job.status },
      ...(config ? [{ key: searchAttributes.repository, value: `${config.owner}/${config.repo}` }] : []),
      ...(job.run ? [{ key: searchAttributes.runId, value: job.run.id }] : []),
    ];
    const values = JSON.stringify(pairs.map(({ key, value }) => [key.name, value]));
    if (values === published) return;
    upsertSearchAttributes(pairs);
    published = values;
  };
  return (job) => {
    // A microtask runs within the workflow task, after the code that changed the job, before its commands are sent.
    if (pending === undefined) {
      void Promise.resolve().then(() => {
        const latest = pending as Job;
        pending = undefined;
        upsert(latest);
      });
    }
    pending = job;
    const parts = [`**${job.status}**`];
    if (job.run) parts.push(job.links.run ? `[run ${job.run.id}](${job.links.run})` : `run ${job.run.id}`);
    if (job.run?.status) parts.push(`GitHub: ${job.run.status}${job.run.conclusion ? ` / ${job.run.conclusion}` : ''}`);
    if (job.message && !job.run) parts.push(job.message);
    if (waiting.note && !isTerminalStatus(job.status)) parts.push(waiting.note);
    setCurrentDetails(parts.join(' · '));
    if (isTerminalStatus(job.status) && !counted) {
      counted = true;
      jobsCompleted.add(1, { status: job.status });
    }
  };
}
