const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Job IDs are UUIDs (ours and Ctrlplane's); anything else cannot be a job of this service. */
export function isJobId(id: string): boolean {
  return UUID.test(id);
}
