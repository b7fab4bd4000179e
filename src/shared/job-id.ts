const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Job IDs are UUIDs (ours and Ctrlplane's); anything else cannot be a job of this service. */
export function isJobId(id: string): boolean {
  return UUID.test(id);
}

/**
 * How many job IDs a run's title and name are searched for (docs/architecture.md "Webhook path"): a run serves one
 * job, so a title naming more is taken at its first ones and the rest are ignored. Each ID costs a delivery a look-up
 * of the job in Temporal (two when written in upper case), so this bounds what one signed delivery can cost.
 */
export const MAX_JOB_IDS_PER_RUN = 3;

/**
 * The job IDs a GitHub run names, as written, in the order they appear (run-name first, then the workflow's name),
 * at most MAX_JOB_IDS_PER_RUN of them (distinct whatever their case).
 */
export function jobIdsInRunTitle(texts: ReadonlyArray<string | null | undefined>): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const [id] of text.matchAll(UUID_IN_TEXT)) {
      if (seen.has(id.toLowerCase())) continue;
      seen.add(id.toLowerCase());
      ids.push(id);
      if (ids.length === MAX_JOB_IDS_PER_RUN) return ids;
    }
  }
  return ids;
}
