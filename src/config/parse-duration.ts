/**
 * The one duration grammar of every setting (JOB_*, CTRLPLANE_POLL_INTERVAL, GITHUB_REDELIVER_INTERVAL,
 * JOB_TOKEN_GRACE_PERIOD, `--since`): one or more `<number><unit>` parts, compact or spelled out, e.g. `90s`,
 * `1h30m`, `10 minutes`, `2 hours 30 minutes`, `500ms`. A bare number is refused: say the unit.
 */
const UNITS: ReadonlyArray<[RegExp, number]> = [
  [/^(ms|milliseconds?)$/, 1],
  [/^(s|secs?|seconds?)$/, 1000],
  [/^(m|mins?|minutes?)$/, 60_000],
  [/^(h|hrs?|hours?)$/, 3_600_000],
  [/^(d|days?)$/, 86_400_000],
];

const UNIT = 'milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d';
const PART = `[0-9]+(?:\\.[0-9]+)?\\s*(?:${UNIT})`;

/** The grammar as a regular expression source, for schemas that must accept exactly what the process accepts. */
export const DURATION_PATTERN = `^\\s*(?:${PART}\\s*)+$`;

const WHOLE = new RegExp(DURATION_PATTERN);
const PARTS = new RegExp(`([0-9]+(?:\\.[0-9]+)?)\\s*(${UNIT})`, 'g');

/** Milliseconds; throws on anything outside the grammar. */
export function parseDuration(text: string): number {
  if (!WHOLE.test(text)) throw new Error(`not a duration: "${text}" (use e.g. 30s, 5m, 1h30m, 10 minutes, 2d)`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PARTS)) {
    const factor = UNITS.find(([pattern]) => pattern.test(unit as string))?.[1] as number;
    total += Number(amount) * factor;
  }
  return total;
}
