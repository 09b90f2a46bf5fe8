import { StatementError } from './errors.js';
import type { Expr, Value } from './expression.js';
import { FORMS, type Form, type OperandSpec } from './forms.js';
import type { IndexTerm, MemoryOperand, Operand } from './operands.js';
import { Reg, SEGMENT_PREFIX } from './registers.js';

/**
 * Size decisions that may only grow from one pass to the next, so that
 * layout converges: once a value did not fit the short form, the statement
 * keeps the long one.
 */
export const Grow = {
  /** disp8 -> disp16/32 */
  DISP: 1,
  /** sign-extended imm8 form -> full immediate */
  IMM: 2,
  /** rel8 branch -> rel16/32 */
  BRANCH: 4,
} as const;

/** Prefixes written in the source as separate words (`lock`, `rep`, `fs`, `o16` ...). */
export interface PrefixWords {
  /** F0, F2 or F3 in the order written. */
  lockRep: number[];
  /** Segment register number from a prefix word like `fs movsb`, or -1. */
  segment: number;
  opsize: 0 | 16 | 32;
  addrsize: 0 | 16 | 32;
}

export interface Instruction {
  mnemonic: string;
  operands: Operand[];
  prefixes: PrefixWords;
}

export interface EncodeContext {
  bits: 16 | 32;
  /** Address of the instruction's first byte. */
  address: bigint;
  evaluate(expr: Expr): Value;
  /** Grow flags this statement has collected so far. */
  grown: number;
}

export interface Encoding {
  bytes: number[];
  /** Grow flags to add to the statement. */
  grown: number;
}

const MASK32 = 0xffffffffn;

/** Encodes one instruction, choosing the shortest form that fits (see table.ts). */
export function encodeInstruction(insn: Instruction, ctx: EncodeContext): Encoding {
  const forms = FORMS.get(insn.mnemonic);
  if (!forms) throw new StatementError(`unknown instruction '${insn.mnemonic}'`);
  let grown = 0;

  const matchState = { grown: 0 };
  let candidates = forms.filter((f) => formMatches(f, insn, ctx, matchState));
  // A sign-extended byte form that did not fit only matters when no other one did.
  if (!candidates.some((f) => f.specs.some((s) => s.detail === 's8'))) grown |= matchState.grown;
  if (candidates.length === 0) {
    throw new StatementError(`no form of '${insn.mnemonic}' takes these operands`);
  }
  candidates = resolveSizeAmbiguity(candidates, insn, ctx.bits);

  // Encode every candidate and keep the shortest (the first among equals).
  let best: number[] | null = null;
  let firstError: StatementError | null = null;
  for (const form of candidates) {
    let encoded: Encoding;
    try {
      encoded = encodeForm(form, insn, ctx);
    } catch (e) {
      if (!(e instanceof StatementError)) throw e;
      firstError ??= e;
      continue;
    }
    grown |= encoded.grown;
    // An empty encoding is a short branch that does not reach: a longer form will.
    if (encoded.bytes.length > 0 && (!best || encoded.bytes.length < best.length)) {
      best = encoded.bytes;
    }
  }
  if (!best) {
    throw firstError ?? new StatementError(`no form of '${insn.mnemonic}' takes these operands`);
  }
  return { bytes: best, grown };
}

function operandSize(form: Form, insn: Instruction): number {
  return form.opsize || insn.prefixes.opsize;
}

/**
 * Forms that differ only in an operand size nobody wrote (`push [eax]`,
 * `mov [eax], 1`): the default size when the form says so, otherwise an error.
 */
