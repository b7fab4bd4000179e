// Go text/template + sprig for job agent configs. See README.md in this folder.
import { defaultCache, execute, type RenderOptions } from './engine.ts';
import { TemplateError } from './template-error.ts';
import { prepareData } from './values.ts';

export { TemplateError } from './template-error.ts';
export { ProgramCache, type RenderOptions } from './engine.ts';
export { JsonNumber, GoTime, prepareData } from './values.ts';
export { parseJson } from './json.ts';

const DEFAULT_NAME = 'template';

/**
 * Renders `source` with `data` as Go's text/template with sprig and missingkey=zero would.
 * `data` is JSON-shaped: JS numbers print as JSON.stringify writes them; pass data from
 * `parseJson` to keep number literals exactly as written (`1.50`, `10000000000000000000001`).
 * Throws TemplateError with Go's message on parse or execution errors.
 */
export function renderTemplate(source: string, data: unknown, options?: RenderOptions): string {
  const name = options?.name ?? DEFAULT_NAME;
  const program = defaultCache.get(name, source);
  return execute(program, data, options);
}

/**
 * Renders every string inside `config` (objects and arrays, any depth); keys and non-string values are
 * kept, and `config` itself is not modified. Each string is a template named after its path below the
 * root (`repo`, `inputs.image`, `args[0]`); a failure throws TemplateError whose message starts with the
 * full path: `jobAgentConfig.repo: template: repo:1:12: executing "repo" at <.version.tagg>: ...`.
 */
export function renderConfig<T>(config: T, data: unknown, options?: ConfigRenderOptions): T {
  const root = options?.rootPath ?? 'jobAgentConfig';
  return renderValue(config, '', { root, data: prepareData(data), options: { ...options, name: root } }) as T;
}

interface ConfigWalk {
  root: string;
  data: unknown;
  options: RenderOptions & { name: string };
}

function renderValue(v: unknown, path: string, w: ConfigWalk): unknown {
  if (typeof v === 'string') {
    if (!v.includes('{{')) return v;
    w.options.name = path === '' ? w.root : path;
    try {
      return renderTemplate(v, w.data, w.options);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      const full = path === '' ? w.root : w.root === '' ? path : path.startsWith('[') ? w.root + path : `${w.root}.${path}`;
      throw new TemplateError(`${full}: ${e.message}`, full);
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
