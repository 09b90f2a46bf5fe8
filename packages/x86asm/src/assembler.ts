import { encodeInstruction } from './encoder.js';
import { AssemblyError, type Diagnostic, StatementError } from './errors.js';
import { type EvalContext, type Expr, evaluate, type Value } from './expression.js';
import { type DataItem, type Line, parseLine, type Statement } from './parser.js';

export interface AssembleOptions {
  /** Code size at the start of the source (`bits` can change it). Default 32. */
  bits?: 16 | 32;
  /** Address of the first output byte (`org` in the source overrides it). Default 0. */
  org?: number;
  /** Constants visible to the source, as if defined with `equ`. */
  symbols?: Record<string, number | bigint>;
  /** Name used in error messages. */
  name?: string;
}

/** One source line's place in the output. */
export interface ListingLine {
  line: number;
  source: string;
  /** Address of the line's first byte. */
  address: number;
  /** Offset in `bytes`. */
  offset: number;
  length: number;
}

export interface Program {
  /** The flat binary. */
  bytes: Uint8Array;
  /** Address of `bytes[0]`. */
  org: number;
  /** Labels and `equ` constants (local labels as `parent.local`). */
  symbols: ReadonlyMap<string, number>;
  /** Per source line: where its bytes are. */
  listing: ListingLine[];
  /** The value of a label or constant; throws if there is none. */
  symbol(name: string): number;
}

/** The most passes spent looking for a stable layout before giving up. */
const MAX_PASSES = 64;

interface PassState {
  bits: 16 | 32;
  org: bigint;
  orgFixed: boolean;
  output: number[];
  previous: ReadonlyMap<string, bigint>;
  current: Map<string, bigint>;
  diagnostics: Diagnostic[];
  unknown: Set<string>;
  /** Last non-local label, the scope of `.local` labels. */
  scope: string;
  listing: ListingLine[];
}

/**
 * Assembles NASM-style Intel syntax into a flat binary.
 *
 * @example
 * const program = assemble(`
 *   bits 32
 *   org 0x1000
 * start:
 *   mov eax, [ebx+ecx*4+8]
 *   jmp start
 * `);
 * program.bytes; // Uint8Array [0x8b, 0x44, 0x8b, 0x08, 0xeb, 0xfa]
 */
export function assemble(source: string, options: AssembleOptions = {}): Program {
  const diagnostics: Diagnostic[] = [];
  const lines: Line[] = [];
  source.split('\n').forEach((text, i) => {
    try {
      lines.push(parseLine(text, i + 1));
    } catch (e) {
      if (!(e instanceof StatementError)) throw e;
      diagnostics.push({ line: i + 1, message: e.message, source: text });
    }
  });
  if (diagnostics.length > 0) throw new AssemblyError(diagnostics, options.name);

  const predefined = new Map<string, bigint>();
  for (const [name, value] of Object.entries(options.symbols ?? {})) {
    predefined.set(name, BigInt(value));
  }
  // Per-statement size decisions that only grow (see Grow in encoder.ts), keyed by line index.
  const grown = new Map<number, number>();
  let previous: ReadonlyMap<string, bigint> = predefined;
  let state: PassState | null = null;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const grownBefore = [...grown.values()].reduce((a, b) => a + b, 0);
    state = runPass(lines, previous, predefined, grown, options);
    const grownAfter = [...grown.values()].reduce((a, b) => a + b, 0);
    const stable =
      grownBefore === grownAfter &&
      sameSymbols(previous, state.current) &&
      (pass > 0 || state.unknown.size === 0);
    previous = state.current;
    if (stable) break;
    if (pass === MAX_PASSES - 1) {
      throw new AssemblyError(
        [{ line: 0, message: 'the layout does not settle (labels keep moving)', source: '' }],
        options.name,
      );
    }
  }
  const final = state!;
  for (const name of final.unknown) {
    final.diagnostics.push({ line: 0, message: `undefined symbol '${name}'`, source: '' });
  }
  if (final.diagnostics.length > 0) throw new AssemblyError(final.diagnostics, options.name);

  const symbols = new Map<string, number>();
  for (const [name, value] of final.current) symbols.set(name, Number(value));
  return {
    bytes: Uint8Array.from(final.output),
    org: Number(final.org),
    symbols,
    listing: final.listing,
    symbol(name: string): number {
      const v = symbols.get(name);
      if (v === undefined) throw new Error(`x86asm: no symbol '${name}'`);
      return v;
    },
  };
}

