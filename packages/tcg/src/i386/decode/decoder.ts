import {
  DecodedInsn,
  DecodeStatus,
  X86Op,
  type X86Operand,
  X86OperandKind,
  X86Prefix,
  X86Reg,
  X86Seg,
} from './insn.js';
import { EntryFlag, INVALID, OPCODE_MAP, type OpcodeEntry, Spec } from './opcodes.js';
import { lookupSimd, type SimdForm, simdRegisterKind } from './simd.js';
import { lookupX87 } from './x87.js';

/**
 * Reads the code byte at `eip` (the caller adds CS.base and checks limits
 * and paging). Returns 0-255, or a negative number when the byte cannot be
 * fetched (the decoder then stops with DecodeStatus.FetchFault). It may
 * also throw: the decoder does not catch the caller's exceptions.
 */
export type FetchByte = (eip: number) => number;

/** What the decoder needs to know about the CPU mode. */
export const DecodeMode = {
  /** CS.D = 1: 32-bit default operand and address size. */
  CODE32: 1,
  /** CR0.PE = 1 and EFLAGS.VM = 0 (instructions like LAR are #UD otherwise). */
  PROTECTED: 2,
} as const;

/** The architectural limit on instruction length. */
export const MAX_INSN_LENGTH = 15;

const ABORT = Symbol('decode abort');

/** CR0, CR2, CR3 and CR4 exist on a 686; other control registers are #UD. */
const VALID_CR = 0b11101;

/**
 * Decodes one instruction into a caller-owned DecodedInsn. One decoder can
 * be reused for every instruction of a translation block; it keeps no state
 * between calls that matters.
 */
export class InsnDecoder {
  private fetch: FetchByte = () => -1;
  private start = 0;
  private pos = 0;
  private abortStatus: DecodeStatus = DecodeStatus.Ok;

  decode(insn: DecodedInsn, fetch: FetchByte, eip: number, mode: number): DecodeStatus {
    this.fetch = fetch;
    this.start = eip;
    this.pos = 0;
    resetInsn(insn, eip);
    let status: DecodeStatus;
    try {
      status = this.decodeBody(insn, mode);
    } catch (e) {
      if (e !== ABORT) throw e;
      status = this.abortStatus;
    }
    insn.length = this.pos;
    if (status !== DecodeStatus.Ok) insn.op = X86Op.Invalid;
    return status;
  }

  private byte(): number {
    if (this.pos >= MAX_INSN_LENGTH) {
      this.abortStatus = DecodeStatus.TooLong;
      throw ABORT;
    }
    const b = this.fetch(this.start + this.pos);
    if (b < 0) {
      this.abortStatus = DecodeStatus.FetchFault;
      throw ABORT;
    }
    this.pos++;
    return b & 0xff;
  }

  private word(): number {
    const lo = this.byte();
    return lo | (this.byte() << 8);
  }

  private dword(): number {
    const lo = this.word();
    return (lo | (this.word() << 16)) >>> 0;
  }

  /** An immediate of `size` bytes, zero-extended. */
  private immediate(size: number): number {
    return size === 1 ? this.byte() : size === 2 ? this.word() : this.dword();
  }

  private decodeBody(insn: DecodedInsn, mode: number): DecodeStatus {
    // Prefixes: any number, in any order, until the 15-byte limit.
    let b = this.byte();
    let prefixes = 0;
    let segOverride = -1;
    let numPrefixBytes = 0;
    for (;;) {
      if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) segOverride = (b >> 3) & 3;
      else if (b === 0x64 || b === 0x65) segOverride = b - 0x60;
      else if (b === 0x66) prefixes |= X86Prefix.OPSIZE;
      else if (b === 0x67) prefixes |= X86Prefix.ADDRSIZE;
      else if (b === 0xf0) prefixes |= X86Prefix.LOCK;
      else if (b === 0xf2) prefixes = (prefixes & ~X86Prefix.REPZ) | X86Prefix.REPNZ;
      else if (b === 0xf3) prefixes = (prefixes & ~X86Prefix.REPNZ) | X86Prefix.REPZ;
      else break;
      insn.prefixBytes[numPrefixBytes++] = b;
      b = this.byte();
    }
    insn.numPrefixBytes = numPrefixBytes;
    insn.prefixes = prefixes;
    insn.segOverride = segOverride;
    const code32 = (mode & DecodeMode.CODE32) !== 0;
    const opSize = code32 !== ((prefixes & X86Prefix.OPSIZE) !== 0) ? 4 : 2;
    insn.addrSize = code32 !== ((prefixes & X86Prefix.ADDRSIZE) !== 0) ? 4 : 2;

