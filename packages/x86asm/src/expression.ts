import { StatementError } from './errors.js';
import type { Token } from './lexer.js';
import { lookupRegister, type Register } from './registers.js';

/** An expression tree. Registers appear only inside memory operands. */
export type Expr =
  | { kind: 'num'; value: bigint }
  | { kind: 'sym'; name: string }
  | { kind: 'reg'; reg: Register }
  | { kind: 'here' }
  | { kind: 'sectionStart' }
  | { kind: 'unary'; op: string; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

/** The value of an expression in one pass; `known` is false while a forward reference is unresolved. */
export interface Value {
  value: bigint;
  known: boolean;
}

export interface EvalContext {
  /** Current statement address (`$`). */
  here: bigint;
  /** Start of the output (`$$`), i.e. the `org`. */
  sectionStart: bigint;
  /** Resolves a (fully qualified) symbol; undefined when not yet defined. */
  lookup(name: string): bigint | undefined;
}

/** Cursor over a token list, shared by the expression and operand parsers. */
export class TokenStream {
  pos = 0;
  constructor(readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  next(): Token | undefined {
    return this.tokens[this.pos++];
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }
  /** True when the next token is the identifier `word` (case-insensitive). */
  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'ident' && t.text.toLowerCase() === word;
  }
  eatPunct(text: string): boolean {
    if (this.isPunct(text)) {
      this.pos++;
      return true;
    }
    return false;
  }
  expectPunct(text: string): void {
    if (!this.eatPunct(text)) throw new StatementError(`expected '${text}'`);
  }
}

const BINARY_LEVELS: string[][] = [
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%', '//', '%%'],
];

/**
 * Parses an expression (NASM precedence: | ^ & << >> + - * / % unary).
 * With `allowRegisters`, register names become `reg` leaves (for `[ebx+ecx*4]`).
 */
export function parseExpression(ts: TokenStream, allowRegisters = false): Expr {
  return parseLevel(ts, 0, allowRegisters);
}

function parseLevel(ts: TokenStream, level: number, allowRegisters: boolean): Expr {
  if (level === BINARY_LEVELS.length) return parseUnary(ts, allowRegisters);
  let left = parseLevel(ts, level + 1, allowRegisters);
  for (;;) {
    const t = ts.peek();
    if (t?.kind !== 'punct' || !BINARY_LEVELS[level].includes(t.text)) return left;
    ts.next();
    const right = parseLevel(ts, level + 1, allowRegisters);
    left = { kind: 'binary', op: t.text, left, right };
  }
}

function parseUnary(ts: TokenStream, allowRegisters: boolean): Expr {
  const t = ts.peek();
  if (t?.kind === 'punct' && ['-', '+', '~', '!'].includes(t.text)) {
    ts.next();
    return { kind: 'unary', op: t.text, arg: parseUnary(ts, allowRegisters) };
  }
  return parsePrimary(ts, allowRegisters);
}

function parsePrimary(ts: TokenStream, allowRegisters: boolean): Expr {
  const t = ts.next();
  if (!t) throw new StatementError('expected an expression');
  switch (t.kind) {
    case 'number':
      return { kind: 'num', value: t.value };
    case 'string':
      return { kind: 'num', value: stringToNumber(t.bytes) };
    case 'float':
      throw new StatementError('floating-point constants are only allowed in dd/dq');
    case 'punct':
      if (t.text === '(') {
        const inner = parseExpression(ts, allowRegisters);
        ts.expectPunct(')');
        return inner;
      }
      throw new StatementError(`unexpected '${t.text}'`);
    case 'ident': {
      if (t.text === '$') return { kind: 'here' };
      if (t.text === '$$') return { kind: 'sectionStart' };
      const reg = lookupRegister(t.text);
      if (reg) {
        if (!allowRegisters) throw new StatementError(`register '${t.text}' not allowed here`);
        return { kind: 'reg', reg };
      }
      return { kind: 'sym', name: t.text };
    }
  }
}

/** NASM character constants: 'ab' is 0x6261 (little-endian, up to 8 bytes). */
export function stringToNumber(bytes: readonly number[]): bigint {
  if (bytes.length > 8) throw new StatementError('character constant longer than 8 bytes');
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

/**
 * Evaluates an expression without registers. Unknown symbols evaluate to 0
 * with `known: false` so that the first pass can lay out code before every
 * forward reference is defined.
 */
export function evaluate(expr: Expr, ctx: EvalContext, qualify: (name: string) => string): Value {
  switch (expr.kind) {
    case 'num':
      return { value: expr.value, known: true };
    case 'here':
      return { value: ctx.here, known: true };
    case 'sectionStart':
      return { value: ctx.sectionStart, known: true };
    case 'sym': {
      const v = ctx.lookup(qualify(expr.name));
      return v === undefined ? { value: 0n, known: false } : { value: v, known: true };
    }
    case 'reg':
      throw new StatementError(`register '${expr.reg.name}' not allowed here`);
    case 'unary': {
      const a = evaluate(expr.arg, ctx, qualify);
      const ops: Record<string, (x: bigint) => bigint> = {
        '-': (x) => -x,
        '+': (x) => x,
        '~': (x) => ~x,
        '!': (x) => (x === 0n ? 1n : 0n),
      };
      return { value: ops[expr.op](a.value), known: a.known };
    }
    case 'binary': {
      const a = evaluate(expr.left, ctx, qualify);
      const b = evaluate(expr.right, ctx, qualify);
      const known = a.known && b.known;
      return { value: applyBinary(expr.op, a.value, b.value, known), known };
    }
  }
}

function applyBinary(op: string, a: bigint, b: bigint, known: boolean): bigint {
  switch (op) {
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '<<':
      return b < 0n || b > 64n ? 0n : a << b;
    case '>>':
      return b < 0n || b > 64n ? 0n : a >> b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '//':
    case '%':
    case '%%':
      if (b === 0n) {
        // A forward reference may read as zero in an early pass; only a known zero is an error.
        if (!known) return 0n;
        throw new StatementError('division by zero');
      }
      return op === '/' || op === '//' ? a / b : a % b;
    default:
      throw new StatementError(`unknown operator '${op}'`);
  }
}
