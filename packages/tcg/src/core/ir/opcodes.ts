/**
 * The IR's opcodes and their operand layout (QEMU's tcg-opc.h).
 *
 * Every op stores its operands in `args`: outputs first, then inputs (both temp indexes),
 * then constant arguments (a condition, a bit offset, a MemOp, a label id...).
 * All value ops are 32-bit for now; their printed names carry `_i32` as in QEMU.
 *
 * The numbers are fixed: the IR interpreter switches on them as literals (V8 turns only a
 * switch over literal small integers into a jump table). Add new opcodes at the end.
 */
export enum Opc {
  Nop = 0,
  Mov = 1,
  Add = 2,
  Sub = 3,
  Mul = 4,
  And = 5,
  Or = 6,
  Xor = 7,
  Andc = 8,
  Orc = 9,
  Eqv = 10,
  Nand = 11,
  Nor = 12,
  Shl = 13,
  Shr = 14,
  Sar = 15,
  Rotl = 16,
  Rotr = 17,
  Neg = 18,
  Not = 19,
  Ext8s = 20,
  Ext8u = 21,
  Ext16s = 22,
  Ext16u = 23,
  Bswap16 = 24,
  Bswap32 = 25,
  Clz = 26,
  Ctz = 27,
  Ctpop = 28,
  Deposit = 29,
  Extract = 30,
  Sextract = 31,
  Extract2 = 32,
  Setcond = 33,
  Negsetcond = 34,
  Movcond = 35,
  Mulu2 = 36,
  Muls2 = 37,
  Add2 = 38,
  Sub2 = 39,
  Brcond = 40,
  Br = 41,
  SetLabel = 42,
  QemuLd = 43,
  QemuSt = 44,
  LdState = 45,
  StState = 46,
  Call = 47,
  InsnStart = 48,
  GotoTb = 49,
  ExitTb = 50,
  LookupAndGotoPtr = 51,
}

/** Op flags. */
export const OPF_BB_END = 1; // ends a basic block (branch, exit)
export const OPF_SIDE_EFFECTS = 2; // never removed even if its outputs are dead
export const OPF_CAN_FAULT = 4; // may raise a guest exception: all globals must be exact
export const OPF_EXIT = 8; // leaves the TB

export interface OpDef {
  readonly name: string;
  readonly nOut: number;
  readonly nIn: number;
  readonly nConst: number;
  readonly flags: number;
}

function def(name: string, nOut: number, nIn: number, nConst = 0, flags = 0): OpDef {
  return Object.freeze({ name, nOut, nIn, nConst, flags });
}

/** Operand layout per opcode. Call and InsnStart have variable operand counts. */
export const OPDEFS: readonly OpDef[] = Object.freeze([
  def('nop', 0, 0),
  def('mov_i32', 1, 1),
  def('add_i32', 1, 2),
  def('sub_i32', 1, 2),
  def('mul_i32', 1, 2),
  def('and_i32', 1, 2),
  def('or_i32', 1, 2),
  def('xor_i32', 1, 2),
  def('andc_i32', 1, 2),
  def('orc_i32', 1, 2),
  def('eqv_i32', 1, 2),
  def('nand_i32', 1, 2),
  def('nor_i32', 1, 2),
  def('shl_i32', 1, 2),
  def('shr_i32', 1, 2),
  def('sar_i32', 1, 2),
  def('rotl_i32', 1, 2),
  def('rotr_i32', 1, 2),
  def('neg_i32', 1, 1),
  def('not_i32', 1, 1),
  def('ext8s_i32', 1, 1),
  def('ext8u_i32', 1, 1),
  def('ext16s_i32', 1, 1),
  def('ext16u_i32', 1, 1),
  def('bswap16_i32', 1, 1),
  def('bswap32_i32', 1, 1),
  def('clz_i32', 1, 2),
  def('ctz_i32', 1, 2),
  def('ctpop_i32', 1, 1),
  def('deposit_i32', 1, 2, 2),
  def('extract_i32', 1, 1, 2),
  def('sextract_i32', 1, 1, 2),
  def('extract2_i32', 1, 2, 1),
  def('setcond_i32', 1, 2, 1),
  def('negsetcond_i32', 1, 2, 1),
  def('movcond_i32', 1, 4, 1),
  def('mulu2_i32', 2, 2),
  def('muls2_i32', 2, 2),
  def('add2_i32', 2, 4),
  def('sub2_i32', 2, 4),
  def('brcond_i32', 0, 2, 2, OPF_BB_END),
  def('br', 0, 0, 1, OPF_BB_END),
  def('set_label', 0, 0, 1, OPF_BB_END),
  def('qemu_ld_i32', 1, 1, 2, OPF_SIDE_EFFECTS | OPF_CAN_FAULT),
  def('qemu_st_i32', 0, 2, 2, OPF_SIDE_EFFECTS | OPF_CAN_FAULT),
  def('ld_state_i32', 1, 0, 2),
  def('st_state_i32', 0, 1, 2, OPF_SIDE_EFFECTS),
  def('call', 0, 0, 0, OPF_SIDE_EFFECTS),
  def('insn_start', 0, 0, 0, OPF_SIDE_EFFECTS),
  def('goto_tb', 0, 0, 1, OPF_SIDE_EFFECTS | OPF_EXIT),
  def('exit_tb', 0, 0, 1, OPF_BB_END | OPF_SIDE_EFFECTS | OPF_EXIT),
  def('lookup_and_goto_ptr', 0, 0, 0, OPF_BB_END | OPF_SIDE_EFFECTS | OPF_EXIT),
]);

