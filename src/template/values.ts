import { wellFormed } from './encoding.ts';

// How Go values are represented in JavaScript while a template runs.
//
//   undefined        an invalid reflect.Value ("no value")
//   null             a nil interface{} (JSON null, a missing map key under missingkey=zero)
//   string, boolean  string, bool
//   bigint           int
//   number           float64
//   JsonNumber       json.Number (the data's numbers, kept as their JSON literal)
//   TypedInt         other integer types (int64 from sprig arithmetic, ...)
//   Array            []interface{} (or []string / []int when registered in `sliceTypes`)
//   plain object     map[string]interface{} (or map[string]string when in `stringMaps`)
//   GoTime           time.Time

/** A JSON number as Go's json.Decoder.UseNumber keeps it: the literal text, a string kind. */
export class JsonNumber {
  constructor(readonly literal: string) {}
  toString(): string {
    return this.literal;
  }
  toJSON(): unknown {
    return Number(this.literal);
  }
}

/** An integer of a Go type other than int (int64, uint8, ...). */
export class TypedInt {
  constructor(
    readonly type: string,
    readonly v: bigint,
  ) {}
}

/** A complex128 (only from template constants such as 1+2i). */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** A time.Time: an instant in milliseconds plus the nanoseconds below the millisecond. */
export class GoTime {
  constructor(
    readonly ms: number,
    readonly nanos = 0,
  ) {}
}

/** Element type of slices that are not []interface{} ("string" for []string, "int" for []int). */
export const sliceTypes = new WeakMap<object, string>();
/** Maps whose element type is string (sprig's split returns map[string]string). */
export const stringMaps = new WeakSet<object>();

export function typedSlice<T extends unknown[]>(arr: T, elem: string): T {
  sliceTypes.set(arr, elem);
  return arr;
}

export type Kind = 'invalid' | 'interface' | 'string' | 'bool' | 'int' | 'uint' | 'float' | 'complex' | 'slice' | 'map' | 'struct' | 'func';

export function isMap(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof JsonNumber) &&
    !(v instanceof TypedInt) &&
    !(v instanceof GoTime) &&
    !(v instanceof GoComplex)
  );
}

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'function':
      return 'func';
  }
  if (v === null) return 'interface';
  if (v instanceof JsonNumber) return 'string';
  if (v instanceof TypedInt) return v.type.startsWith('u') ? 'uint' : 'int';
  if (v instanceof GoTime) return 'struct';
  if (v instanceof GoComplex) return 'complex';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

/** The Go type name as reflect prints it. */
export function typeName(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return '<nil>';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
  }
  if (v === null) return 'interface {}';
  if (v instanceof JsonNumber) return 'json.Number';
  if (v instanceof TypedInt) return v.type;
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoComplex) return 'complex128';
  if (Array.isArray(v)) return `[]${sliceTypes.get(v) ?? 'interface {}'}`;
  return stringMaps.has(v as object) ? 'map[string]string' : 'map[string]interface {}';
}

/** The integer value of an int-kind value, or undefined. */
export function intValue(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (v instanceof TypedInt) return v.v;
  return undefined;
}

/** Wraps a bigint into Go int64 range (two's complement), as Go arithmetic does. */
export function wrapInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/**
 * Converts caller data into the representation above: JS numbers become JsonNumber with the literal
 * JSON.stringify would write (so data that went through JSON keeps printing the same way); Dates,
 * Maps and class instances are not expected (the data is JSON).
 */
export function fromJs(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (typeof v) {
    case 'string':
      return wellFormed(v);
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? new JsonNumber(String(v)) : null;
    case 'bigint':
      return new JsonNumber(v.toString());
  }
  if (v instanceof JsonNumber) return v;
  if (Array.isArray(v)) return v.map(fromJs);
  if (v instanceof Date) return new JsonNumber(String(v.getTime()));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as object)) {
    if (x !== undefined) out[wellFormed(k)] = fromJs(x);
  }
  return out;
}

/** True when `v` needs no conversion by fromJs (fast path for already-converted data). */
export function isGoData(v: unknown): boolean {
  return v instanceof GoData;
}

/** Data already converted by `prepareData`, so repeated renders skip the conversion. */
export class GoData {
  constructor(readonly value: unknown) {}
}

export function prepareData(data: unknown): GoData {
  return data instanceof GoData ? data : new GoData(fromJs(data));
}