    const opcode = b === 0x0f ? 0x100 | this.byte() : b;
    insn.opcode = opcode;
    let entry: OpcodeEntry = OPCODE_MAP[opcode];
    let modrm = -1;
    if (entry.flags & EntryFlag.MODRM) {
      modrm = this.byte();
      insn.modrm = modrm;
      if (entry.group) {
        const reg = (modrm >> 3) & 7;
        entry = modrm >= 0xc0 && entry.groupReg ? entry.groupReg[reg] : entry.group[reg];
      }
    }
    if (entry === INVALID || entry.op === X86Op.Invalid) return DecodeStatus.InvalidOpcode;
    if (entry.flags & EntryFlag.PROTECTED_ONLY && !(mode & DecodeMode.PROTECTED)) {
      return DecodeStatus.InvalidOpcode;
    }
    insn.op = entry.op;
    insn.opSize = entry.flags & EntryFlag.BYTE_OP ? 1 : opSize;
    insn.cond = opcode & 0xf;
    let x87MemSize = 0;
    if (entry.op === X86Op.Nop && opcode === 0x90 && prefixes & X86Prefix.REPZ)
      insn.op = X86Op.Pause;
    if (entry.op === X86Op.Simd) {
      insn.mandatoryPrefix =
        prefixes & X86Prefix.REPZ
          ? 0xf3
          : prefixes & X86Prefix.REPNZ
            ? 0xf2
            : prefixes & X86Prefix.OPSIZE
              ? 0x66
              : 0;
    }

    if (entry.op === X86Op.X87) {
      const form = lookupX87(opcode, modrm);
      if (!form) return DecodeStatus.InvalidOpcode;
      x87MemSize = form.memSize;
    }
    let simd: SimdForm | null = null;
    if (entry.op === X86Op.Simd) {
      simd = lookupSimd(opcode, insn.mandatoryPrefix, modrm);
      if (!simd) return DecodeStatus.InvalidOpcode;
    }

    // The memory operand's address, if ModRM names memory (fetches SIB and displacement).
    if (modrm >= 0 && modrm < 0xc0 && !isRegisterOnly(entry)) this.decodeAddress(insn, modrm);
    else insn.memSeg = segOverride >= 0 ? segOverride : X86Seg.DS;

    if (simd) {
      this.decodeSimdOperands(insn, simd, modrm);
    } else {
      const specs = entry.specs;
      for (let i = 0; i < specs.length; i++) {
        if (!this.decodeOperand(insn, insn.operands[i], specs[i], opSize, modrm)) {
          return DecodeStatus.InvalidOpcode;
        }
      }
      insn.numOperands = specs.length;
      if (entry.op === X86Op.X87 && modrm < 0xc0) insn.operands[0].size = x87MemSize;
    }

    insn.usedPrefixes = usedPrefixes(insn, entry);

