/**
 * The decoded form of one i386 instruction.
 *
 * The decoder fills a caller-owned `DecodedInsn` (no allocation per
 * instruction); a translator switches on `op` and reads the operands, which
 * are listed in Intel order (destination first). Everything an operation
 * does implicitly (the stack of PUSH, EDX:EAX of MUL, ESI/EDI of MOVS) is
 * implied by `op` and the sizes, not listed.
 */

/** Operations. One value per architectural operation, not per opcode. */
export enum X86Op {
  Invalid = 0,
  // Arithmetic and logic
  Add,
  Or,
  Adc,
  Sbb,
  And,
  Sub,
  Xor,
  Cmp,
  Test,
  Inc,
  Dec,
  Not,
  Neg,
  /** MUL r/m (one operand: EDX:EAX = EAX * r/m). */
  Mul,
  /** IMUL r/m (one operand, like MUL). */
  Imul1,
  /** IMUL reg, r/m [, imm] (two or three operands; with two, the first is also a source). */
  Imul,
  Div,
  Idiv,
  Rol,
  Ror,
  Rcl,
  Rcr,
  Shl,
  Shr,
  /** Group 2 /6: undocumented alias of SHL (QEMU treats it as SHL). */
  Sal,
  Sar,
  Shld,
  Shrd,
  Daa,
  Das,
  Aaa,
  Aas,
  Aam,
  Aad,
  // Data movement
  Mov,
  MovToSeg,
  MovFromSeg,
  MovToCr,
  MovFromCr,
  MovToDr,
  MovFromDr,
  Movzx,
  Movsx,
  Lea,
  Xchg,
  Xadd,
  Cmpxchg,
  Cmpxchg8b,
  Bswap,
  Cmovcc,
  Setcc,
  Cbw,
  Cwd,
  Lahf,
  Sahf,
  Salc,
  Xlat,
  Les,
  Lds,
  Lss,
  Lfs,
  Lgs,
  // Stack
  Push,
  Pop,
  PushSeg,
  PopSeg,
  Pusha,
  Popa,
  Pushf,
  Popf,
  Enter,
  Leave,
  // Control transfer
  Jmp,
  JmpIndirect,
  JmpFar,
  JmpFarIndirect,
  Call,
  CallIndirect,
  CallFar,
  CallFarIndirect,
  Ret,
  RetFar,
  Iret,
  Jcc,
  Jcxz,
  Loop,
  Loope,
  Loopne,
  Int,
  Int3,
  Into,
  Int1,
  Bound,
  // Strings and I/O
  Movs,
  Cmps,
  Stos,
  Lods,
  Scas,
  Ins,
  Outs,
  In,
  Out,
  // Bits
  Bt,
  Bts,
  Btr,
  Btc,
  Bsf,
  Bsr,
  // Flags and misc
  Nop,
  /** F3 90. */
  Pause,
  Hlt,
  Cmc,
  Clc,
  Stc,
  Cli,
  Sti,
  Cld,
  Std,
  Wait,
  Cpuid,
  Rdtsc,
  Rdmsr,
  Wrmsr,
  Rdpmc,
  Sysenter,
  Sysexit,
  Rsm,
  /** UD2 (0F 0B), UD1 (0F B9) and UD0 (0F FF): always #UD; decoded for their length and name. */
  Ud,
  // System
  Clts,
  Invd,
  Wbinvd,
  Sgdt,
  Sidt,
  Lgdt,
  Lidt,
  Smsw,
  Lmsw,
  Invlpg,
  Sldt,
  Str,
  Lldt,
  Ltr,
  Verr,
  Verw,
  Lar,
  Lsl,
  Arpl,
  /** D8-DF: an x87 instruction; `opcode` and `modrm` say which. */
  X87,
  /** An MMX/SSE/SSE2 instruction of the 0F map; `opcode`, `modrm` and `mandatoryPrefix` say which. */
  Simd,
}

export enum X86OperandKind {
  None = 0,
  /** General register: `reg` 0-7; for size 1, 0-7 are AL CL DL BL AH CH DH BH. */
  Reg,
  /** The instruction's memory operand (see the mem* fields of DecodedInsn). */
  Mem,
  /** Immediate in `value`. */
  Imm,
  /** Branch target: `value` is the target EIP, already masked to the operand size. */
  Rel,
  /** Far pointer: `value` is the offset, `selector` the selector. */
  FarPtr,
  /** Segment register `reg` (X86Seg). */
  SReg,
  /** Control register `reg`. */
  CReg,
  /** Debug register `reg`. */
  DReg,
  /** x87 stack register ST(`reg`). */
  StReg,
  /** MMX register `reg`. */
  MmxReg,
  /** XMM register `reg`. */
  XmmReg,
  /** String source DS:[eSI] (segment `DecodedInsn.memSeg`). */
  StringSource,
  /** String destination ES:[eDI] (never overridden). */
  StringDest,
}

