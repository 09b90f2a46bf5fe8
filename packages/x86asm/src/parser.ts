import type { PrefixWords } from './encoder.js';
import { StatementError } from './errors.js';
import { type Expr, parseExpression, TokenStream } from './expression.js';
import { FORMS } from './forms.js';
import { type Token, tokenize } from './lexer.js';
import { type Operand, parseOperand } from './operands.js';
import { lookupRegister } from './registers.js';

/** One value of a data directive. */
export type DataItem =
  | { kind: 'expr'; expr: Expr }
  | { kind: 'string'; bytes: number[] }
  | { kind: 'float'; value: number };

export type Statement =
  | { kind: 'instruction'; mnemonic: string; operands: Operand[]; prefixes: PrefixWords }
  | { kind: 'data'; unit: number; items: DataItem[] }
  | { kind: 'reserve'; unit: number; count: Expr }
  | { kind: 'times'; count: Expr; body: Statement }
  | { kind: 'align'; boundary: Expr; fill: Expr | null }
  | { kind: 'bits'; bits: 16 | 32 }
  | { kind: 'org'; address: Expr }
  | { kind: 'equ'; name: string; expr: Expr };

/** A parsed source line: an optional label and an optional statement. */
export interface Line {
  number: number;
  source: string;
  label: string | null;
  statement: Statement | null;
}

const DATA_UNITS: Record<string, number> = { db: 1, dw: 2, dd: 4, dq: 8 };
const RESERVE_UNITS: Record<string, number> = { resb: 1, resw: 2, resd: 4, resq: 8 };
const LOCK_REP: Record<string, number> = {
  lock: 0xf0,
  rep: 0xf3,
  repe: 0xf3,
  repz: 0xf3,
  repne: 0xf2,
  repnz: 0xf2,
};
const DIRECTIVES = new Set(['bits', 'use16', 'use32', 'org', 'align', 'alignb', 'times', 'equ']);

function isKeyword(word: string): boolean {
  const w = word.toLowerCase();
  return (
    FORMS.has(w) ||
    w in DATA_UNITS ||
    w in RESERVE_UNITS ||
    w in LOCK_REP ||
    DIRECTIVES.has(w) ||
    ['o16', 'o32', 'a16', 'a32'].includes(w)
  );
}

export function parseLine(source: string, number: number): Line {
  const line: Line = { number, source, label: null, statement: null };
  let tokens: Token[] = tokenize(source);
  // NASM's bracketed directive form: [bits 32], [org 0x7c00].
  const t0 = tokens[0];
  const last = tokens[tokens.length - 1];
  if (t0?.kind === 'punct' && t0.text === '[' && last?.kind === 'punct' && last.text === ']') {
    const word = tokens[1];
    if (word?.kind === 'ident' && ['bits', 'org'].includes(word.text.toLowerCase())) {
      tokens = tokens.slice(1, -1);
    }
  }
  const ts = new TokenStream(tokens);
  if (ts.atEnd()) return line;

  const first = ts.peek()!;
  if (first.kind === 'ident' && ts.isPunct(':', 1) && !lookupRegister(first.text)) {
    line.label = first.text;
    ts.pos += 2;
  } else if (first.kind === 'ident' && ts.isWord('equ', 1)) {
    ts.pos += 2;
    line.statement = { kind: 'equ', name: first.text, expr: parseExpression(ts) };
    expectEnd(ts);
    return line;
  } else if (
    first.kind === 'ident' &&
    !isKeyword(first.text) &&
    !lookupRegister(first.text) &&
    ts.peek(1)?.kind === 'ident' &&
    isKeyword((ts.peek(1) as { text: string }).text)
  ) {
    // NASM allows a label without a colon before an instruction or data: `msg db 'hi'`.
    line.label = first.text;
    ts.pos += 1;
  }
  if (ts.atEnd()) return line;
  line.statement = parseStatement(ts);
  expectEnd(ts);
  return line;
}

function expectEnd(ts: TokenStream): void {
  if (!ts.atEnd()) throw new StatementError('unexpected text after the statement');
}

