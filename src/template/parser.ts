// A port of Go's text/template/parse parser. Parse errors are thrown as TemplateError with Go's
// message ("template: NAME:LINE: ...").
import { Lexer, T, itemString, type Item } from './lexer.ts';
import type * as N from './nodes.ts';
import { nodeString } from './nodes.ts';
import { parseFloat64, parseInt0, parseUint0, unquote, unquoteChar } from './strconv.ts';
import { ItemArg, sprintf, utf8Bytes } from './fmt.ts';
import { TemplateError } from './template-error.ts';

const MAX_STACK_DEPTH = 10000;

class TreeParser {
  tree: N.Tree;
  lex: Lexer;
  token: Item[] = [];
  peekCount = 0;
  vars: string[] = ['$'];
  actionLine = 0;
  rangeDepth = 0;
  stackDepth = 0;

  constructor(
    name: string,
    parseName: string,
    text: string,
    lex: Lexer,
    private readonly hasFunc: (name: string) => boolean,
    private readonly treeSet: Map<string, N.Tree>,
  ) {
    this.tree = { name, parseName, text, root: null };
    this.lex = lex;
  }

  next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount]!;
  }
  backup(): void {
    this.peekCount++;
  }
  backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.typ === T.Space);
    return token;
  }
  peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  /** Go's Tree.errorf: the name is spliced into the format before formatting, as Go does. */
  errorf(format: string, ...args: unknown[]): never {
    this.tree.root = null;
    throw new TemplateError(sprintf(`template: ${this.tree.parseName}:${this.token[0]!.line}: ${format}`, args));
  }

  /** Go's Tree.error: the message is an argument. */
  error(msg: string): never {
    this.errorf('%s', msg);
  }

  expect(expected: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  expectOneOf(e1: T, e2: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }

  unexpected(token: Item, context: string): never {
    if (token.typ === T.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf('%s%s', this.itemArg(token), extra);
    }
    this.errorf('unexpected %s in %s', this.itemArg(token), context);
  }

  itemArg(token: Item): ItemArg {
    return new ItemArg(itemString(token), token.typ, utf8Bytes(this.tree.text.slice(0, token.pos)).length, token.val, token.line);
  }

  base(pos: number): { pos: number; tree: N.Tree } {
    return { pos, tree: this.tree };
  }

  newList(pos: number): N.ListNode {
    return { type: 'list', nodes: [], ...this.base(pos) };
  }

  add(): void {
    const existing = this.treeSet.get(this.tree.name);
    if (!existing || isEmptyTree(existing.root)) {
      this.treeSet.set(this.tree.name, this.tree);
      return;
    }
    if (!isEmptyTree(this.tree.root)) {
      this.errorf('template: multiple definition of template %q', this.tree.name);
    }
  }

  parse(): void {
    this.tree.root = this.newList(this.peek().pos);
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) {
          const child = new TreeParser('definition', this.tree.parseName, this.tree.text, this.lex, this.hasFunc, this.treeSet);
          child.token = [...this.token];
          child.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf('unexpected %s', nodeStr(n));
      this.tree.root.nodes.push(n);
    }
  }

  parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(T.String, T.RawString, context);
    const unq = unquote(name.val);
    if (unq === null) this.error('invalid syntax');
    this.tree.name = unq;
    this.expect(T.RightDelim, context);
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.type !== 'end') this.errorf('unexpected %s in %s', nodeStr(end), context);
    this.add();
  }

  itemList(): [N.ListNode, N.Node] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  textOrAction(): N.Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Text:
        return { type: 'text', text: token.val, ...this.base(token.pos) };
      case T.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case T.Comment:
        return { type: 'comment', text: token.val, ...this.base(token.pos) };
      default:
        this.unexpected(token, 'input');
    }
  }

  action(): N.Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.breakControl(token.pos, token.line, 'break');
      case T.Continue:
        return this.breakControl(token.pos, token.line, 'continue');
      case T.Else:
        return this.elseControl();
      case T.End:
        return { type: 'end', ...this.base(this.expect(T.RightDelim, 'end').pos) };
      case T.If:
        return this.control('if');
      case T.Range:
        return this.control('range');
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.control('with');
    }
    this.backup();
    const t = this.peek();
    return { type: 'action', line: t.line, pipe: this.pipeline('command', T.RightDelim), ...this.base(t.pos) };
  }

  breakControl(pos: number, line: number, kind: 'break' | 'continue'): N.Node {
    const token = this.nextNonSpace();
    if (token.typ !== T.RightDelim) this.unexpected(token, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, line, ...this.base(pos) };
  }

  pipeline(context: string, end: T): N.PipeNode {
    const token = this.peekNonSpace();
    const pipe: N.PipeNode = { type: 'pipe', line: token.line, isAssign: false, decl: [], cmds: [], ...this.base(token.pos) };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === T.Variable) {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === T.Assign || next.typ === T.Declare) {
          pipe.isAssign = next.typ === T.Assign;
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
        } else if (next.typ === T.Char && next.val === ',') {
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
          if (context === 'range' && pipe.decl.length < 2) {
            const p = this.peekNonSpace().typ;
            if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
            this.errorf('range can only initialize variables');
          }
          this.errorf('too many declarations in %s', context);
        } else if (tokenAfterVariable.typ === T.Space) {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  checkPipeline(pipe: N.PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf('missing value for %s', context);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const t = pipe.cmds[i]!.args[0]!.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf('non executable command in pipeline stage %d', BigInt(i + 1));
      }
    }
  }

  control(context: 'if' | 'range' | 'with'): N.BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === 'range') this.rangeDepth++;
      const [list, initialNext] = this.itemList();
      let next = initialNext;
      if (context === 'range') this.rangeDepth--;
      let elseList: N.ListNode | null = null;
      if (next.type === 'else') {
        if (context === 'if' && this.peek().typ === T.If) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.control('if'));
        } else if (context === 'with' && this.peek().typ === T.With) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.control('with'));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf('expected end; found %s', nodeStr(next));
        }
      }
      return { type: context, line: pipe.line, pipe, list, elseList, ...this.base(pipe.pos) };
    } finally {
      this.vars.length = mark;
    }
  }

  elseControl(): N.Node {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) return { type: 'else', line: peek.line, ...this.base(peek.pos) };
    const token = this.expect(T.RightDelim, 'else');
    return { type: 'else', line: token.line, ...this.base(token.pos) };
  }

  blockControl(): N.Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const block = new TreeParser(name, this.tree.parseName, this.tree.text, this.lex, this.hasFunc, this.treeSet);
    block.token = [...this.token];
    const [list, end] = block.itemList();
    block.tree.root = list;
    if (end.type !== 'end') this.errorf('unexpected %s in %s', nodeStr(end), context);
    block.add();
    return { type: 'template', line: token.line, name, pipe, ...this.base(token.pos) };
  }

  templateControl(): N.Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: N.PipeNode | null = null;
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { type: 'template', line: token.line, name, pipe, ...this.base(token.pos) };
  }

  parseTemplateName(token: Item, context: string): string {
    if (token.typ === T.String || token.typ === T.RawString) {
      const s = unquote(token.val);
      if (s === null) this.error('invalid syntax');
      return s;
    }
    this.unexpected(token, context);
  }

  command(): N.CommandNode {
    const cmd: N.CommandNode = { type: 'command', args: [], ...this.base(this.peekNonSpace().pos) };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === T.Space) continue;
      if (token.typ === T.RightDelim || token.typ === T.RightParen) this.backup();
      else if (token.typ !== T.Pipe) this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  operand(): N.Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().typ === T.Field) {
      const chain: N.ChainNode = { type: 'chain', node, field: [], ...this.base(this.peek().pos) };
      while (this.peek().typ === T.Field) chain.field.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field':
          node = { type: 'field', ident: [...node.ident, ...chain.field], ...this.base(chain.pos) };
          break;
        case 'variable':
          node = { type: 'variable', ident: [...node.ident, ...chain.field], ...this.base(chain.pos) };
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf('unexpected . after term %q', nodeString(node));
        default:
          node = chain;
      }
    }
    return node;
  }

  term(): N.Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Identifier:
        if (!this.hasFunc(token.val)) this.errorf('function %q not defined', token.val);
        return { type: 'identifier', ident: token.val, ...this.base(token.pos) };
      case T.Dot:
        return { type: 'dot', ...this.base(token.pos) };
      case T.Nil:
        return { type: 'nil', ...this.base(token.pos) };
      case T.Variable:
        return this.useVar(token.pos, token.val);
      case T.Field:
        return { type: 'field', ident: token.val.slice(1).split('.'), ...this.base(token.pos) };
      case T.Bool:
        return { type: 'bool', value: token.val === 'true', ...this.base(token.pos) };
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.newNumber(token);
      case T.LeftParen: {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        try {
          return this.pipeline('parenthesized pipeline', T.RightParen);
        } finally {
          this.stackDepth--;
        }
      }
      case T.String:
      case T.RawString: {
        const s = unquote(token.val);
        if (s === null) this.error('invalid syntax');
        return { type: 'string', quoted: token.val, text: s, ...this.base(token.pos) };
      }
    }
    this.backup();
    return null;
  }

  newVariable(pos: number, name: string): N.VariableNode {
    return { type: 'variable', ident: name.split('.'), ...this.base(pos) };
  }

  useVar(pos: number, name: string): N.Node {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0]!)) return v;
    this.errorf('undefined variable %q', v.ident[0]);
  }

  newNumber(token: Item): N.NumberNode {
    const text = token.val;
    const n: N.NumberNode = {
      type: 'number',
      text,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      complex: [0, 0],
      ...this.base(token.pos),
    };
    if (token.typ === T.CharConstant) {
      const r = unquoteChar(text);
      if (typeof r === 'string') this.error(r);
      n.int64 = BigInt(r);
      n.uint64 = BigInt(r);
      n.float64 = r;
      n.isInt = n.isUint = n.isFloat = true;
      return n;
    }
    if (token.typ === T.Complex) {
      let k = 1;
      while (k < text.length && !('+-'.includes(text[k]!) && !'eEpP'.includes(text[k - 1]!))) k++;
      if (k >= text.length - 1 || /^[+-]$/.test(text.slice(k, -1))) this.error('syntax error scanning complex number');
      const re = parseFloat64(text.slice(0, k));
      const im = parseFloat64(text.slice(k, -1));
      if (re === null) this.error(sprintf('strconv.ParseFloat: parsing %q: invalid syntax', [text.slice(0, k)]));
      if (im === null) this.error(sprintf('strconv.ParseFloat: parsing %q: invalid syntax', [text.slice(k, -1)]));
      n.isComplex = true;
      n.complex = [re, im];
      simplifyComplex(n);
      return n;
    }
    if (text.endsWith('i')) {
      const f = parseFloat64(text.slice(0, -1));
      if (f !== null) {
        n.isComplex = true;
        n.complex = [0, f];
        simplifyComplex(n);
        return n;
      }
    }
    const u = parseUint0(text);
    if (u !== null) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseInt0(text);
    if (i !== null) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = u ?? 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseFloat64(text);
      if (f !== null) {
        if (!/[.eEpP]/.test(text)) this.error(sprintf('integer overflow: %q', [text]));
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.error(sprintf('illegal number syntax: %q', [text]));
    return n;
  }
}

