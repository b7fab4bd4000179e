// Parsing with a bounded cache, and executing with the builtin + sprig function set.
import { builtins } from './builtins.ts';
import { ExecState, type Program } from './exec.ts';
import { FuncError, type FuncEnv, type TemplateFunc } from './functions.ts';
import type { Tree } from './nodes.ts';
import { parseTemplate } from './parser.ts';
import { sprigFuncs, sprigNames } from './sprig.ts';
import { GoTime, prepareData } from './values.ts';
import { BudgetMeter, isResourceError, resolveBudget, SOURCE_CHARS_PER_STEP, utf8Length, type RenderBudget } from './budget.ts';
import { TemplateError } from './template-error.ts';
import { wellFormed } from './encoding.ts';

const funcs = new Map<string, TemplateFunc>();
for (const [k, f] of Object.entries(builtins)) funcs.set(k, f);
// sprig's functions take precedence over builtins of the same name (its `slice`), as in Go.
for (const name of sprigNames) {
  funcs.set(name, sprigFuncs[name] ?? unsupported(name));
}

function unsupported(name: string): TemplateFunc {
  return {
    params: [],
    variadic: 'any',
    fn: () => {
      throw new FuncError(`function ${JSON.stringify(name)} is not supported by this template engine`);
    },
  };
}

const hasFunc = (name: string): boolean => funcs.has(name);

interface CacheEntry {
  name: string;
  source: string;
  program: Program;
  bytes: number;
}

export interface ProgramCacheOptions {
  /** Estimated heap bytes of the cached programs, their sources and names (estimateProgramBytes); default 32 MiB. */
  maxBytes?: number;
  /** Number of cached programs; default 10000. */
  maxEntries?: number;
}

/** Default bound of a ProgramCache: estimated heap bytes of what it holds. */
export const PARSE_CACHE_MAX_BYTES = 32 << 20;
/** Default bound of a ProgramCache: programs it holds. */
export const PARSE_CACHE_MAX_ENTRIES = 10_000;

/**
 * Parsed programs by template name and source text, least recently used evicted first once what the cache holds
 * passes `maxBytes` in total (estimated heap bytes of the parse trees, sources and names: a tree takes far more
 * than its source, about 180 bytes per byte of `{{1}}{{1}}…`) or `maxEntries` programs. Only programs that rendered
 * are added by `run`, so a template that fails costs no cache space.
 */
export class ProgramCache {
  private readonly byName = new Map<string, Map<string, CacheEntry>>();
  /** Entries from least to most recently used (a Set keeps insertion order). */
  private readonly order = new Set<CacheEntry>();
  private total = 0;
  readonly maxBytes: number;
  readonly maxEntries: number;

  constructor(options: ProgramCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? PARSE_CACHE_MAX_BYTES;
    this.maxEntries = options.maxEntries ?? PARSE_CACHE_MAX_ENTRIES;
  }

  /** Number of cached programs. */
  get size(): number {
    return this.order.size;
  }

  /** Estimated heap bytes of the cached programs, sources and names. */
  get bytes(): number {
    return this.total;
  }

  /** The cached program of (name, source), marked most recently used, or undefined. */
  lookup(name: string, source: string): Program | undefined {
    const hit = this.byName.get(name)?.get(source);
    if (!hit) return undefined;
    this.order.delete(hit);
    this.order.add(hit);
    return hit.program;
  }

  /** The program of (name, source), parsed and added when not cached; throws TemplateError on a syntax error. */
  get(name: string, source: string): Program {
    const hit = this.lookup(name, source);
    if (hit) return hit;
    // Go reads the source as UTF-8 text: a lone surrogate is U+FFFD, never a raw byte (checked on a cache miss only).
    const program = parseProgram(name, wellFormed(source));
    this.add(name, source, program);
    return program;
  }

  /** Adds a parsed program; one estimated larger than the whole cache is not kept. */
  add(name: string, source: string, program: Program): void {
    if (this.byName.get(name)?.has(source)) return;
    const bytes = estimateProgramBytes(program) + STRING_BYTES + utf8Length(source) + STRING_BYTES + utf8Length(name) + ENTRY_BYTES;
    if (bytes > this.maxBytes) return;
    let bySource = this.byName.get(name);
    if (!bySource) {
      bySource = new Map();
      this.byName.set(name, bySource);
    }
    const entry: CacheEntry = { name, source, program, bytes };
    bySource.set(source, entry);
    this.order.add(entry);
    this.total += bytes;
    // Bounded by the entries there are: a count left wrong by an eviction the sandbox cut short cannot spin it.
    for (let n = this.order.size; n > 0 && (this.total > this.maxBytes || this.order.size > this.maxEntries); n--) this.evictOldest();
  }

  private evictOldest(): void {
    const oldest = this.order.values().next().value;
    if (!oldest) return;
    this.order.delete(oldest);
    const bySource = this.byName.get(oldest.name)!;
    bySource.delete(oldest.source);
    if (bySource.size === 0) this.byName.delete(oldest.name);
    this.total = this.order.size === 0 ? 0 : this.total - oldest.bytes;
  }

  clear(): void {
    this.byName.clear();
    this.order.clear();
    this.total = 0;
  }
}