/** Segment registers, in encoding order. */
export enum X86Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

/** General registers, in encoding order. */
export enum X86Reg {
  EAX = 0,
  ECX = 1,
  EDX = 2,
  EBX = 3,
  ESP = 4,
  EBP = 5,
  ESI = 6,
  EDI = 7,
}

/** X86Prefix bits in DecodedInsn.prefixes. */
export const X86Prefix = {
  LOCK: 1,
  /** F3 (REP/REPE), the last of F2/F3 written. */
  REPZ: 2,
  /** F2 (REPNE), the last of F2/F3 written. */
  REPNZ: 4,
  /** 66 seen. */
  OPSIZE: 8,
  /** 67 seen. */
  ADDRSIZE: 16,
  /** In DecodedInsn.usedPrefixes only: the segment override applies to a memory operand. */
  SEGMENT_USED: 32,
} as const;

/** What `decode` reports. */
export enum DecodeStatus {
  Ok = 0,
  /** Undefined opcode or form, or LOCK where it is not allowed: #UD. */
  InvalidOpcode,
  /** The instruction would be longer than 15 bytes: #GP(0). */
  TooLong,
  /** A byte could not be fetched; `DecodedInsn.length` is its offset. */
  FetchFault,
}

export class X86Operand {
  kind: X86OperandKind = X86OperandKind.None;
  /** Size in bytes (1, 2, 4, 6, 8, 10, 16; 0 for `lea`'s and `lgdt`'s unsized memory). */
  size = 0;
  /** Register number for the register kinds. */
  reg = 0;
  /** Immediate, branch target or far-pointer offset (unsigned, within `size`). */
  value = 0;
  /** Far-pointer selector. */
  selector = 0;

  set(kind: X86OperandKind, size: number, reg: number, value: number): void {
    this.kind = kind;
    this.size = size;
    this.reg = reg;
    this.value = value;
    this.selector = 0;
  }
}

export class DecodedInsn {
  /** EIP of the first byte (prefixes included). */
  eip = 0;
  /** Length in bytes. After a FetchFault, the offset of the byte that could not be fetched. */
  length = 0;
  op: X86Op = X86Op.Invalid;
  /** 0x00-0xff: one-byte map; 0x100-0x1ff: the 0F map. */
  opcode = 0;
  /** The ModRM byte, or -1. */
  modrm = -1;
  /** Condition code (0-15) of Jcc, SETcc and CMOVcc. */
  cond = 0;
  /** X86Prefix bits (see X86Prefix). */
  prefixes = 0;
  /** Segment override (X86Seg), or -1. */
  segOverride = -1;
  /** For Simd: the mandatory prefix that selects the instruction (0, 0x66, 0xf2 or 0xf3). */
  mandatoryPrefix = 0;
  /** Operation size in bytes: 1 for byte operations, otherwise 2 or 4 (after any 66 prefix). */
  opSize = 4;
  /** Address size in bytes, 2 or 4 (after any 67 prefix). */
  addrSize = 4;
  /** Segment of the memory operand (and of a string source): the override or the default. */
  memSeg: X86Seg = X86Seg.DS;
  /** Base register of the memory operand, or -1. */
  memBase = -1;
  /** Index register, or -1. */
  memIndex = -1;
  /** Index scale as a shift count (0-3). */
  memScale = 0;
  /** Displacement, sign-extended to 32 bits. */
  disp = 0;
  numOperands = 0;
  /** The prefix bytes in the order they came (for the disassembler). */
  readonly prefixBytes = new Uint8Array(15);
  numPrefixBytes = 0;
  /**
   * Prefixes that take effect (X86Prefix bits, plus SEGMENT_USED): a 66 on a byte
   * operation or a segment override on an instruction without memory does
   * nothing, and the disassembler names such prefixes as objdump does.
   */
  usedPrefixes = 0;
  readonly operands: readonly [X86Operand, X86Operand, X86Operand] = [
    new X86Operand(),
    new X86Operand(),
    new X86Operand(),
  ];

  /** True when the instruction has a memory operand from ModRM (or a moffs/XLAT address). */
  hasMem(): boolean {
    for (let i = 0; i < this.numOperands; i++) {
      if (this.operands[i].kind === X86OperandKind.Mem) return true;
    }
    return false;
  }
}