function nodeStr(n: N.Node): string {
  return n.type === 'end' ? '{{end}}' : n.type === 'else' ? '{{else}}' : n.type;
}

function simplifyComplex(n: N.NumberNode): void {
  n.isFloat = n.complex[1] === 0;
  if (n.isFloat) {
    const f = n.complex[0];
    n.float64 = f;
    n.isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    if (n.isInt) n.int64 = BigInt(f);
    n.isUint = Number.isInteger(f) && f >= 0 && f < 2 ** 64;
    if (n.isUint) n.uint64 = BigInt(f);
  }
}

export function isEmptyTree(n: N.Node | null): boolean {
  if (!n) return true;
  switch (n.type) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim().length === 0;
    default:
      return false;
  }
}

/**
 * Parses `text` as template `name`; returns every tree it defines (the main one under `name`).
 * `hasFunc` tells which identifiers are functions, as Go checks them at parse time.
 */
export function parseTemplate(name: string, text: string, hasFunc: (name: string) => boolean): Map<string, N.Tree> {
  const treeSet = new Map<string, N.Tree>();
  const lex = new Lexer(text);
  lex.breakOK = !hasFunc('break');
  lex.continueOK = !hasFunc('continue');
  const p = new TreeParser(name, name, text, lex, hasFunc, treeSet);
  p.parse();
  p.add();
  return treeSet;
}
