// A port of Go's text/template executor over the value model in values.ts, with the option
// missingkey=zero. Errors carry Go's exact text.
import { sprint, sprintf } from './fmt.ts';
import { goQuote } from './lexer.ts';
import type * as N from './nodes.ts';
import { nodeString } from './nodes.ts';
import { FuncError, paramTypeName, type FuncEnv, type ParamType, type TemplateFunc } from './functions.ts';
import { TemplateError } from './template-error.ts';
import { utf8Bytes } from './fmt.ts';
import { normalizeBytes } from './encoding.ts';
import { compareStrings } from './fmt.ts';
import { GoComplex, GoTime, JsonNumber, TypedInt, isMap, kindOf, sliceTypes, stringMaps, typeName } from './values.ts';
import { parseFloat64, parseInt0 } from './strconv.ts';
import { BudgetError, type BudgetMeter, CHARS_PER_STEP, SLOW_CHARS_PER_STEP, isResourceError, mapKeys, utf8Length, withMeter } from './budget.ts';

/** Marks "no final value" (Go's missingVal) in pipelines. */
const MISSING = Symbol('missing');
type Final = unknown | typeof MISSING;

interface Variable {
  name: string;
  value: unknown;
  boxed: boolean;
}

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/** UTF-8 sizes of text nodes, computed once per parsed node. */
const textBytes = new WeakMap<N.Node, number>();

export interface Program {
  name: string;
  trees: Map<string, N.Tree>;
}

export class ExecState {
  out = '';
  node: N.Node | null = null;
  vars: Variable[] = [];
  depth = 0;
  dotBoxed = false;
  tmplName: string;

  private readonly maxSteps: number;

  constructor(
    private readonly program: Program,
    private readonly funcs: Map<string, TemplateFunc>,
    private readonly env: FuncEnv,
    private readonly meter: BudgetMeter,
  ) {
    this.tmplName = program.name;
    this.maxSteps = meter.limits.maxSteps;
  }

  /** One execution step; the check is inlined because it runs for every node. */
  private step(): void {
    if (++this.meter.steps > this.maxSteps) this.meter.step(0);
  }

  /** Appends to the output, counting its UTF-8 bytes against maxOutputBytes. */
  private emit(s: string, bytes: number): void {
    this.meter.output(bytes);
    this.out += s;
  }

  /**
   * Go's state.errorf: location, name and context are spliced into the format first and the whole is
   * formatted with the message's arguments, exactly as Go does (so even its quirks carry over).
   */
  errorf(format: string, ...args: unknown[]): never {
    throw withMeter(null, () => this.error(format, args));
  }

  private error(format: string, args: unknown[]): TemplateError {
    const name = doublePercent(this.tmplName);
    if (!this.node) return new TemplateError(sprintf(`template: ${name}: ${format}`, args));
    const n = this.node;
    const text = n.tree.text.slice(0, n.pos);
    const lastNl = text.lastIndexOf('\n');
    const col = utf8Length(text.slice(lastNl + 1));
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
    const location = `${n.tree.parseName}:${line}:${col}`;
    const prefix = `template: ${location}: executing ${goQuote(name)} at <${doublePercent(nodeString(n))}>: `;
    return new TemplateError(sprintf(prefix + format, args));
  }

  execute(input: unknown): string {
    // A nil interface{} passed to Execute is an invalid reflect.Value.
    const data = input === null ? undefined : input;
    const tree = this.program.trees.get(this.program.name);
    this.vars = [{ name: '$', value: data, boxed: false }];
    if (!tree || !tree.root) this.errorf('%q is an incomplete or empty template', this.program.name);
    try {
      withMeter(this.meter, () => this.walk(data, tree.root!));
    } catch (e) {
      // Budget errors raised outside a function call (steps, output, printing) and a JavaScript stack
      // overflow are reported at the node being executed, in Go's error form.
      if (e instanceof BudgetError) this.errorf('%s', e.message);
      if (isResourceError(e)) this.errorf('render budget exceeded: %s', resourceMessage(e));
      throw e;
    }
    // Raw bytes written next to each other may form valid UTF-8 in the output, as they do in Go's.
    return normalizeBytes(this.out);
  }