    if (prefixes & X86Prefix.LOCK) {
      // LOCK is only defined on read-modify-write instructions with a memory destination.
      if (!(entry.flags & EntryFlag.LOCKABLE) || insn.operands[0].kind !== X86OperandKind.Mem) {
        return DecodeStatus.InvalidOpcode;
      }
    }
    return DecodeStatus.Ok;
  }

  /** Fills the operands of an MMX/SSE/SSE2 instruction from its table form. */
  private decodeSimdOperands(insn: DecodedInsn, form: SimdForm, modrm: number): void {
    const reg = (modrm >> 3) & 7;
    const rm = modrm & 7;
    const operands = form.operands;
    for (let i = 0; i < operands.length; i++) {
      const { letter, memSize } = operands[i];
      const operand = insn.operands[i];
      const kind = simdRegisterKind(letter);
      const size = kind === X86OperandKind.XmmReg ? 16 : kind === X86OperandKind.MmxReg ? 8 : 4;
      if (letter === 'I') operand.set(X86OperandKind.Imm, 1, 0, this.byte());
      else if (letter === 'P' || letter === 'V' || letter === 'G') operand.set(kind, size, reg, 0);
      else if (modrm >= 0xc0) operand.set(kind, size, rm, 0);
      else operand.set(X86OperandKind.Mem, memSize, 0, 0);
    }
    insn.numOperands = operands.length;
  }

  /** Decodes ModRM's memory form (mod != 3) into insn.mem*. */
  private decodeAddress(insn: DecodedInsn, modrm: number): void {
    const mod = modrm >> 6;
    const rm = modrm & 7;
    let base = -1;
    let index = -1;
    let scale = 0;
    let disp = 0;
    let stack = false;
    if (insn.addrSize === 4) {
      if (rm === 4) {
        const sib = this.byte();
        scale = sib >> 6;
        index = (sib >> 3) & 7;
        if (index === X86Reg.ESP) index = -1;
        base = sib & 7;
        if (base === X86Reg.EBP && mod === 0) {
          base = -1;
          disp = this.dword() | 0;
        }
      } else if (rm === 5 && mod === 0) {
        disp = this.dword() | 0;
      } else base = rm;
      if (mod === 1) disp = (this.byte() << 24) >> 24;
      else if (mod === 2) disp = this.dword() | 0;
      stack = base === X86Reg.ESP || base === X86Reg.EBP;
    } else {
      // [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX]
      if (rm === 6 && mod === 0) {
        disp = (this.word() << 16) >> 16;
      } else {
        base =
          rm < 4
            ? rm < 2
              ? X86Reg.EBX
              : X86Reg.EBP
            : rm === 6
              ? X86Reg.EBP
              : rm === 7
                ? X86Reg.EBX
                : -1;
        index =
          rm < 4
            ? rm & 1
              ? X86Reg.EDI
              : X86Reg.ESI
            : rm === 4
              ? X86Reg.ESI
              : rm === 5
                ? X86Reg.EDI
                : -1;
        stack = base === X86Reg.EBP;
      }
      if (mod === 1) disp = (this.byte() << 24) >> 24;
      else if (mod === 2) disp = (this.word() << 16) >> 16;
    }
    insn.memBase = base;
    insn.memIndex = index;
    insn.memScale = scale;
    insn.disp = disp;
    insn.memSeg = insn.segOverride >= 0 ? insn.segOverride : stack ? X86Seg.SS : X86Seg.DS;
  }

  /** Fills one operand; false when the encoding is undefined (#UD). */
  private decodeOperand(
    insn: DecodedInsn,
    operand: X86Operand,
    spec: Spec,
    opSize: number,
    modrm: number,
  ): boolean {
    const reg = (modrm >> 3) & 7;
    const isReg = modrm >= 0xc0;
    switch (spec) {
      case Spec.Eb:
        return setRm(operand, isReg, modrm, 1, 1);
      case Spec.Ew:
        return setRm(operand, isReg, modrm, 2, 2);
      case Spec.Ed:
        return setRm(operand, isReg, modrm, 4, 4);
      case Spec.Ev:
        return setRm(operand, isReg, modrm, opSize, opSize);
      case Spec.Evw:
        return setRm(operand, isReg, modrm, opSize, 2);
      case Spec.Gb:
        operand.set(X86OperandKind.Reg, 1, reg, 0);
        return true;
      case Spec.Gw:
        operand.set(X86OperandKind.Reg, 2, reg, 0);
        return true;
      case Spec.Gd:
        operand.set(X86OperandKind.Reg, 4, reg, 0);
        return true;
      case Spec.Gv:
        operand.set(X86OperandKind.Reg, opSize, reg, 0);
        return true;
      case Spec.Ib:
        operand.set(X86OperandKind.Imm, 1, 0, this.byte());
        return true;
      case Spec.Ibs: {
        const v = (this.byte() << 24) >> 24;
        operand.set(X86OperandKind.Imm, opSize, 0, opSize === 4 ? v >>> 0 : v & 0xffff);
        return true;
      }
      case Spec.Iw:
        operand.set(X86OperandKind.Imm, 2, 0, this.word());
        return true;
      case Spec.Iz:
        operand.set(X86OperandKind.Imm, opSize, 0, this.immediate(opSize));
        return true;
      case Spec.Jb:
      case Spec.Jz: {
        const rel =
          spec === Spec.Jb ? (this.byte() << 24) >> 24 : signExtend(this.immediate(opSize), opSize);
        // The target wraps within the operand size (IP, not EIP, for 16-bit operands).
        const target = this.start + this.pos + rel;
        operand.set(X86OperandKind.Rel, opSize, 0, opSize === 4 ? target >>> 0 : target & 0xffff);
        return true;
      }
      case Spec.Ap: {
        const offset = this.immediate(opSize);
        operand.set(X86OperandKind.FarPtr, opSize + 2, 0, offset);
        operand.selector = this.word();
        return true;
      }
      case Spec.M:
        return setMem(operand, isReg, 0);
      case Spec.Mb:
        return setMem(operand, isReg, 1);
      case Spec.Mw:
        return setMem(operand, isReg, 2);
      case Spec.Md:
        return setMem(operand, isReg, 4);
      case Spec.Mq:
        return setMem(operand, isReg, 8);
      case Spec.Mp:
        return setMem(operand, isReg, opSize + 2);
      case Spec.Ma:
        return setMem(operand, isReg, opSize * 2);
      case Spec.Ob:
      case Spec.Ov: {
        // moffs: an absolute address of the address size, no ModRM.
        insn.memBase = -1;
        insn.memIndex = -1;
        insn.memScale = 0;
        insn.disp = this.immediate(insn.addrSize) | 0;
        insn.memSeg = insn.segOverride >= 0 ? insn.segOverride : X86Seg.DS;
        operand.set(X86OperandKind.Mem, spec === Spec.Ob ? 1 : opSize, 0, 0);
        return true;
      }
      case Spec.Sw:
        // MOV to CS is undefined, and only six segment registers exist.
        if (reg > X86Seg.GS || (insn.op === X86Op.MovToSeg && reg === X86Seg.CS)) return false;
        operand.set(X86OperandKind.SReg, 2, reg, 0);
        return true;
      case Spec.Cd:
        if (!((VALID_CR >> reg) & 1)) return false;
        operand.set(X86OperandKind.CReg, 4, reg, 0);
        return true;
      case Spec.Dd:
        operand.set(X86OperandKind.DReg, 4, reg, 0);
        return true;
      case Spec.Rd:
        // MOV to/from CRn/DRn ignores the mod field: the operand is always a register.
        operand.set(X86OperandKind.Reg, 4, modrm & 7, 0);
        return true;
      case Spec.AL:
        operand.set(X86OperandKind.Reg, 1, X86Reg.EAX, 0);
        return true;
      case Spec.CL:
        operand.set(X86OperandKind.Reg, 1, X86Reg.ECX, 0);
        return true;
      case Spec.DX:
        operand.set(X86OperandKind.Reg, 2, X86Reg.EDX, 0);
        return true;
      case Spec.eAX:
        operand.set(X86OperandKind.Reg, opSize, X86Reg.EAX, 0);
        return true;
      case Spec.Zb:
        operand.set(X86OperandKind.Reg, 1, insn.opcode & 7, 0);
        return true;
      case Spec.Zv:
        operand.set(X86OperandKind.Reg, opSize, insn.opcode & 7, 0);
        return true;
      case Spec.One:
        operand.set(X86OperandKind.Imm, 1, 0, 1);
        return true;
      case Spec.Xb:
      case Spec.Xv:
        operand.set(X86OperandKind.StringSource, spec === Spec.Xb ? 1 : opSize, X86Reg.ESI, 0);
        return true;
      case Spec.Yb:
      case Spec.Yv:
        operand.set(X86OperandKind.StringDest, spec === Spec.Yb ? 1 : opSize, X86Reg.EDI, 0);
        return true;
      case Spec.ES:
      case Spec.CS:
      case Spec.SS:
      case Spec.DS:
      case Spec.FS:
      case Spec.GS:
        operand.set(X86OperandKind.SReg, 2, spec - Spec.ES, 0);
        return true;
      case Spec.Xlat:
        insn.memBase = X86Reg.EBX;
        insn.memIndex = -1;
        insn.memScale = 0;
        insn.disp = 0;
        operand.set(X86OperandKind.Mem, 1, 0, 0);
        return true;
      case Spec.Fpu:
        if (isReg) operand.set(X86OperandKind.StReg, 10, modrm & 7, 0);
        else operand.set(X86OperandKind.Mem, 0, 0, 0);
        return true;
      case Spec.Wsimd:
        if (isReg) operand.set(X86OperandKind.XmmReg, 16, modrm & 7, 0);
        else operand.set(X86OperandKind.Mem, 0, 0, 0);
        return true;
    }
  }
}