// Heap estimate of a parse tree, calibrated against V8 (Node 20, heap used after garbage collection, 64 KB templates of
// one kind each: actions, text, fields, pipelines, branches, variables, ranges, calls, defines): what the walk counts
// below (headers, one slot per property or element, string characters) times HEAP_FACTOR came out 1.2 to 2 times
// what V8 used.
const OBJECT_BYTES = 24;
const ARRAY_BYTES = 32;
const SLOT_BYTES = 8;
const STRING_BYTES = 16;
const BIGINT_BYTES = 24;
const ENTRY_BYTES = 160;
const HEAP_FACTOR = 2;

/**
 * Estimated heap bytes of a parsed program: every node, array, string and bigint its trees hold (a tree's source
 * text is the cache's key and is counted there). A walk over what the parse built: it costs a fraction of the parse,
 * which the render budget charges.
 */
export function estimateProgramBytes(program: Program): number {
  let bytes = 0;
  const stack: unknown[] = [];
  for (const tree of program.trees.values()) {
    bytes += OBJECT_BYTES + 4 * SLOT_BYTES + STRING_BYTES * 2 + tree.name.length + tree.parseName.length;
    if (tree.root) stack.push(tree.root);
  }
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') bytes += STRING_BYTES + v.length;
    else if (typeof v === 'bigint') bytes += BIGINT_BYTES;
    else if (typeof v === 'number') bytes += SLOT_BYTES;
    else if (Array.isArray(v)) {
      bytes += ARRAY_BYTES + SLOT_BYTES * v.length;
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      bytes += OBJECT_BYTES;
      for (const k in v) {
        bytes += SLOT_BYTES;
        // Every node points back at its tree, counted above.
        if (k !== 'tree') stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return bytes * HEAP_FACTOR;
}

/** Parses `source` into a program (not cached). */
export function parseProgram(name: string, source: string): Program {
  return { name, trees: parse(name, source) };
}

/** Parses, reporting a JavaScript stack overflow (absurdly deep nesting) as a parse error. */
function parse(name: string, source: string): Map<string, Tree> {
  try {
    return parseTemplate(name, source, hasFunc);
  } catch (e) {
    if (isResourceError(e)) throw new TemplateError(`template: ${name}: render budget exceeded: template nested too deeply to parse`);
    throw e;
  }
}

export interface RenderOptions {
  /** Template name used in error messages (Go's `template: NAME:LINE:COL`). Default `template`. */
  name?: string;
  /** Clock for `now` and `date`; defaults to the current time (workflow time inside Temporal). */
  now?: () => Date | GoTime;
  /** Random source for `uuidv4`; defaults to Math.random (deterministic inside Temporal workflows). */
  random?: () => number;
  /** Limits of the render; missing fields take DEFAULT_RENDER_BUDGET's values. */
  budget?: Partial<RenderBudget>;
}

/** FuncEnv over RenderOptions; a class so that no closure is created per render. */
class OptionsEnv implements FuncEnv {
  constructor(private readonly options: RenderOptions | undefined) {}

  now(): GoTime {
    const t = this.options?.now ? this.options.now() : new Date();
    return t instanceof GoTime ? t : new GoTime(t.getTime());
  }

  random(): number {
    return this.options?.random ? this.options.random() : Math.random();
  }
}

const defaultEnv = new OptionsEnv(undefined);

/** A meter for one render (or one renderConfig) with the options' budget. */
export function newMeter(options?: RenderOptions): BudgetMeter {
  return new BudgetMeter(resolveBudget(options?.budget));
}

/**
 * Parses (through the cache) and executes `source` against the meter. The source's size is checked
 * and its parse charged before anything else, whether or not the cache holds it, so a render's budget
 * never depends on what was rendered before.
 */
export function run(cache: ProgramCache, name: string, source: string, data: unknown, options: RenderOptions | undefined, meter: BudgetMeter): string {
  const limits = meter.limits;
  if (source.length > limits.maxTemplateBytes || source.length * 3 > limits.maxTemplateBytes) {
    const bytes = utf8Length(source);
    if (bytes > limits.maxTemplateBytes) {
      throw new TemplateError(`template: ${name}: render budget exceeded: template source is ${bytes} bytes (maxTemplateBytes ${limits.maxTemplateBytes})`);
    }
  }
  try {
    meter.step(source.length / SOURCE_CHARS_PER_STEP);
  } catch (e) {
    throw new TemplateError(`template: ${name}: ${(e as Error).message}`);
  }
  const cached = cache.lookup(name, source);
  if (cached) return execute(cached, data, options, meter);
  // Go reads the source as UTF-8 text: a lone surrogate is U+FFFD, never a raw byte (checked on a cache miss only).
  const program = parseProgram(name, wellFormed(source));
  const out = execute(program, data, options, meter);
  // Only a program that rendered is kept: a failing template (a syntax error, a render over budget) is parsed again
  // each time, paid by its render's budget, and holds no memory afterwards.
  cache.add(name, source, program);
  return out;
}

export function execute(program: Program, data: unknown, options?: RenderOptions, meter = newMeter(options)): string {
  let value: unknown;
  try {
    value = prepareData(data).value;
  } catch (e) {
    if (isResourceError(e)) throw new TemplateError(`template: ${program.name}: data nested too deeply`);
    throw e;
  }
  return new ExecState(program, funcs, options ? new OptionsEnv(options) : defaultEnv, meter).execute(value);
}
