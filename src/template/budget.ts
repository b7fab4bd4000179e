// The render budget: limits that make any render finish quickly and in bounded memory, whatever the
// template and data. The executor counts steps, output bytes and template nesting; every function checks
// the size of what it is about to build *before* building it. Charges depend only on the template, the
// data and the options (never on caches or clocks), so a render that fails in a Temporal workflow fails
// the same way on replay.
import { FuncError } from './functions.ts';

export interface RenderBudget {
  /**
   * Execution steps: one per node evaluated, range iteration and function call, plus work charged in
   * proportion to the data a function touches (one step per 64 characters of string work, per 4
   * characters of per-character JavaScript work, per 8 list items built) and to the template source
   * parsed (one step per 4 characters). Since everything built is charged, the steps also bound memory.
   */
  maxSteps: number;
  /** UTF-8 bytes written to the output (renderConfig: all strings of the config together). */
  maxOutputBytes: number;
  /** UTF-8 bytes of any single string a function or print builds. */
  maxStringBytes: number;
  /** Items of any list or map a function builds (list, until, splitList, append, dict, ...). */
  maxCollectionItems: number;
  /** Nesting of {{template}} calls (Go allows 100000; JavaScript stacks are shallower). */
  maxDepth: number;
  /** UTF-8 bytes of one template source; a larger one is refused before parsing. */
  maxTemplateBytes: number;
}

/** The defaults: generous for job agent configs, small enough that a render stays well under a second. */
export const DEFAULT_RENDER_BUDGET: Readonly<RenderBudget> = Object.freeze({
  maxSteps: 1_000_000,
  maxOutputBytes: 1 << 20,
  maxStringBytes: 1 << 20,
  maxCollectionItems: 100_000,
  maxDepth: 100,
  maxTemplateBytes: 64 << 10,
});

/** Characters of string work per step (native string operations: repeat, join, indexOf, slicing). */
export const CHARS_PER_STEP = 64;
/** Characters per step for per-character JavaScript loops (quoting, case mapping, hashing, UTF-8). */
export const SLOW_CHARS_PER_STEP = 4;
/**
 * Characters per step for work that costs a JavaScript call or allocation per character: a replacement at every
 * character (regexQuoteMeta), a code point mapped one by one outside ASCII (upper, lower, title), a map key built
 * (split), a list item converted (join), a line padded (indent).
 */
export const CALL_CHARS_PER_STEP = 1;
/** List items built or copied per step. */
export const ITEMS_PER_STEP = 8;
/** Map keys enumerated per step (Object.keys on a large map is slower than copying a list). */
export const KEYS_PER_STEP = 2;
/** Source characters parsed per step. */
export const SOURCE_CHARS_PER_STEP = 4;

const PREFIX = 'render budget exceeded: ';

/** A budget violation; functions report it as `error calling NAME: render budget exceeded: ...`. */
export class BudgetError extends FuncError {
  constructor(detail: string) {
    super(PREFIX + detail);
  }
}

