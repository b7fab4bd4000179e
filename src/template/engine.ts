// Parsing with a bounded cache, and executing with the builtin + sprig function set.
import { builtins } from './builtins.ts';
import { ExecState, type Program } from './exec.ts';
import { FuncError, type FuncEnv, type TemplateFunc } from './functions.ts';
import { parseTemplate } from './parser.ts';
import { sprigFuncs, sprigNames } from './sprig.ts';
import { GoTime, prepareData } from './values.ts';

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

/** Parsed programs by template name and source text, least recently used evicted first. */
export class ProgramCache {
  private readonly byName = new Map<string, Map<string, { program: Program; used: number }>>();
  private count = 0;
  private clock = 0;

  constructor(private readonly capacity = 500) {}

  get size(): number {
    return this.count;
  }

  get(name: string, source: string): Program {
    let bySource = this.byName.get(name);
    const hit = bySource?.get(source);
    if (hit) {
      hit.used = ++this.clock;
      return hit.program;
    }
    const program: Program = { name, trees: parseTemplate(name, source, hasFunc) };
    if (!bySource) {
      bySource = new Map();
      this.byName.set(name, bySource);
    }
    bySource.set(source, { program, used: ++this.clock });
    if (++this.count > this.capacity) this.evictOldest();
    return program;
  }

  private evictOldest(): void {
    let oldest: { name: string; source: string; used: number } | undefined;
    for (const [name, bySource] of this.byName) {
      for (const [source, e] of bySource) {
        if (!oldest || e.used < oldest.used) oldest = { name, source, used: e.used };
      }
    }
    if (!oldest) return;
    const bySource = this.byName.get(oldest.name)!;
    bySource.delete(oldest.source);
    if (bySource.size === 0) this.byName.delete(oldest.name);
    this.count--;
  }

  clear(): void {
    this.byName.clear();
    this.count = 0;
  }
}

export const defaultCache = new ProgramCache();

export interface RenderOptions {
  /** Template name used in error messages (Go's `template: NAME:LINE:COL`). Default `template`. */
  name?: string;
  /** Clock for `now` and `date`; defaults to the current time (workflow time inside Temporal). */
  now?: () => Date | GoTime;
  /** Random source for `uuidv4`; defaults to Math.random (deterministic inside Temporal workflows). */
  random?: () => number;
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

export function execute(program: Program, data: unknown, options?: RenderOptions): string {
  return new ExecState(program, funcs, options ? new OptionsEnv(options) : defaultEnv).execute(prepareData(data).value);
}
