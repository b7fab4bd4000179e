/**
 * Which repositories have running jobs, so that a `workflow_run` delivery from any other repository is answered
 * without a Temporal call (docs/architecture.md "Webhook path"). A GitHub App installed on a busy organisation
 * receives events for every run of every repository; almost none are ours.
 *
 * A repository seen with running jobs is remembered for `rememberMs`. A repository not known is looked up, but
 * never one delivery at a time: lookups wait for the next batch, and batches start at most every `batchIntervalMs`,
 * so however many foreign deliveries arrive, they cost at most one visibility query per interval between them.
 * Nothing is remembered as "no jobs": a job may start in any repository at any moment, and its first event must
 * not be dropped on an old answer. A batch starts after the delivery arrived, so it sees every job whose
 * repository was published before that (a job publishes its repository when it renders, before its dispatch).
 */
export interface RepositoryIndexOptions {
  /** Of the given repositories (as GitHub spells them), those that have running jobs (lower case). */
  lookUp(repositories: string[]): Promise<Set<string>>;
  batchIntervalMs?: number;
  rememberMs?: number;
  now?: () => number;
}

/**
 * 250 ms: at most four visibility queries a second per API replica, and a foreign delivery waits at most that
 * long (at 1 s, a closed loop of 64 deliveries managed 67/s in `npm run bench`).
 */
export const DEFAULT_REPOSITORY_BATCH_INTERVAL_MS = 250;
export const DEFAULT_REPOSITORY_REMEMBER_MS = 60_000;
/** Repositories remembered at once; past this the oldest are forgotten (and looked up again when needed). */
const MAX_REMEMBERED = 10_000;

interface Batch {
  repositories: Set<string>;
  answer: Promise<Set<string>>;
}

export class RepositoryIndex {
  private readonly remembered = new Map<string, number>();
  private pending: Batch | undefined;
  private lastBatchStart = Number.NEGATIVE_INFINITY;
  private readonly batchIntervalMs: number;
  private readonly rememberMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RepositoryIndexOptions) {
    this.batchIntervalMs = options.batchIntervalMs ?? DEFAULT_REPOSITORY_BATCH_INTERVAL_MS;
    this.rememberMs = options.rememberMs ?? DEFAULT_REPOSITORY_REMEMBER_MS;
    this.now = options.now ?? Date.now;
  }

  /** Says that `repository` has a running job (the API just learnt so, e.g. from a job's search attributes). */
  remember(repository: string): void {
    const key = repository.toLowerCase();
    this.remembered.delete(key);
    this.remembered.set(key, this.now() + this.rememberMs);
    if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value as string);
  }

  /** Whether `repository` may have a running job; false only on an answer asked after this call. */
  async mayHaveJobs(repository: string): Promise<boolean> {
    const key = repository.toLowerCase();
    const until = this.remembered.get(key);
    if (until !== undefined && until > this.now()) return true;
    if (until !== undefined) this.remembered.delete(key);
    // The name as given goes to the lookup: search attributes are case-sensitive, and a job's repository is
    // published as configured, which is usually GitHub's own spelling (`Acme/API`).
    const found = await this.batchFor(repository);
    if (found.has(key)) this.remember(key);
    return found.has(key);
  }

  /** Joins the batch that has not started yet, or opens one that starts when the interval allows. */
  private batchFor(repository: string): Promise<Set<string>> {
    if (this.pending) {
      this.pending.repositories.add(repository);
      return this.pending.answer;
    }
    const repositories = new Set([repository]);
    const wait = Math.max(0, this.lastBatchStart + this.batchIntervalMs - this.now());
    const answer = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      // From here on, new deliveries open the next batch: this one's question is fixed.
      this.pending = undefined;
      this.lastBatchStart = this.now();
      return this.options.lookUp([...repositories]);
    });
    this.pending = { repositories, answer };
    return answer;
  }
}
