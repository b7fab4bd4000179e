/** A JSON object that is not an array or null: the only values that merge rather than replace. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges job-agent config layers as Ctrlplane does (agent → deployment → version): a later layer
 * wins, nested maps merge key by key, and anything else (arrays, scalars, null) replaces whole.
 * The result shares nothing with the inputs.
 */
export function mergeJobAgentConfig(...layers: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  let merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer) merged = mergeInto(merged, layer);
  }
  return merged;
}

function mergeInto(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isJsonObject(current) && isJsonObject(value) ? mergeInto(current, value) : structuredClone(value);
  }
  return out;
}