function sameSymbols(a: ReadonlyMap<string, bigint>, b: ReadonlyMap<string, bigint>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function runPass(
  lines: readonly Line[],
  previous: ReadonlyMap<string, bigint>,
  predefined: ReadonlyMap<string, bigint>,
  grown: Map<number, number>,
  options: AssembleOptions,
): PassState {
  const state: PassState = {
    bits: options.bits ?? 32,
    org: BigInt(options.org ?? 0),
    orgFixed: false,
    output: [],
    previous,
    current: new Map(predefined),
    diagnostics: [],
    unknown: new Set(),
    scope: '',
    listing: [],
  };
  lines.forEach((line, index) => {
    const offset = state.output.length;
    try {
      if (line.label !== null) {
        const name = qualify(state, line.label);
        if (!line.label.startsWith('.')) state.scope = line.label;
        define(state, name, state.org + BigInt(offset));
      }
      if (line.statement) runStatement(state, line.statement, index, grown);
    } catch (e) {
      if (!(e instanceof StatementError)) throw e;
      state.diagnostics.push({ line: line.number, message: e.message, source: line.source });
    }
    const length = state.output.length - offset;
    state.listing.push({
      line: line.number,
      source: line.source,
      address: Number(state.org) + offset,
      offset,
      length,
    });
  });
  return state;
}

function qualify(state: PassState, name: string): string {
  return name.startsWith('.') && !name.startsWith('..') ? `${state.scope}${name}` : name;
}

function define(state: PassState, name: string, value: bigint): void {
  if (state.current.has(name)) throw new StatementError(`'${name}' is defined twice`);
  state.current.set(name, value);
}

function evalIn(state: PassState, expr: Expr): Value {
  const ctx: EvalContext = {
    here: state.org + BigInt(state.output.length),
    sectionStart: state.org,
    lookup: (name) => {
      const v = state.current.get(name) ?? state.previous.get(name);
      if (v === undefined) state.unknown.add(name);
      return v;
    },
  };
  return evaluate(expr, ctx, (name) => qualify(state, name));
}

/** Evaluates a value that must be known now (a count, an alignment, `org`). */
function evalNow(state: PassState, expr: Expr, what: string): bigint {
  const v = evalIn(state, expr);
  if (!v.known) throw new StatementError(`${what} must not depend on a later label`);
  return v.value;
}

function runStatement(
  state: PassState,
  statement: Statement,
  index: number,
  grown: Map<number, number>,
): void {
  switch (statement.kind) {
    case 'bits':
      state.bits = statement.bits;
      return;
    case 'org':
      if (state.output.length > 0 || state.orgFixed) {
        throw new StatementError('org must come before any output, once');
      }
      state.org = evalNow(state, statement.address, 'org');
      state.orgFixed = true;
      return;
    case 'equ': {
      const v = evalIn(state, statement.expr);
      if (v.known) define(state, qualify(state, statement.name), v.value);
      return;
    }
    case 'times': {
      const count = evalNow(state, statement.count, 'times count');
      if (count < 0n) throw new StatementError('times count is negative');
      if (count > 0x1000000n) throw new StatementError('times count is too large');
      for (let i = 0n; i < count; i++) runStatement(state, statement.body, index, grown);
      return;
    }
    case 'align': {
      const boundary = evalNow(state, statement.boundary, 'alignment');
      if (boundary <= 0n || (boundary & (boundary - 1n)) !== 0n) {
        throw new StatementError('alignment must be a power of two');
      }
      const fill = statement.fill ? Number(evalNow(state, statement.fill, 'fill') & 0xffn) : 0x90;
      while ((state.org + BigInt(state.output.length)) % boundary !== 0n) state.output.push(fill);
      return;
    }
    case 'reserve': {
      const count = evalNow(state, statement.count, 'reserve count');
      if (count < 0n || count > 0x10000000n) throw new StatementError('bad reserve count');
      for (let i = 0n; i < count * BigInt(statement.unit); i++) state.output.push(0);
      return;
    }
    case 'data':
      for (const item of statement.items) emitData(state, item, statement.unit);
      return;
    case 'instruction': {
      if (!statement.mnemonic) {
        emitPrefixesOnly(state, statement);
        return;
      }
      const encoding = encodeInstruction(statement, {
        bits: state.bits,
        address: state.org + BigInt(state.output.length),
        evaluate: (expr) => evalIn(state, expr),
        grown: grown.get(index) ?? 0,
      });
      if (encoding.grown) grown.set(index, (grown.get(index) ?? 0) | encoding.grown);
      state.output.push(...encoding.bytes);
      return;
    }
  }
}

/** A line of prefix words alone (`rep`, `o16`) emits just those bytes. */
function emitPrefixesOnly(
  state: PassState,
  statement: Extract<Statement, { kind: 'instruction' }>,
): void {
  const p = statement.prefixes;
  if (p.segment >= 0) state.output.push([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65][p.segment]);
  if (p.addrsize && p.addrsize !== state.bits) state.output.push(0x67);
  if (p.opsize && p.opsize !== state.bits) state.output.push(0x66);
  state.output.push(...p.lockRep);
}

function emitData(state: PassState, item: DataItem, unit: number): void {
  if (item.kind === 'string') {
    state.output.push(...item.bytes);
    // Strings in dw/dd/dq are padded with zeros to a whole unit, as NASM does.
    for (let n = item.bytes.length; n % unit !== 0; n++) state.output.push(0);
    return;
  }
  if (item.kind === 'float') {
    if (unit !== 4 && unit !== 8) throw new StatementError('floating-point values need dd or dq');
    const view = new DataView(new ArrayBuffer(unit));
    if (unit === 4) view.setFloat32(0, item.value, true);
    else view.setFloat64(0, item.value, true);
    for (let i = 0; i < unit; i++) state.output.push(view.getUint8(i));
    return;
  }
  const v = evalIn(state, item.expr);
  const bits = BigInt(unit * 8);
  // Negative values are taken down to -2^bits, so that checksums written as
  // `dd -(MAGIC + FLAGS)` fit even when the sum has the top bit set.
  if (v.known && (v.value < -(1n << bits) || v.value >= 1n << bits)) {
    throw new StatementError(`value ${v.value} does not fit in ${unit * 8} bits`);
  }
  let x = v.value & ((1n << bits) - 1n);
  for (let i = 0; i < unit; i++) {
    state.output.push(Number(x & 0xffn));
    x >>= 8n;
  }
}
