/** How long one listing of a workflow's runs answers the look-ups of other jobs: those that ask at about the same time. */
export const RUN_LISTING_SHARED_MS = 5_000;

interface Listing<Run> {
  at: number;
  /** The listing covers runs created at or after this time (epoch ms). */
  since: number;
  runs: Promise<Run[]>;
}

/**
 * Shares GitHub's run listings between the jobs of one worker that look for runs of the same workflow
 * at about the same time: until their runs are found, every waiting job looks its run up, and a burst of jobs on one
 * workflow would otherwise cost a request each. A listing answers every look-up that comes within
 * `RUN_LISTING_SHARED_MS` of it and asks for runs it covers; a failed listing answers nobody after it fails.
 */
export class SharedRunListings<Run> {
  private readonly listings = new Map<string, Listing<Run>>();

  constructor(
    private readonly sharedMs = RUN_LISTING_SHARED_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs under `key` created since `since`, from a listing shared with other look-ups or a new one (`list`). */
  runs(key: string, since: number, list: (since: number) => Promise<Run[]>): Promise<Run[]> {
    const now = this.now();
    const shared = this.listings.get(key);
    if (shared && now - shared.at < this.sharedMs && shared.since <= since) return shared.runs;
    for (const [old, listing] of this.listings) if (now - listing.at >= this.sharedMs) this.listings.delete(old);
    const listing: Listing<Run> = { at: now, since, runs: list(since) };
    this.listings.set(key, listing);
    listing.runs.catch(() => {
      if (this.listings.get(key) === listing) this.listings.delete(key);
    });
    return listing.runs;
  }
}
