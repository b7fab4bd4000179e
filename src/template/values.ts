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
/**
 * Capacity of slices whose cap exceeds their length: Go's json decoder builds a []interface{} by append, so
 * a decoded array of 3 has cap 4, and sprig's `slice` (reflect.Value.Slice) may cut up to the cap, the
 * slots past the length being nil. Other slices have cap = len.
 */
export const sliceCaps = new WeakMap<object, number>();

export function capOf(arr: unknown[]): number {
  return sliceCaps.get(arr) ?? arr.length;
}

// runtime.SizeClassToSize (Go 1.26, internal/runtime/gc/sizeclasses.go).
const SIZE_CLASSES = [
  8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152,
  1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336,
  16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
];

/** runtime.roundupsize for an allocation holding pointers. */
function roundupsize(size: number): number {
  if (size <= 32768 - 8) {
    const req = size > 512 ? size + 8 : size; // malloc header
    return SIZE_CLASSES.find((c) => c >= req)! - (req - size);
  }
  return Math.ceil(size / 8192) * 8192;
}

/** runtime.growslice's new capacity for 16-byte elements (interfaces, strings) holding pointers. */
export function growCap(oldCap: number, newLen: number): number {
  let next = oldCap * 2;
  if (newLen > next) next = newLen;
  else if (oldCap >= 256) {
    next = oldCap;
    while (next < newLen) next += (next + 768) >> 2;
  }
  return Math.floor(roundupsize(next * 16) / 16);
}

/** cap of a []interface{} of n elements built by appending one at a time from an empty slice. */
export function appendCap(n: number): number {
  let cap = 0;
  while (cap < n) cap = growCap(cap, cap + 1);
  return cap;
}

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
  if (Array.isArray(v)) {
    const out = v.map(fromJs);
    const cap = appendCap(out.length);
    if (cap > out.length) sliceCaps.set(out, cap);
    return out;
  }
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