/** Which of the instruction's prefixes take effect (see DecodedInsn.usedPrefixes). */
function usedPrefixes(insn: DecodedInsn, entry: OpcodeEntry): number {
  const p = insn.prefixes;
  let used = p & X86Prefix.LOCK;
  const regOnly = entry.flags & EntryFlag.SIZE_SENSITIVE_REG_ONLY;
  const sizeMatters =
    (entry.flags & EntryFlag.SIZE_SENSITIVE && !(regOnly && insn.modrm < 0xc0)) ||
    // 66 90 is XCHG AX,AX in 32-bit code (EAX,EAX in 16-bit code).
    insn.opcode === 0x90;
  if (sizeMatters) used |= p & X86Prefix.OPSIZE;
  const memory = insn.hasMem() || entry.flags & EntryFlag.IMPLICIT_ADDRESS;
  if (memory) used |= p & X86Prefix.ADDRSIZE;
  const stringSource = entry.specs.includes(Spec.Xb) || entry.specs.includes(Spec.Xv);
  if (insn.segOverride >= 0 && (insn.hasMem() || stringSource)) used |= X86Prefix.SEGMENT_USED;
  const op = insn.op;
  const isString = op >= X86Op.Movs && op <= X86Op.Outs;
  if (isString || op === X86Op.Pause) used |= p & (X86Prefix.REPZ | X86Prefix.REPNZ);
  if (op === X86Op.Simd) {
    // The mandatory prefix selects the instruction.
    if (insn.mandatoryPrefix === 0x66) used |= X86Prefix.OPSIZE;
    else used |= p & (X86Prefix.REPZ | X86Prefix.REPNZ);
  }
  return used;
}

