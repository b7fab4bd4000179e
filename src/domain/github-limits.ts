/**
 * How the agent spends GitHub's limits per installation: the defaults of GITHUB_MUTATION_INTERVAL_MS and
 * GITHUB_REQUEST_BUDGET, and the budget's reserve (docs/architecture.md "GitHub's request budget").
 */

/** GitHub's advice for mutating requests (dispatch, cancel) of one installation: one a second. */
export const DEFAULT_MUTATION_INTERVAL_MS = 1000;

/**
 * The share of an installation's rate limit the agent may spend: the rest stays for anything else that uses the App's
 * installation, and absorbs what replicas spend between two looks at GitHub's count.
 */
export const DEFAULT_GITHUB_REQUEST_BUDGET = 0.8;

/** The part of the budget run look-ups leave to dispatches and cancels. */
export const MUTATION_RESERVE_SHARE = 0.1;
