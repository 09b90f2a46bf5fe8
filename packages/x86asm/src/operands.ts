import { StatementError } from './errors.js';
import { type Expr, parseExpression, type TokenStream } from './expression.js';
import { lookupRegister, type Register } from './registers.js';

/** A register term of a memory operand: `reg*scale`. */
export interface IndexTerm {
  reg: Register;
  scale: number;
  /** Written as `reg*n` (GNU as makes even `reg*1` an index register). */
  explicitScale: boolean;
}

/** `[seg:base+index*scale+disp]`, as written (base and index are chosen when encoding). */
export interface MemoryOperand {
  kind: 'mem';
  /** Size keyword in bytes (`byte` 1 ... `tword` 10), or 0 when unsized. */
  size: number;
  /** Written with `far` (a far pointer in memory: m16:16 or m16:32). */
  far: boolean;
  /** Segment override (0-5 = ES CS SS DS FS GS) or -1. */
  segment: number;
  terms: IndexTerm[];
  disp: Expr | null;
  /** `[byte ...]` / `[dword ...]`: forced displacement size in bytes, or 0. */
  dispSize: number;
}

export interface RegisterOperand {
  kind: 'reg';
  reg: Register;
}

export interface ImmediateOperand {
  kind: 'imm';
  expr: Expr;
  /** Size keyword in bytes, or 0. */
  size: number;
  /** `short` / `near` written before a branch target. */
  distance: 'short' | 'near' | '';
}

/** `selector:offset`, the operand of a direct far jump or call. */
export interface FarPointerOperand {
  kind: 'far';
  selector: Expr;
  offset: Expr;
  /** Size keyword (`word` / `dword`) selecting ptr16:16 or ptr16:32, or 0. */
  size: number;
}

export type Operand = MemoryOperand | RegisterOperand | ImmediateOperand | FarPointerOperand;

const SIZE_KEYWORDS: Record<string, number> = {
  byte: 1,
  word: 2,
  dword: 4,
  fword: 6,
  qword: 8,
  tword: 10,
};

/** Parses one operand; stops before a top-level ',' or the end of the statement. */
export function parseOperand(ts: TokenStream): Operand {
  let size = 0;
  let far = false;
  let distance: 'short' | 'near' | '' = '';
  for (;;) {
    const t = ts.peek();
    if (t?.kind !== 'ident') break;
    const word = t.text.toLowerCase();
    if (word in SIZE_KEYWORDS) {
      if (size) throw new StatementError('two size keywords on one operand');
      size = SIZE_KEYWORDS[word];
    } else if (word === 'ptr' && size) {
      // GAS/MASM style `dword ptr [x]`.
    } else if (word === 'far') far = true;
    else if (word === 'near' || word === 'short') distance = word;
    else if (word === 'strict') {
      // NASM's `strict` keeps the written size; sizes written here are always kept.
    } else break;
    ts.next();
  }

  // `es:[edi]` (GAS style) or `[es:edi]` (NASM style).
  let segment = -1;
  const first = ts.peek();
  if (first?.kind === 'ident' && ts.isPunct(':', 1)) {
    const reg = lookupRegister(first.text);
    if (reg?.cls === 'sreg') {
      ts.next();
      ts.next();
      segment = reg.num;
      if (!ts.isPunct('[')) throw new StatementError('expected [ after a segment override');
    }
  }

  if (ts.eatPunct('[')) {
    const mem = parseMemoryBody(ts, size, far, segment);
    ts.expectPunct(']');
    return mem;
  }
  if (first?.kind === 'ident') {
    const reg = lookupRegister(first.text);
    if (reg && (ts.peek(1) === undefined || ts.isPunct(',', 1))) {
      ts.next();
      if (size && size !== reg.size)
        throw new StatementError(`'${reg.name}' is not a ${size}-byte register`);
      return { kind: 'reg', reg };
    }
  }

  const expr = parseExpression(ts);
  if (ts.eatPunct(':')) {
    const offset = parseExpression(ts);
    return { kind: 'far', selector: expr, offset, size };
  }
  return { kind: 'imm', expr, size, distance };
}

function parseMemoryBody(
  ts: TokenStream,
  size: number,
  far: boolean,
  outerSegment: number,
): MemoryOperand {
  let segment = outerSegment;
  let dispSize = 0;
  const t = ts.peek();
  if (
    t?.kind === 'ident' &&
    (t.text.toLowerCase() === 'byte' ||
      t.text.toLowerCase() === 'dword' ||
      t.text.toLowerCase() === 'word')
  ) {
    dispSize = SIZE_KEYWORDS[t.text.toLowerCase()];
    ts.next();
  }
  const segTok = ts.peek();
  if (segTok?.kind === 'ident' && ts.isPunct(':', 1)) {
    const reg = lookupRegister(segTok.text);
    if (reg?.cls !== 'sreg') throw new StatementError(`'${segTok.text}' is not a segment register`);
    if (segment >= 0) throw new StatementError('two segment overrides');
    segment = reg.num;
    ts.next();
    ts.next();
  }
  const expr = parseExpression(ts, true);
  const terms: IndexTerm[] = [];
  const disp = splitRegisters(expr, terms);
  return { kind: 'mem', size, far, segment, terms, disp, dispSize };
}

function containsRegister(e: Expr): boolean {
  switch (e.kind) {
    case 'reg':
      return true;
    case 'unary':
      return containsRegister(e.arg);
    case 'binary':
      return containsRegister(e.left) || containsRegister(e.right);
    default:
      return false;
  }
}

/** Constant value of a register-free, symbol-free expression (for scale factors). */
function constantValue(e: Expr): bigint | undefined {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'unary': {
      const v = constantValue(e.arg);
      if (v === undefined) return undefined;
      return e.op === '-' ? -v : e.op === '+' ? v : undefined;
    }
    case 'binary': {
      const a = constantValue(e.left);
      const b = constantValue(e.right);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === '*') return a * b;
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Pulls the `reg` and `reg*scale` terms out of an address expression and
 * returns what is left (the displacement), or null if nothing is left.
 */
function splitRegisters(e: Expr, terms: IndexTerm[]): Expr | null {
  if (!containsRegister(e)) return e;
  if (e.kind === 'reg') {
    terms.push({ reg: e.reg, scale: 1, explicitScale: false });
    return null;
  }
  if (e.kind === 'binary' && e.op === '+') {
    const left = splitRegisters(e.left, terms);
    const right = splitRegisters(e.right, terms);
    if (left && right) return { kind: 'binary', op: '+', left, right };
    return left ?? right;
  }
  if (e.kind === 'binary' && e.op === '-') {
    if (containsRegister(e.right)) throw new StatementError('a register cannot be subtracted');
    const left = splitRegisters(e.left, terms);
    const negated: Expr = { kind: 'unary', op: '-', arg: e.right };
    return left ? { kind: 'binary', op: '+', left, right: negated } : negated;
  }
  if (e.kind === 'binary' && e.op === '*') {
    const [regSide, scaleSide] = containsRegister(e.left) ? [e.left, e.right] : [e.right, e.left];
    if (regSide.kind !== 'reg' || containsRegister(scaleSide)) {
      throw new StatementError('bad register expression in memory operand');
    }
    const scale = constantValue(scaleSide);
    if (scale === undefined) throw new StatementError('scale factor must be a constant');
    terms.push({ reg: regSide.reg, scale: Number(scale), explicitScale: true });
    return null;
  }
  throw new StatementError('bad register expression in memory operand');
}