  setVar(name: string, value: unknown, boxed: boolean): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i]!;
      if (v.name === name) {
        v.value = value;
        v.boxed = boxed;
        return;
      }
    }
    this.errorf('undefined variable: %s', name);
  }

  varValue(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!;
    }
    this.errorf('undefined variable: %s', name);
  }

  walk(dot: unknown, node: N.Node): void {
    // A list is only a container: its nodes are the steps (and the enclosing node stays current).
    if (node.type === 'list') {
      for (const n of node.nodes) this.walk(dot, n);
      return;
    }
    this.node = node;
    this.step();
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(node, dot);
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text': {
        let bytes = textBytes.get(node);
        if (bytes === undefined) textBytes.set(node, (bytes = utf8Length(node.text)));
        this.emit(node.text, bytes);
        return;
      }
      default:
        this.errorf('unknown node: %s', nodeString(node));
    }
  }

  walkIfOrWith(node: N.BranchNode, dot: unknown): void {
    const mark = this.vars.length;
    const boxed = this.dotBoxed;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const [truth, ok] = isTrue(val);
      if (!ok) this.errorf("if/with can't use %v", val);
      if (truth) {
        if (node.type === 'with') {
          this.dotBoxed = false;
          this.walk(val, node.list);
        } else this.walk(dot, node.list);
      } else if (node.elseList) {
        this.walk(dot, node.elseList);
      }
    } finally {
      this.vars.length = mark;
      this.dotBoxed = boxed;
    }
  }

  walkRange(dot: unknown, r: N.BranchNode): void {
    this.node = r;
    const outerMark = this.vars.length;
    const outerBoxed = this.dotBoxed;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const kind = kindOf(val);
      let ran = false;
      try {
        switch (kind) {
          case 'int':
          case 'uint': {
            if (r.pipe.decl.length > 1) this.errorf("can't use %v to iterate over more than one variable", val);
            const n = val instanceof TypedInt ? val.v : (val as bigint);
            for (let i = 0n; i < n; i++) {
              ran = true;
              this.rangeIteration(r, mark, undefined, val instanceof TypedInt ? new TypedInt(val.type, i) : i, false);
            }
            break;
          }
          case 'slice': {
            const arr = val as unknown[];
            const boxed = !sliceTypes.has(arr);
            for (let i = 0; i < arr.length; i++) {
              ran = true;
              this.rangeIteration(r, mark, BigInt(i), arr[i], boxed);
            }
            break;
          }
          case 'map': {
            const m = val as Record<string, unknown>;
            const boxed = !stringMaps.has(m);
            const keys = mapKeys(m);
            // sorting: n log n comparisons
            this.meter.step((keys.length * Math.log2(keys.length + 1)) / 8);
            for (const k of keys.sort(compareStrings)) {
              ran = true;
              this.rangeIteration(r, mark, k, m[k], boxed);
            }
            break;
          }
          case 'invalid':
            break;
          default:
            this.errorf("range can't iterate over %v", val);
        }
      } catch (e) {
        if (e !== BREAK) throw e;
        return;
      }
      if (!ran && r.elseList) {
        this.dotBoxed = outerBoxed;
        this.walk(dot, r.elseList);
      }
    } finally {
      this.vars.length = outerMark;
      this.dotBoxed = outerBoxed;
    }
  }

  rangeIteration(r: N.BranchNode, mark: number, index: unknown, elem: unknown, elemBoxed: boolean): void {
    this.node = r;
    this.step();
    const decl = r.pipe.decl;
    if (decl.length > 0) {
      if (r.pipe.isAssign) {
        if (decl.length > 1) this.setVar(decl[0]!.ident[0]!, index, false);
        else this.setVar(decl[0]!.ident[0]!, elem, elemBoxed);
      } else {
        const v = this.vars[this.vars.length - 1]!;
        v.value = elem;
        v.boxed = elemBoxed;
      }
    }
    if (decl.length > 1) {
      if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem, elemBoxed);
      else {
        const v = this.vars[this.vars.length - 2]!;
        v.value = index;
        v.boxed = false;
      }
    }
    try {
      this.dotBoxed = elemBoxed;
      this.walk(elem, r.list);
    } catch (e) {
      if (e !== CONTINUE) throw e;
    } finally {
      this.vars.length = mark;
    }
  }

  walkTemplate(dot: unknown, t: N.TemplateNode): void {
    this.node = t;
    const tree = this.program.trees.get(t.name);
    if (!tree || !tree.root) this.errorf('template %q not defined', t.name);
    // Go's check and message, with the budget's limit in place of Go's 100000.
    if (this.depth >= this.meter.limits.maxDepth) this.errorf('exceeded maximum template depth (%v)', this.meter.limits.maxDepth);
    const newDot = this.evalPipeline(dot, t.pipe);
    const saved = { vars: this.vars, name: this.tmplName, boxed: this.dotBoxed };
    this.depth++;
    this.vars = [{ name: '$', value: newDot, boxed: false }];
    this.tmplName = t.name;
    this.dotBoxed = false;
    try {
      this.walk(newDot, tree.root);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
      this.dotBoxed = saved.boxed;
    }
  }

  evalPipeline(dot: unknown, pipe: N.PipeNode | null): unknown {
    if (!pipe) return undefined;
    this.node = pipe;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // Unwrap interface{}: a nil interface becomes "no value".
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value, false);
      else this.vars.push({ name: v.ident[0]!, value, boxed: false });
    }
    return value;
  }

  notAFunction(args: N.Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf("can't give argument to non-function %s", nodeString(args[0]!));
  }

  evalCommand(dot: unknown, cmd: N.CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
    this.errorf("can't evaluate command %q", nodeString(first));
  }

  idealConstant(c: N.NumberNode): unknown {
    this.node = c;
    if (c.isComplex) return new GoComplex(c.complex[0], c.complex[1]);
    if (c.isFloat && !isHexInt(c.text) && c.text[0] !== "'" && /[.eEpP]/.test(c.text)) return c.float64;
    if (c.isInt) return c.int64;
    if (c.isUint) this.errorf('%s overflows int', c.text);
    return undefined;
  }

  evalFieldNode(dot: unknown, field: N.FieldNode, args: N.Node[] | null, final: Final): unknown {
    this.node = field;
    return this.evalFieldChain(dot, dot, this.dotBoxed, field, field.ident, args, final);
  }

  evalChainNode(dot: unknown, chain: N.ChainNode, args: N.Node[] | null, final: Final): unknown {
    this.node = chain;
    if (chain.node.type === 'nil') this.errorf('indirection through explicit nil in %s', nodeString(chain));
    const pipe = this.evalArg(dot, 'value', chain.node);
    return this.evalFieldChain(dot, pipe, false, chain, chain.field, args, final);
  }

  evalVariableNode(dot: unknown, variable: N.VariableNode, args: N.Node[] | null, final: Final): unknown {
    this.node = variable;
    const v = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [], final);
      return v.value;
    }
    return this.evalFieldChain(dot, v.value, v.boxed, variable, variable.ident.slice(1), args, final);
  }

  evalFieldChain(dot: unknown, receiver: unknown, boxed: boolean, node: N.Node, ident: string[], args: N.Node[] | null, final: Final): unknown {
    const n = ident.length;
    let r = receiver;
    let b = boxed;
    for (let i = 0; i < n - 1; i++) {
      const next = this.evalField(dot, ident[i]!, node, null, MISSING, r, b);
      b = isMap(r) && !stringMaps.has(r);
      r = next;
    }
    return this.evalField(dot, ident[n - 1]!, node, args, final, r, b);
  }

  evalFunction(dot: unknown, node: N.IdentifierNode, cmd: N.Node, args: N.Node[] | null, final: Final): unknown {
    this.node = node;
    const fn = this.funcs.get(node.ident);
    if (!fn) this.errorf('%q is not a defined function', node.ident);
    return this.evalCall(dot, fn, cmd, node.ident, args, final);
  }

  evalField(dot: unknown, fieldName: string, node: N.Node, args: N.Node[] | null, final: Final, receiver: unknown, boxed: boolean): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.errorf('nil pointer evaluating %s.%s', 'interface {}', fieldName);
    if (receiver instanceof JsonNumber) {
      const method = jsonNumberMethods[fieldName];
      if (method) return this.evalCall(dot, method, node, fieldName, args, final, receiver);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (isMap(receiver)) {
      if (hasArgs) this.errorf('%s is not a method but has arguments', fieldName);
      if (Object.hasOwn(receiver, fieldName)) return receiver[fieldName];
      return stringMaps.has(receiver) ? '' : null;
    }
    this.errorf("can't evaluate field %s in type %s", fieldName, boxed ? 'interface {}' : typeName(receiver));
  }

  evalCall(dot: unknown, fn: TemplateFunc, node: N.Node, name: string, argNodes: N.Node[] | null, final: Final, receiver?: unknown): unknown {
    const args = argNodes ? argNodes.slice(1) : [];
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    const nParams = fn.params.length + (fn.variadic ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed) this.errorf('wrong number of args for %s: want at least %d got %d', name, BigInt(numFixed), BigInt(args.length));
    } else if (numIn !== nParams) {
      this.errorf('wrong number of args for %s: want %d got %d', name, BigInt(nParams), BigInt(numIn));
    }

    if (fn.special === 'and' || fn.special === 'or') {
      let v: unknown = undefined;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v === null ? undefined : v)[0] === (fn.special === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }

    const argv: unknown[] = new Array(numIn);
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv[i] = this.evalArg(dot, fn.params[i]!, args[i]!);
    if (fn.variadic) {
      for (; i < args.length; i++) argv[i] = this.evalArg(dot, fn.variadic, args[i]!);
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[fn.params.length - 1]!;
      argv[i] = this.validateType(final, t);
    }

    if (fn.special === 'call') {
      const calleeName = args.length === 0 ? (typeof final === 'string' ? final : `<${typeName(final)} Value>`) : nodeString(args[0]!);
      this.node = node;
      const callee = argv[0] === null ? undefined : argv[0];
      if (callee === undefined) this.errorf('error calling %s: %s', 'call', 'call of nil');
      this.errorf('error calling %s: %s', 'call', `non-function ${calleeName} of type ${typeName(callee)}`);
    }

    try {
      // A call is two steps (its overhead is about twice a node's), and the string work it does is
      // charged before it runs: per-character functions (`slow`) at a higher rate.
      this.step();
      this.step();
      let units = 0;
      for (let k = 0; k < argv.length; k++) {
        const a = argv[k];
        if (typeof a === 'string') units += a.length;
      }
      if (units > 0) this.meter.work(units, fn.slow ? SLOW_CHARS_PER_STEP : CHARS_PER_STEP);
      const out = fn.fn(receiver === undefined ? argv : [receiver, ...argv], this.env);
      // Whatever a function returns must fit the budget (functions check before they build; this is
      // the backstop), and building it is charged as work.
      if (typeof out === 'string') {
        if (out.length > 0 && !argv.includes(out)) {
          this.meter.stringUnits(out.length, () => out);
          this.meter.work(out.length);
        }
      } else if (Array.isArray(out) && !argv.includes(out)) this.meter.copy(out.length);
      // Strings are Go bytes (encoding.ts): raw bytes a function joined may now form valid UTF-8.
      return typeof out === 'string' ? normalizeBytes(out) : out;
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      if (isResourceError(e)) {
        this.node = node;
        this.errorf('error calling %s: render budget exceeded: %s', name, resourceMessage(e));
      }
      this.node = node;
      const msg = e instanceof FuncError ? e.message : e instanceof Error ? e.message : String(e);
      this.errorf('error calling %s: %w', name, msg);
    }
  }

  validateType(value: unknown, typ: ParamType): unknown {
    if (value === undefined) {
      if (typ === 'any' || typ === 'value') return typ === 'any' ? null : undefined;
      if (typ === 'map') return null;
      this.errorf('invalid value; expected %s', paramTypeName[typ]);
    }
    if (assignable(value, typ)) return value;
    this.errorf('wrong type for value; expected %s; got %s', paramTypeName[typ], typeName(value));
  }

  evalArg(dot: unknown, typ: ParamType, n: N.Node): unknown {
    this.node = n;
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any' || typ === 'map' || typ === 'value') return typ === 'value' ? undefined : null;
        this.errorf('cannot assign nil to %s', paramTypeName[typ]);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf('expected bool; found %s', nodeString(n));
      case 'float64':
        if (n.type === 'number' && n.isFloat) return n.float64;
        this.errorf('expected float; found %s', nodeString(n));
      case 'int':
      case 'int64':
        if (n.type === 'number' && n.isInt) return typ === 'int' ? n.int64 : new TypedInt('int64', n.int64);
        this.errorf('expected integer; found %s', nodeString(n));
      case 'any':
      case 'value':
        return this.evalEmptyInterface(dot, n);
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf('expected string; found %s', nodeString(n));
    }
    this.errorf("can't handle %s for arg of type %s", nodeString(n), paramTypeName[typ]);
  }

  evalEmptyInterface(dot: unknown, n: N.Node): unknown {
    this.node = n;
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
    this.errorf("can't handle assignment of %s to empty interface argument", nodeString(n));
  }

  printValue(n: N.Node, v: unknown): void {
    this.node = n;
    if (v === undefined) {
      this.emit('<no value>', 10);
      return;
    }
    const s = typeof v === 'string' ? v : sprint([v]);
    // A string's size is counted before it is copied into the output.
    this.emit(s, utf8Length(s));
  }
}

