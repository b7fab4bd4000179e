import type { InstallationBudget } from './installation-budget.ts';

/** Pages (of GitHub's largest, 100 runs) one listing reads at most; GitHub serves no more than 1,000 filtered results. */
export const MAX_LISTING_PAGES = 10;

/**
 * How long a job's look-up widens the listings of its workflow to cover its run too: a little longer than the longest
 * interval between two look-ups of a waiting job (16 poll intervals of a minute), so a job that ended stops counting.
 */
const DEMAND_MS = 20 * 60 * 1000;

/** One listing of a workflow's runs, newest first. */
export interface RunListing<Run> {
  runs: Run[];
  /** False when the listing stopped at MAX_LISTING_PAGES with older runs left unread. */
  complete: boolean;
}

interface Held<Run> {
  /** When the listing was asked for (epoch ms). */
  at: number;
  /** Runs created at or after this time (epoch ms) are in it. */
  since: number;
  listing: Promise<RunListing<Run>>;
}

export interface ListingRequest {
  installationId: number;
  /** The workflow: installation, repository and workflow ID. */
  key: string;
  /** The oldest run the asker could be looking for was created at or after this (epoch ms). */
  since: number;
  /** How old a listing the asker accepts (ms): half the interval at which it looks. */
  maxAgeMs: number;
  /** Who asks (the job's ID): the listings of a workflow cover the runs of every job that asked lately. */
  asker: string;
}

export type ListingAnswer<Run> = { listing: RunListing<Run> } | { deferred: { until: number; reason: string } };

/**
 * Listings of each workflow's runs, shared by every job of the worker that waits for a run of it (docs/architecture.md
 * "GitHub's request budget"): when webhooks stay away, one listing answers every waiting job of a workflow, whether its
 * run is known or not, so the cost of the fallback grows with workflows, not jobs. A listing answers a job that accepts
 * its age and whose runs it covers; a new one covers the oldest run any job of the workflow asked for lately,
 * so the jobs of a workflow keep sharing one listing. New listings take their turn in the installation's budget; a job
 * told to wait comes back when its workflow's turn comes, with the others told the same.
 */
export class WorkflowRunListings<Run> {
  private readonly held = new Map<string, Held<Run>>();
  /** Per workflow, the jobs that asked lately: the oldest run each could be looking for, and when it asked. */
  private readonly demand = new Map<string, Map<string, { since: number; at: number }>>();

  constructor(
    private readonly budget: InstallationBudget | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A listing that covers `request`, shared or new (`list`), or the time to come back for one. */
  async answer(request: ListingRequest, list: (since: number) => Promise<RunListing<Run>>): Promise<ListingAnswer<Run>> {
    const now = this.now();
    const since = this.widen(request, now);
    const shared = this.held.get(request.key);
    if (shared && now - shared.at <= request.maxAgeMs && shared.since <= request.since) return { listing: await shared.listing };
    const deferred = this.budget?.lookUp(request.installationId, request.key);
    if (deferred) return { deferred };
    this.forgetOld(now);
    const held: Held<Run> = { at: now, since, listing: list(since) };
    this.held.set(request.key, held);
    held.listing.catch(() => {
      // A failed listing answers nobody after it failed.
      if (this.held.get(request.key) === held) this.held.delete(request.key);
    });
    return { listing: await held.listing };
  }

  /** The oldest run any job asked for under the request's key lately, counting this request. */
  private widen(request: ListingRequest, now: number): number {
    let askers = this.demand.get(request.key);
    if (!askers) {
      askers = new Map();
      this.demand.set(request.key, askers);
    }
    askers.set(request.asker, { since: request.since, at: now });
    let oldest = request.since;
    for (const [asker, asked] of askers) {
      if (now - asked.at > DEMAND_MS) askers.delete(asker);
      else oldest = Math.min(oldest, asked.since);
    }
    return oldest;
  }

  private forgetOld(now: number): void {
    for (const [key, held] of this.held) if (now - held.at > DEMAND_MS) this.held.delete(key);
    for (const [key, askers] of this.demand) {
      for (const [asker, asked] of askers) if (now - asked.at > DEMAND_MS) askers.delete(asker);
      if (askers.size === 0) this.demand.delete(key);
    }
  }
}