/** Validates and completes a partial budget. */
export function resolveBudget(partial?: Partial<RenderBudget>): RenderBudget {
  if (!partial) return DEFAULT_RENDER_BUDGET;
  const b = { ...DEFAULT_RENDER_BUDGET };
  for (const k of Object.keys(DEFAULT_RENDER_BUDGET) as (keyof RenderBudget)[]) {
    const v = partial[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new TypeError(`render budget: ${k} must be a non-negative number`);
    b[k] = v;
  }
  return b;
}

/** What one render (or one renderConfig over all its strings) has used so far. */
export class BudgetMeter {
  steps = 0;
  outputBytes = 0;
  /** Bytes produced by the current top-level formatting (print, printf, a value printed by an action). */
  fmtBytes = 0;

  constructor(readonly limits: RenderBudget = DEFAULT_RENDER_BUDGET) {}

  /** Adds `n` steps; throws when the total passes maxSteps. */
  step(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      throw new BudgetError(`more than ${this.limits.maxSteps} execution steps (maxSteps)`);
    }
  }

  /** Charges string work over `chars` characters. */
  work(chars: number, perStep = CHARS_PER_STEP): void {
    if (chars >= perStep) this.step(chars / perStep);
  }

  /** Throws unless a string of `bytes` UTF-8 bytes may be built. */
  string(bytes: number): void {
    if (bytes > this.limits.maxStringBytes) {
      throw new BudgetError(`string would be ${fmtCount(bytes)} bytes (maxStringBytes ${this.limits.maxStringBytes})`);
    }
  }

  /** Like `string` for a string of `units` UTF-16 code units whose UTF-8 size is not known yet. */
  stringUnits(units: number, s?: () => string): void {
    // UTF-8 needs at least one byte and at most three per UTF-16 unit.
    if (units * 3 <= this.limits.maxStringBytes) return;
    if (units > this.limits.maxStringBytes) this.string(units);
    if (s) this.string(utf8Length(s()));
  }

  /** Throws unless a list or map of `n` items may be built. */
  items(n: number, what = 'list'): void {
    if (n > this.limits.maxCollectionItems) {
      throw new BudgetError(`${what} would have ${fmtCount(n)} items (maxCollectionItems ${this.limits.maxCollectionItems})`);
    }
  }

  /** Charges the copy of `n` list items and checks the size of the result. */
  copy(n: number, what = 'list'): void {
    this.items(n, what);
    if (n >= ITEMS_PER_STEP) this.step(n / ITEMS_PER_STEP);
  }

  /** Counts `bytes` more output bytes. */
  output(bytes: number): void {
    this.outputBytes += bytes;
    if (this.outputBytes > this.limits.maxOutputBytes) {
      throw new BudgetError(`output would be ${fmtCount(this.outputBytes)} bytes (maxOutputBytes ${this.limits.maxOutputBytes})`);
    }
  }

  /**
   * Counts `units` (UTF-16 code units, a lower bound of bytes) produced by the current formatting, which
   * must stay within maxStringBytes, and charges them as work.
   */
  produce(units: number, perStep = CHARS_PER_STEP): void {
    this.fmtBytes += units;
    if (this.fmtBytes > this.limits.maxStringBytes) {
      throw new BudgetError(`formatted value would be more than ${this.limits.maxStringBytes} bytes (maxStringBytes)`);
    }
    if (units >= perStep) this.step(units / perStep);
  }
}

/** A count that may be a huge bigint or float, printed as an integer. */
function fmtCount(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isSafeInteger(n) || !Number.isFinite(n)) return String(n);
  return BigInt(Math.round(n)).toString();
}

/** Object.keys of a map, charged to the active render (len, empty, if, keys, omit, ... enumerate them). */
export function mapKeys(m: object): string[] {
  const keys = Object.keys(m);
  if (keys.length >= KEYS_PER_STEP) meter().step(keys.length / KEYS_PER_STEP);
  return keys;
}

/** Meter of the render running now (renders are synchronous, so one at a time per JS realm). */
let active: BudgetMeter | null = null;
/** Used when no render is running (error formatting, direct calls in tests): only bounds sizes. */
const idle = new BudgetMeter({ ...DEFAULT_RENDER_BUDGET, maxSteps: Infinity, maxOutputBytes: Infinity });

export function meter(): BudgetMeter {
  return active ?? idle;
}

/**
 * Forgets a meter left active by a render that never returned. The workflow sandbox stops an activation that runs too
 * long without running its `finally` blocks, and in a worker the engine is shared by every workflow (preloaded, see
 * src/worker/workflow-source.ts), so the next job must not inherit the dead render's meter. Called where a render
 * begins, never inside one.
 */
export function forgetAbandonedRender(): void {
  active = null;
}

/** Runs `f` with `m` as the active meter. */
export function withMeter<T>(m: BudgetMeter | null, f: () => T): T {
  const saved = active;
  active = m;
  try {
    return f();
  } finally {
    active = saved;
  }
}

/** Length in bytes of the Go string `s` holds (a raw byte U+DC80-U+DCFF is one byte; another lone surrogate counts as U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // two units, four bytes
        i++;
      } else n += 2;
    } else if (c >= 0xdc80 && c <= 0xdcff) continue;
    else n += 2;
  }
  return n;
}

/** True for the errors a broken stack or an impossible allocation raises inside the engine. */
export function isResourceError(e: unknown): e is RangeError {
  return e instanceof RangeError && /call stack|Invalid (string|array|typed array) length|Array buffer allocation|out of memory/i.test(e.message);
}