function doublePercent(s: string): string {
  return s.replaceAll('%', '%%');
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && !/[pP]/.test(s);
}

function assignable(v: unknown, typ: ParamType): boolean {
  switch (typ) {
    case 'any':
    case 'value':
      return true;
    case 'string':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'bigint';
    case 'int64':
      return v instanceof TypedInt && v.type === 'int64';
    case 'float64':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'map':
      return isMap(v) && !stringMaps.has(v);
  }
}

/** Go's isTrue; the second value is false when truth is undefined for the value's kind. */
export function isTrue(v: unknown): [boolean, boolean] {
  if (v === undefined || v === null) return [false, true];
  switch (typeof v) {
    case 'string':
      return [v.length > 0, true];
    case 'boolean':
      return [v, true];
    case 'bigint':
      return [v !== 0n, true];
    case 'number':
      return [v !== 0, true];
    case 'function':
      return [true, true];
  }
  if (v instanceof JsonNumber) return [v.literal.length > 0, true];
  if (v instanceof TypedInt) return [v.v !== 0n, true];
  if (v instanceof GoTime) return [true, true];
  if (v instanceof GoComplex) return [v.re !== 0 || v.im !== 0, true];
  if (Array.isArray(v)) return [v.length > 0, true];
  return [mapKeys(v as object).length > 0, true];
}

function resourceMessage(e: RangeError): string {
  return /call stack/i.test(e.message) ? 'nesting too deep for the JavaScript stack' : `JavaScript refused an allocation (${e.message})`;
}

// json.Number's methods, callable as fields: {{ .replicas.Int64 }}.
const jsonNumberMethods: Record<string, TemplateFunc> = {
  String: { params: [], fn: ([n]) => (n as JsonNumber).literal },
  Float64: {
    params: [],
    fn: ([n]) => {
      const s = (n as JsonNumber).literal;
      const f = parseFloat64(s);
      if (f === null) {
        const why = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? 'value out of range' : 'invalid syntax';
        throw new FuncError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${why}`);
      }
      return f;
    },
  },
  Int64: {
    params: [],
    fn: ([n]) => {
      const s = (n as JsonNumber).literal;
      const i = /^[+-]?[0-9]+$/.test(s) ? parseInt0(s.replace(/^([+-]?)0+(?=\d)/, '$1')) : null;
      if (i === null) {
        const why = /^[+-]?[0-9]+$/.test(s) ? 'value out of range' : 'invalid syntax';
        throw new FuncError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: ${why}`);
      }
      return new TypedInt('int64', i);
    },
  },
};

export { utf8Bytes };