function resolveSizeAmbiguity(candidates: Form[], insn: Instruction, bits: number): Form[] {
  const key = (f: Form) => {
    const memIndex = insn.operands.findIndex((o) => o.kind === 'mem');
    const memSize = memIndex >= 0 ? f.specs[memIndex].size : 0;
    return `${f.opsize}/${memSize}`;
  };
  const keys = new Set(candidates.map(key));
  if (keys.size <= 1) return candidates;
  const wanted = insn.prefixes.opsize || bits;
  if (candidates.every((f) => f.defaultSize)) {
    const kept = candidates.filter((f) => f.opsize === 0 || f.opsize === wanted);
    if (kept.length > 0) return kept;
  }
  // An o16/o32 prefix word settles it.
  if (insn.prefixes.opsize) {
    const kept = candidates.filter((f) => f.opsize === insn.prefixes.opsize);
    if (kept.length > 0 && new Set(kept.map(key)).size === 1) return kept;
  }
  throw new StatementError('operation size not specified (write byte, word or dword)');
}

function formMatches(
  form: Form,
  insn: Instruction,
  ctx: EncodeContext,
  state: { grown: number },
): boolean {
  if (form.specs.length !== insn.operands.length) return false;
  if (insn.prefixes.opsize && form.opsize && form.opsize !== insn.prefixes.opsize) return false;
  if (insn.prefixes.addrsize && form.addrsize && form.addrsize !== insn.prefixes.addrsize) {
    return false;
  }
  for (let i = 0; i < form.specs.length; i++) {
    if (!operandMatches(form.specs[i], insn.operands[i], form, ctx, state)) return false;
  }
  return true;
}

function fitsSignedByte(value: bigint, opsizeBits: number): boolean {
  // The CPU sign-extends the byte to the operand size, so 0xfff0 fits for a 16-bit operation.
  const bits = BigInt(opsizeBits || 32);
  const mask = (1n << bits) - 1n;
  const signBit = 1n << (bits - 1n);
  if (value < -signBit || value > mask) return false;
  let v = value & mask;
  if (v & signBit) v -= 1n << bits;
  return v >= -128n && v <= 127n;
}

function fitsUnsignedOrSigned(value: bigint, bytes: number): boolean {
  const bits = BigInt(bytes * 8);
  return value >= -(1n << (bits - 1n)) && value < 1n << bits;
}

function operandMatches(
  spec: OperandSpec,
  op: Operand,
  form: Form,
  ctx: EncodeContext,
  state: { grown: number },
): boolean {
  switch (spec.kind) {
    case 'gpr':
      return op.kind === 'reg' && op.reg.cls === 'gpr' && op.reg.size === spec.size;
    case 'fixed':
      return op.kind === 'reg' && op.reg.name === spec.detail;
    case 'sreg':
      return (
        op.kind === 'reg' && op.reg.cls === 'sreg' && !(spec.detail === 'nocs' && op.reg.num === 1)
      );
    case 'cr':
      return op.kind === 'reg' && op.reg.cls === 'cr';
    case 'dr':
      return op.kind === 'reg' && op.reg.cls === 'dr';
    case 'rm':
      if (op.kind === 'reg') return op.reg.cls === 'gpr' && op.reg.size === spec.size;
      return op.kind === 'mem' && !op.far && (op.size === 0 || op.size === spec.size);
    case 'mem':
      if (op.kind !== 'mem') return false;
      if (spec.detail === 'mfar') {
        // `far [x]` (any size that fits), or `fword [x]` for m16:32 alone.
        return op.far ? op.size === 0 || op.size === spec.size : op.size === 6 && spec.size === 6;
      }
      if (spec.detail === 'mp') return op.size === 0 || op.size === spec.size;
      if (op.far) return false;
      return spec.size === 0 || op.size === 0 || op.size === spec.size;
    case 'moffs':
      return (
        op.kind === 'mem' &&
        !op.far &&
        op.terms.length === 0 &&
        op.dispSize === 0 &&
        (op.size === 0 || op.size === spec.size)
      );
    case 'imm': {
      if (op.kind !== 'imm' || op.distance) return false;
      const v = ctx.evaluate(op.expr);
      if (spec.detail === 'one' || spec.detail === 'three') {
        return op.size === 0 && v.known && v.value === (spec.detail === 'one' ? 1n : 3n);
      }
      // A size on an immediate names the immediate's size or, for PUSH, the operation's.
      const operationSize = form.opsize / 8;
      if (op.size && op.size !== spec.size && op.size !== operationSize) return false;
      if (spec.detail === 's8') {
        if (op.size === 1) return !v.known || fitsSignedByte(v.value, form.opsize);
        if (ctx.grown & Grow.IMM) return false;
        if (!v.known) return true;
        if (fitsSignedByte(v.value, form.opsize)) return true;
        state.grown |= Grow.IMM;
        return false;
      }
      return !v.known || fitsUnsignedOrSigned(v.value, spec.size);
    }
    case 'rel':
      if (op.kind !== 'imm') return false;
      if (spec.size === 1 && op.distance === 'near') return false;
      if (spec.size !== 1 && op.distance === 'short') return false;
      return op.size === 0 || op.size === spec.size;
    case 'far':
      return op.kind === 'far' && (op.size === 0 || op.size === spec.size);
  }
}

