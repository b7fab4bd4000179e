// Go text/template + sprig for job agent configs. See README.md in this folder.
import { newMeter, ProgramCache, run, type RenderOptions } from './engine.ts';
import { forgetAbandonedRender, isResourceError, type BudgetMeter } from './budget.ts';
import { TemplateError } from './template-error.ts';
import { prepareData } from './values.ts';
import { replaceRawBytes } from './encoding.ts';

export { TemplateError, withTemplateHint } from './template-error.ts';
export { ProgramCache, type ProgramCacheOptions, type RenderOptions } from './engine.ts';
export { DEFAULT_RENDER_BUDGET, type RenderBudget } from './budget.ts';
export { JsonNumber, GoTime, prepareData } from './values.ts';
export { parseJson } from './json.ts';

const DEFAULT_NAME = 'template';

/**
 * Parsed templates of this process (or, in a worker, of every workflow: the engine is preloaded and shared,
 * src/worker/workflow-source.ts). Kept out of the exports, which the workflow sandbox freezes; what it holds never
 * changes an outcome, since a render is charged for its parse whether or not the cache has it.
 */
const defaultCache = new ProgramCache();

/**
 * Renders `source` with `data` as Go's text/template with sprig and missingkey=zero would.
 * `data` is JSON-shaped: JS numbers print as JSON.stringify writes them; pass data from
 * `parseJson` to keep number literals exactly as written (`1.50`, `10000000000000000000001`).
 * Throws TemplateError with Go's message on parse or execution errors.
 */
export function renderTemplate(source: string, data: unknown, options?: RenderOptions): string {
  forgetAbandonedRender();
  const name = options?.name ?? DEFAULT_NAME;
  return run(defaultCache, name, source, data, options, newMeter(options));
}

/** Go's parse error for `source`, or undefined when it parses (nothing is executed: no data is needed). */
export function templateSyntaxError(source: string, name = DEFAULT_NAME): string | undefined {
  forgetAbandonedRender();
  try {
    defaultCache.get(name, source);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

/**
 * Renders every string inside `config` (objects and arrays, any depth); keys and non-string values are
 * kept, and `config` itself is not modified. Each string is a template named after its path below the
 * root (`repo`, `inputs.image`, `args[0]`); a failure throws TemplateError whose message starts with the
 * full path: `jobAgentConfig.repo: template: repo:1:12: executing "repo" at <.version.tagg>: ...`.
 */
export function renderConfig<T>(config: T, data: unknown, options?: ConfigRenderOptions): T {
  forgetAbandonedRender();
  const root = options?.rootPath ?? 'jobAgentConfig';
  // One budget for the whole config: steps, output bytes and parse charges add up over all its strings.
  const meter = newMeter(options);
  try {
    const walk: ConfigWalk = { root, data: prepareData(data), meter, options: { ...options, name: root }, errors: [] };
    const rendered = renderValue(config, '', walk) as T;
    // Every string that failed is named, not only the first: a preview should show all there is to fix.
    if (walk.errors.length > 0) throw new TemplateError(walk.errors.map((error) => error.message).join('; '), walk.errors[0]?.path);
    return rendered;
  } catch (e) {
    // Data or a config nested deeper than the JavaScript stack allows.
    if (isResourceError(e)) throw new TemplateError(`${root}: render budget exceeded: config or data nested too deeply`, root);
    throw e;
  }
}

interface ConfigWalk {
  root: string;
  data: unknown;
  meter: BudgetMeter;
  options: RenderOptions & { name: string };
  /** Strings that failed so far; a budget overrun stops the walk at once instead (the budget is shared). */
  errors: TemplateError[];
}

function renderValue(v: unknown, path: string, w: ConfigWalk): unknown {
  if (typeof v === 'string') {
    if (!v.includes('{{')) return v;
    w.options.name = path === '' ? w.root : path;
    try {
      // The config goes to GitHub as JSON: raw bytes become U+FFFD, as Go's json.Marshal writes them (README).
      return replaceRawBytes(run(defaultCache, w.options.name, v, w.data, w.options, w.meter));
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      const full = path === '' ? w.root : w.root === '' ? path : path.startsWith('[') ? w.root + path : `${w.root}.${path}`;
      const error = new TemplateError(`${full}: ${e.message}`, full);
      if (/render budget exceeded/.test(e.message)) throw error;
      w.errors.push(error);
      return v;
    }
  }
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = renderValue(v[i], `${path}[${i}]`, w);
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = renderValue((v as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, w);
    return out;
  }
  return v;
}

export interface ConfigRenderOptions extends Omit<RenderOptions, 'name'> {
  /** Path prefix of error messages; default `jobAgentConfig`. */
  rootPath?: string;
}
