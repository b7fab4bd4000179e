// The shape of template functions: Go signatures are kept so arguments are checked and converted
// the way text/template's reflection-based calls do it.
import type { GoTime } from './values.ts';

/**
 * Parameter types: `any` = interface{}, `value` = reflect.Value (builtins that see the raw value,
 * including "no value"), `map` = map[string]interface{}, the rest are Go's basic types.
 */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'int64' | 'float64' | 'bool' | 'map';

export interface TemplateFunc {
  params: ParamType[];
  /** Element type of a trailing variadic parameter. */
  variadic?: ParamType;
  /** and/or: evaluated lazily by the executor. */
  special?: 'and' | 'or' | 'call';
  /** Works character by character in JavaScript: string arguments are charged at the slower rate. */
  slow?: boolean;
  fn: (args: unknown[], env: FuncEnv) => unknown;
}

/** Sources of non-determinism, injectable so renders can be reproduced. */
export interface FuncEnv {
  now: () => GoTime;
  random: () => number;
}

/**
 * An error returned by a function; the executor reports it as `error calling NAME: message`.
 * Functions check sizes against the active render budget (budget.ts `meter()`) before they build.
 */
export class FuncError extends Error {}

export const paramTypeName: Record<ParamType, string> = {
  any: 'interface {}',
  value: 'reflect.Value',
  string: 'string',
  int: 'int',
  int64: 'int64',
  float64: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
};