/**
 * Comparison conditions (QEMU's TCGCond). `Tsteq`/`Tstne` test `(a & b) == 0` / `!= 0`,
 * which is what an x86 `test` followed by `jz`/`jnz` needs. Fixed numbers, as for Opc.
 */
export enum Cond {
  Never = 0,
  Always = 1,
  Eq = 2,
  Ne = 3,
  Lt = 4,
  Ge = 5,
  Le = 6,
  Gt = 7,
  Ltu = 8,
  Geu = 9,
  Leu = 10,
  Gtu = 11,
  Tsteq = 12,
  Tstne = 13,
}

export const COND_NAMES: readonly string[] = Object.freeze([
  'never',
  'always',
  'eq',
  'ne',
  'lt',
  'ge',
  'le',
  'gt',
  'ltu',
  'geu',
  'leu',
  'gtu',
  'tsteq',
  'tstne',
]);

/** The condition that is true exactly when `c` is false. */
export function invertCond(c: Cond): Cond {
  switch (c) {
    case Cond.Never:
      return Cond.Always;
    case Cond.Always:
      return Cond.Never;
    case Cond.Eq:
      return Cond.Ne;
    case Cond.Ne:
      return Cond.Eq;
    case Cond.Lt:
      return Cond.Ge;
    case Cond.Ge:
      return Cond.Lt;
    case Cond.Le:
      return Cond.Gt;
    case Cond.Gt:
      return Cond.Le;
    case Cond.Ltu:
      return Cond.Geu;
    case Cond.Geu:
      return Cond.Ltu;
    case Cond.Leu:
      return Cond.Gtu;
    case Cond.Gtu:
      return Cond.Leu;
    case Cond.Tsteq:
      return Cond.Tstne;
    case Cond.Tstne:
      return Cond.Tsteq;
  }
}

/**
 * A guest memory access descriptor (QEMU's MemOp): size in bits 0-1 (log2 bytes),
 * MO_SIGN to sign-extend a load, MO_ALIGN to raise the frontend's unaligned-access fault
 * instead of performing an unaligned access. Always little-endian for now.
 */
export const MO_8 = 0;
export const MO_16 = 1;
export const MO_32 = 2;
export const MO_SIZE = 3;
export const MO_SIGN = 4;
export const MO_ALIGN = 16;

export const MO_UB = MO_8;
export const MO_SB = MO_8 | MO_SIGN;
export const MO_UW = MO_16;
export const MO_SW = MO_16 | MO_SIGN;
export const MO_UL = MO_32;
export const MO_SL = MO_32 | MO_SIGN;

export type MemOp = number;

export function memopSize(memop: MemOp): 1 | 2 | 4 {
  const s = memop & MO_SIZE;
  if (s > MO_32) throw new Error(`MemOp size ${1 << s} bytes is not supported yet`);
  return (1 << s) as 1 | 2 | 4;
}

export function memopName(memop: MemOp): string {
  const size = ['b', 'w', 'l', 'q'][memop & MO_SIZE];
  const sign = memop & MO_SIGN ? 's' : 'u';
  return `le${sign}${size}${memop & MO_ALIGN ? '+al' : ''}`;
}

/** TB exit codes written to ctl[CTL_TB_EXIT] when a TB returns null. */
export const TB_EXIT_SLOT0 = 0;
export const TB_EXIT_SLOT1 = 1;
/** Plain `exit_tb`: return to cpu_exec, which looks the next TB up without chaining. */
export const TB_EXIT_NOCHAIN = 2;
/** The TB stopped because of an exit request or the chain budget. */
export const TB_EXIT_REQUESTED = 3;
/** The TB did not run: not enough icount budget left for all its instructions. */
export const TB_EXIT_ICOUNT_EXPIRED = 4;