/** The ModRM/SIB/displacement bytes of a memory operand, and what they imply. */
interface MemoryEncoding {
  bytes: number[];
  addrsize: 16 | 32;
  /** Segment override prefix to emit, or 0. */
  segmentPrefix: number;
  grown: number;
}

function addressSizeOf(mem: MemoryOperand, insn: Instruction, bits: number): 16 | 32 {
  if (mem.terms.length > 0) {
    const sizes = new Set(mem.terms.map((t) => t.reg.size));
    if (sizes.size > 1 || mem.terms.some((t) => t.reg.cls !== 'gpr' || t.reg.size === 1)) {
      throw new StatementError('bad register in memory operand');
    }
    const size = mem.terms[0].reg.size === 2 ? 16 : 32;
    if (insn.prefixes.addrsize && insn.prefixes.addrsize !== size) {
      throw new StatementError(
        `a${insn.prefixes.addrsize} conflicts with the registers in the address`,
      );
    }
    return size;
  }
  if (mem.dispSize === 2) return 16;
  if (mem.dispSize === 4) return 32;
  return insn.prefixes.addrsize || (bits as 16 | 32);
}

function truncate(value: bigint, bytes: number): number[] {
  const out: number[] = [];
  let v = value & ((1n << BigInt(bytes * 8)) - 1n);
  for (let i = 0; i < bytes; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

function displacementValue(mem: MemoryOperand, ctx: EncodeContext): Value {
  return mem.disp ? ctx.evaluate(mem.disp) : { value: 0n, known: true };
}

/**
 * Chooses no displacement, disp8 or the full size: a known zero needs no
 * bytes (unless the base is (E)BP), a known small value a byte, and an
 * unknown value a byte until it turns out not to fit (then Grow.DISP).
 */
function chooseDisplacement(
  mem: MemoryOperand,
  disp: Value,
  mustHaveDisp: boolean,
  fullBytes: number,
  ctx: EncodeContext,
): { size: number; grown: number } {
  if (mem.dispSize === 1) {
    if (disp.known && (disp.value < -128n || disp.value > 127n)) {
      throw new StatementError('displacement does not fit in a byte');
    }
    return { size: 1, grown: 0 };
  }
  if (mem.dispSize === fullBytes) return { size: fullBytes, grown: 0 };
  if (ctx.grown & Grow.DISP) return { size: fullBytes, grown: 0 };
  if (disp.known) {
    if (disp.value === 0n && !mustHaveDisp) return { size: 0, grown: 0 };
    if (disp.value >= -128n && disp.value <= 127n) return { size: 1, grown: 0 };
    return { size: fullBytes, grown: Grow.DISP };
  }
  return { size: 1, grown: 0 };
}

function checkDisplacementRange(disp: Value, bytes: number): void {
  if (disp.known && !fitsUnsignedOrSigned(disp.value, bytes)) {
    throw new StatementError(`displacement out of range for a ${bytes * 8}-bit address`);
  }
}

/** Splits `eax*3` into `eax + eax*2` (and 5, 9 likewise), as NASM does. */
function normalizeTerms(terms: readonly IndexTerm[]): IndexTerm[] {
  const out: IndexTerm[] = [];
  for (const t of terms) {
    if (t.scale === 3 || t.scale === 5 || t.scale === 9) {
      out.push(
        { reg: t.reg, scale: 1, explicitScale: false },
        { reg: t.reg, scale: t.scale - 1, explicitScale: true },
      );
    } else if (t.scale === 0) {
      // `ebx*0` contributes nothing.
    } else out.push(t);
  }
  return out;
}

function encodeMemory32(mem: MemoryOperand, regField: number, ctx: EncodeContext): MemoryEncoding {
  const terms = normalizeTerms(mem.terms);
  if (terms.length > 2) throw new StatementError('too many registers in memory operand');
  let base: IndexTerm | null = null;
  let index: IndexTerm | null = null;
  for (const t of terms) {
    if (![1, 2, 4, 8].includes(t.scale)) throw new StatementError(`bad scale factor ${t.scale}`);
  }
  // A written scale (even `*1`) makes a register the index, as in GNU as.
  const scaled = (t: IndexTerm) => t.scale !== 1 || t.explicitScale;
  if (terms.length === 1) {
    if (scaled(terms[0])) index = terms[0];
    else base = terms[0];
  } else if (terms.length === 2) {
    const [a, b] = terms;
    if (scaled(a) && scaled(b) && a.scale !== 1 && b.scale !== 1) {
      throw new StatementError('two scaled registers');
    }
    if (scaled(a) && !scaled(b)) [base, index] = [b, a];
    else if (b.reg.num === Reg.ESP && !scaled(b)) [base, index] = [b, a];
    else [base, index] = [a, b];
  }
  if (index && index.reg.num === Reg.ESP)
    throw new StatementError('esp cannot be an index register');

  const disp = displacementValue(mem, ctx);
  checkDisplacementRange(disp, 4);
  const bytes: number[] = [];
  let grown = 0;
  let dispBytes: number;
  if (!base && !index) {
    bytes.push((regField << 3) | 5);
    dispBytes = 4;
  } else if (!base && index) {
    bytes.push((regField << 3) | 4, (log2(index.scale) << 6) | (index.reg.num << 3) | 5);
    dispBytes = 4;
  } else {
    const baseNum = base!.reg.num;
    const choice = chooseDisplacement(mem, disp, baseNum === Reg.EBP, 4, ctx);
    grown |= choice.grown;
    dispBytes = choice.size;
    const mod = dispBytes === 0 ? 0 : dispBytes === 1 ? 1 : 2;
    if (index || baseNum === Reg.ESP) {
      const sib = index
        ? (log2(index.scale) << 6) | (index.reg.num << 3) | baseNum
        : (4 << 3) | baseNum;
      bytes.push((mod << 6) | (regField << 3) | 4, sib);
    } else {
      bytes.push((mod << 6) | (regField << 3) | baseNum);
    }
  }
  bytes.push(...truncate(disp.value, dispBytes));
  const usesStack = base !== null && (base.reg.num === Reg.ESP || base.reg.num === Reg.EBP);
  return { bytes, addrsize: 32, segmentPrefix: segmentPrefix(mem.segment, usesStack), grown };
}

const RM16: Record<string, number> = {
  'bx+si': 0,
  'bx+di': 1,
  'bp+si': 2,
  'bp+di': 3,
  si: 4,
  di: 5,
  bp: 6,
  bx: 7,
};

function encodeMemory16(mem: MemoryOperand, regField: number, ctx: EncodeContext): MemoryEncoding {
  const names = mem.terms.map((t) => {
    if (t.scale !== 1) throw new StatementError('16-bit addresses cannot scale a register');
    return t.reg.name;
  });
  const baseReg = names.filter((n) => n === 'bx' || n === 'bp');
  const indexReg = names.filter((n) => n === 'si' || n === 'di');
  if (
    baseReg.length > 1 ||
    indexReg.length > 1 ||
    baseReg.length + indexReg.length !== names.length
  ) {
    throw new StatementError('16-bit addresses take [bx|bp + si|di + disp]');
  }
  const disp = displacementValue(mem, ctx);
  checkDisplacementRange(disp, 2);
  const bytes: number[] = [];
  let grown = 0;
  let dispBytes: number;
  if (names.length === 0) {
    bytes.push((regField << 3) | 6);
    dispBytes = 2;
  } else {
    const rm = RM16[[...baseReg, ...indexReg].join('+')];
    const choice = chooseDisplacement(mem, disp, rm === 6, 2, ctx);
    grown |= choice.grown;
    dispBytes = choice.size;
    const mod = dispBytes === 0 ? 0 : dispBytes === 1 ? 1 : 2;
    bytes.push((mod << 6) | (regField << 3) | rm);
  }
  bytes.push(...truncate(disp.value, dispBytes));
  return {
    bytes,
    addrsize: 16,
    segmentPrefix: segmentPrefix(mem.segment, baseReg[0] === 'bp'),
    grown,
  };
}

/** GNU as leaves out an override that names the default segment; so do we. */
function segmentPrefix(segment: number, usesStack: boolean): number {
  if (segment < 0) return 0;
  const defaultSegment = usesStack ? 2 : 3;
  return segment === defaultSegment ? 0 : SEGMENT_PREFIX[segment];
}

function log2(scale: number): number {
  return scale === 1 ? 0 : scale === 2 ? 1 : scale === 4 ? 2 : 3;
}

function encodeForm(form: Form, insn: Instruction, ctx: EncodeContext): Encoding {
  const ops = insn.operands;
  const specs = form.specs;
  let grown = 0;

  // Which operand goes where.
  let regOperand = -1;
  let rmOperand = -1;
  for (let i = 0; i < specs.length; i++) {
    const k = specs[i].kind;
    if (k === 'rm' || k === 'mem') rmOperand = i;
    else if (k === 'gpr' || k === 'sreg' || k === 'cr' || k === 'dr') {
      if (regOperand < 0) regOperand = i;
      else if (specs[regOperand].kind === 'gpr' && k !== 'gpr') {
        // mov eax, cr0: the special register sits in reg, the general one in rm.
        rmOperand = regOperand;
        regOperand = i;
      } else rmOperand = i;
    }
  }

  // With a fixed reg field (/digit), a lone register operand sits in rm (smsw eax).
  if (typeof form.modrm === 'number' && rmOperand < 0) rmOperand = regOperand;

  const opcode = [...form.opcode];
  let modrmBytes: number[] = [];
  let addrsize: 0 | 16 | 32 = form.addrsize || insn.prefixes.addrsize;
  let segPrefix = insn.prefixes.segment >= 0 ? SEGMENT_PREFIX[insn.prefixes.segment] : 0;

  if (form.plusReg) {
    const r = ops[regOperand];
    if (r.kind !== 'reg') throw new Error('x86asm: +r form without a register operand');
    opcode[opcode.length - 1] += r.reg.num;
  }
  if (form.modrm !== null) {
    let regField: number;
    if (form.modrm === 'r' || form.modrm === 'rr') {
      const r = ops[regOperand];
      regField = r.kind === 'reg' ? r.reg.num : 0;
    } else regField = form.modrm;
    const rmOp = form.modrm === 'rr' ? ops[regOperand] : ops[rmOperand];
    if (rmOp.kind === 'reg') {
      modrmBytes = [0xc0 | (regField << 3) | rmOp.reg.num];
    } else if (rmOp.kind === 'mem') {
      const size = addressSizeOf(rmOp, insn, ctx.bits);
      const enc =
        size === 32 ? encodeMemory32(rmOp, regField, ctx) : encodeMemory16(rmOp, regField, ctx);
      modrmBytes = enc.bytes;
      addrsize = enc.addrsize;
      grown |= enc.grown;
      if (enc.segmentPrefix) {
        if (segPrefix && segPrefix !== enc.segmentPrefix)
          throw new StatementError('two segment overrides');
        segPrefix = enc.segmentPrefix;
      }
    } else throw new Error('x86asm: ModRM form without a register or memory operand');
  }

  // Immediates, branch displacements, far pointers and moffs addresses, in operand order.
  const immOperands = ops.filter(
    (_, i) =>
      (specs[i].kind === 'imm' && specs[i].detail !== 'one' && specs[i].detail !== 'three') ||
      specs[i].kind === 'rel' ||
      specs[i].kind === 'far' ||
      specs[i].kind === 'moffs',
  );
  const tail: (number[] | { rel: Expr; size: number; short: boolean })[] = [];
  form.immediates.forEach((slot, n) => {
    const op = immOperands[n];
    if (slot.type === 'imm' && op.kind === 'imm') {
      tail.push(truncate(ctx.evaluate(op.expr).value, slot.size));
    } else if (slot.type === 'rel' && op.kind === 'imm') {
      tail.push({ rel: op.expr, size: slot.size, short: op.distance === 'short' });
    } else if (slot.type === 'ptr' && op.kind === 'far') {
      const offset = ctx.evaluate(op.offset);
      const selector = ctx.evaluate(op.selector);
      if (offset.known && !fitsUnsignedOrSigned(offset.value, slot.size)) {
        throw new StatementError('far pointer offset out of range');
      }
      if (selector.known && !fitsUnsignedOrSigned(selector.value, 2)) {
        throw new StatementError('selector out of range');
      }
      tail.push([...truncate(offset.value, slot.size), ...truncate(selector.value, 2)]);
    } else if (slot.type === 'moffs' && op.kind === 'mem') {
      const size = addressSizeOf(op, insn, ctx.bits);
      addrsize = size;
      const disp = displacementValue(op, ctx);
      checkDisplacementRange(disp, size / 8);
      tail.push(truncate(disp.value, size / 8));
      const seg = segmentPrefix(op.segment, false);
      if (seg) segPrefix = seg;
    } else throw new Error(`x86asm: form '${form.mnemonic}' does not fit its operands`);
  });

  const opsize = operandSize(form, insn);
  const prefixes: number[] = [];
  if (segPrefix) prefixes.push(segPrefix);
  if (addrsize && addrsize !== ctx.bits) prefixes.push(0x67);
  if (opsize && opsize !== ctx.bits) prefixes.push(0x66);
  if (insn.prefixes.lockRep.includes(0xf0)) {
    const mem = rmOperand >= 0 && ops[rmOperand].kind === 'mem';
    if (!form.lockable || !mem) {
      throw new StatementError(
        `'lock' is not allowed on '${insn.mnemonic}' with these operands (use db 0xf0 to test #UD)`,
      );
    }
  }
  prefixes.push(...insn.prefixes.lockRep);

  const head = [...prefixes, ...opcode, ...modrmBytes];
  let length = head.length;
  for (const part of tail) length += Array.isArray(part) ? part.length : part.size;
  const bytes = head;
  for (const part of tail) {
    if (Array.isArray(part)) {
      bytes.push(...part);
      continue;
    }
    const target = ctx.evaluate(part.rel);
    const rel = target.value - (ctx.address + BigInt(length));
    if (part.size === 1) {
      const relaxable = form.defaultSize && !part.short;
      if (target.known && (rel < -128n || rel > 127n)) {
        if (relaxable) return { bytes: [], grown: grown | Grow.BRANCH };
        throw new StatementError(`short jump out of range (${rel} bytes)`);
      }
      if (ctx.grown & Grow.BRANCH && relaxable) return { bytes: [], grown };
    }
    bytes.push(...truncate(rel & MASK32, part.size));
  }
  return { bytes, grown };
}