function isRegisterOnly(entry: OpcodeEntry): boolean {
  return entry.specs.includes(Spec.Rd);
}

function setRm(
  operand: X86Operand,
  isReg: boolean,
  modrm: number,
  regSize: number,
  memSize: number,
): boolean {
  if (isReg) operand.set(X86OperandKind.Reg, regSize, modrm & 7, 0);
  else operand.set(X86OperandKind.Mem, memSize, 0, 0);
  return true;
}

function setMem(operand: X86Operand, isReg: boolean, size: number): boolean {
  if (isReg) return false;
  operand.set(X86OperandKind.Mem, size, 0, 0);
  return true;
}

function signExtend(value: number, size: number): number {
  return size === 4 ? value | 0 : (value << 16) >> 16;
}

function resetInsn(insn: DecodedInsn, eip: number): void {
  insn.eip = eip;
  insn.length = 0;
  insn.op = X86Op.Invalid;
  insn.opcode = 0;
  insn.modrm = -1;
  insn.cond = 0;
  insn.prefixes = 0;
  insn.segOverride = -1;
  insn.mandatoryPrefix = 0;
  insn.opSize = 4;
  insn.addrSize = 4;
  insn.memSeg = X86Seg.DS;
  insn.memBase = -1;
  insn.memIndex = -1;
  insn.memScale = 0;
  insn.disp = 0;
  insn.numOperands = 0;
  insn.numPrefixBytes = 0;
  insn.usedPrefixes = 0;
}

/** Decodes one instruction with a fresh DecodedInsn (convenient for tools; translators reuse both). */
export function decodeInsn(
  fetch: FetchByte,
  eip: number,
  mode: number,
): { insn: DecodedInsn; status: DecodeStatus } {
  const insn = new DecodedInsn();
  const status = new InsnDecoder().decode(insn, fetch, eip, mode);
  return { insn, status };
}