function parseStatement(ts: TokenStream): Statement {
  const t = ts.next();
  if (t?.kind !== 'ident') throw new StatementError('expected an instruction or directive');
  const word = t.text.toLowerCase();

  if (word === 'bits') {
    const n = ts.next();
    if (n?.kind !== 'number' || (n.value !== 16n && n.value !== 32n)) {
      throw new StatementError('bits must be 16 or 32');
    }
    return { kind: 'bits', bits: n.value === 16n ? 16 : 32 };
  }
  if (word === 'use16' || word === 'use32')
    return { kind: 'bits', bits: word === 'use16' ? 16 : 32 };
  if (word === 'org') return { kind: 'org', address: parseExpression(ts) };
  if (word === 'times') {
    const count = parseExpression(ts);
    return { kind: 'times', count, body: parseStatement(ts) };
  }
  if (word === 'align' || word === 'alignb') {
    const boundary = parseExpression(ts);
    let fill: Expr | null = word === 'alignb' ? { kind: 'num', value: 0n } : null;
    if (ts.eatPunct(',')) fill = parseExpression(ts);
    return { kind: 'align', boundary, fill };
  }
  if (word in DATA_UNITS) return parseData(ts, DATA_UNITS[word]);
  if (word in RESERVE_UNITS) {
    return { kind: 'reserve', unit: RESERVE_UNITS[word], count: parseExpression(ts) };
  }
  if (word === 'section' || word === 'segment' || word === 'global' || word === 'extern') {
    throw new StatementError(`'${word}' is not supported: the output is one flat binary`);
  }
  ts.pos--;
  return parseInstruction(ts);
}

function parseData(ts: TokenStream, unit: number): Statement {
  const items: DataItem[] = [];
  // An item ends at a ',' or at the end of the line.
  const endsAt = (offset: number) => {
    const t = ts.peek(offset);
    return t === undefined || (t.kind === 'punct' && t.text === ',');
  };
  do {
    const t = ts.peek();
    if (t?.kind === 'string' && endsAt(1)) {
      // A string on its own is a list of bytes; inside an expression it is a number ('a'+1).
      ts.next();
      items.push({ kind: 'string', bytes: t.bytes });
    } else if (t?.kind === 'float' && endsAt(1)) {
      ts.next();
      items.push({ kind: 'float', value: t.value });
    } else if (t?.kind === 'punct' && t.text === '-' && ts.peek(1)?.kind === 'float' && endsAt(2)) {
      const f = ts.peek(1) as { value: number };
      ts.pos += 2;
      items.push({ kind: 'float', value: -f.value });
    } else {
      items.push({ kind: 'expr', expr: parseExpression(ts) });
    }
  } while (ts.eatPunct(','));
  return { kind: 'data', unit, items };
}

function parseInstruction(ts: TokenStream): Statement {
  const prefixes: PrefixWords = { lockRep: [], segment: -1, opsize: 0, addrsize: 0 };
  let mnemonic: string | null = null;
  while (!ts.atEnd()) {
    const t = ts.next();
    if (t?.kind !== 'ident') throw new StatementError('expected an instruction');
    const word = t.text.toLowerCase();
    if (word in LOCK_REP) {
      prefixes.lockRep.push(LOCK_REP[word]);
      continue;
    }
    if (word === 'o16' || word === 'o32') {
      prefixes.opsize = word === 'o16' ? 16 : 32;
      continue;
    }
    if (word === 'a16' || word === 'a32') {
      prefixes.addrsize = word === 'a16' ? 16 : 32;
      continue;
    }
    const reg = lookupRegister(word);
    if (reg?.cls === 'sreg' && ts.peek()?.kind === 'ident') {
      if (prefixes.segment >= 0) throw new StatementError('two segment prefixes');
      prefixes.segment = reg.num;
      continue;
    }
    mnemonic = word;
    break;
  }
  const operands: Operand[] = [];
  if (mnemonic && !ts.atEnd()) {
    do operands.push(parseOperand(ts));
    while (ts.eatPunct(','));
  }
  return { kind: 'instruction', mnemonic: mnemonic ?? '', operands, prefixes };
}
