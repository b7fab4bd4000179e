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
  /** Total UTF-8 bytes of the cached sources (and names); default 8 MiB. */
  maxBytes?: number;
  /** Number of cached programs; default 10000. */
  maxEntries?: number;
}

/**
 * Parsed programs by template name and source text, least recently used evicted first once the cached
 * sources pass `maxBytes` in total (or `maxEntries` programs). A parse tree takes a small multiple of its
 * source's size, so the bound on source bytes bounds the cache's memory.
 */
export class ProgramCache {
  private readonly byName = new Map<string, Map<string, CacheEntry>>();
  /** Entries from least to most recently used (a Set keeps insertion order). */
  private readonly order = new Set<CacheEntry>();
  private total = 0;
  readonly maxBytes: number;
  readonly maxEntries: number;

  constructor(options: ProgramCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 8 << 20;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Number of cached programs. */
  get size(): number {
    return this.order.size;
  }

  /** UTF-8 bytes of the cached sources and names. */
  get bytes(): number {
    return this.total;
  }

  get(name: string, source: string): Program {
    let bySource = this.byName.get(name);
    const hit = bySource?.get(source);
    if (hit) {
      this.order.delete(hit);
      this.order.add(hit);
      return hit.program;
    }
    const program: Program = { name, trees: parse(name, source) };
    const bytes = utf8Length(source) + utf8Length(name);
    // A program larger than the whole cache is used once and not kept.
    if (bytes > this.maxBytes) return program;
    if (!bySource) {
      bySource = new Map();
      this.byName.set(name, bySource);
    }
    const entry: CacheEntry = { name, source, program, bytes };
    bySource.set(source, entry);
    this.order.add(entry);
    this.total += bytes;
    // Bounded by the entries there are: a count left wrong by an eviction the sandbox cut short cannot spin it.
    while (this.order.size > 0 && (this.total > this.maxBytes || this.order.size > this.maxEntries)) this.evictOldest();
    return program;
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
  const program = cache.get(name, source);
  return execute(program, data, options, meter);
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
