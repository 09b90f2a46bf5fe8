import type { HelperInfo } from './helper.js';
import type { IrBlock, Op } from './ir-block.js';
import { Cond, type MemOp, memopSize, Opc } from './opcodes.js';
import type { StateArrayRef, StateLayout } from './state-layout.js';
import { Label, Temp, TempKind, TempType } from './temp.js';

/** An input operand: a temp, or a number taken as a 32-bit constant. */
export type Operand = Temp | number;

export interface IrBuilderOptions {
  /** Words of data per insn_start (guest PC first). Default 1. */
  insnStartWords?: number;
  /** Number of softmmu MMU indexes, to check guest loads/stores. Default 16. */
  nbMmuModes?: number;
}

/**
 * Emits the IR of one TranslationBlock (QEMU's tcg_gen_* API on a TCGContext).
 *
 * A frontend calls `insnStart(pc, ...)` before the IR of each guest instruction, then the
 * op methods. Destinations come first, as in QEMU (`add(dst, a, b)`); any input may be a
 * number, which becomes a constant. The builder checks what it can at once (types, EBB
 * temps read across a label, MMU index range) and throws a plain Error naming the problem.
 */
export class IrBuilder {
  private readonly temps: Temp[];
  private readonly nbGlobals: number;
  private readonly ops: Op[] = [];
  private readonly consts = new Map<number, Temp>();
  private readonly labelsSet: boolean[] = [];
  private readonly labelsUsed: boolean[] = [];
  /** EBB temps defined since the last label: the only ones that may be read now. */
  private ebbLive: Uint8Array = new Uint8Array(64);
  private ebbDefined: number[] = [];
  private nbInsnStarts = 0;
  private readonly insnStartWords: number;
  private readonly nbMmuModes: number;
  private nextTempId = 0;
  private nextLocalId = 0;

  constructor(
    readonly layout: StateLayout,
    options: IrBuilderOptions = {},
  ) {
    this.temps = layout.globals.slice();
    this.nbGlobals = this.temps.length;
    this.insnStartWords = options.insnStartWords ?? 1;
    this.nbMmuModes = options.nbMmuModes ?? 16;
    if (!Number.isInteger(this.insnStartWords) || this.insnStartWords < 1) {
      throw new Error('IrBuilder: insnStartWords must be a positive integer');
    }
  }

  /** Number of ops emitted so far (a frontend may end a TB that grows too large). */
  get numOps(): number {
    return this.ops.length;
  }

  /** Number of insn_start ops emitted so far. */
  get numInsns(): number {
    return this.nbInsnStarts;
  }

  // ---- temps and labels -------------------------------------------------------------

  /** A temp that lives until the next label (QEMU's tcg_temp_new_i32). */
  temp(name?: string): Temp {
    return this.addTemp(TempKind.Ebb, name ?? `tmp${this.nextTempId++}`);
  }

  /** A temp that keeps its value across labels and branches within the TB. */
  localTemp(name?: string): Temp {
    return this.addTemp(TempKind.Tb, name ?? `loc${this.nextLocalId++}`);
  }

  /** The constant `value` (truncated to 32 bits), shared within the TB. */
  const(value: number): Temp {
    const v = value | 0;
    let t = this.consts.get(v);
    if (t === undefined) {
      const name = v < 0 ? `$-0x${(-v).toString(16)}` : `$0x${v.toString(16)}`;
      t = new Temp(this.temps.length, TempKind.Const, TempType.I32, name, v);
      this.temps.push(t);
      this.consts.set(v, t);
    }
    return t;
  }

  newLabel(): Label {
    this.labelsSet.push(false);
    this.labelsUsed.push(false);
    return new Label(this.labelsSet.length - 1);
  }

  setLabel(l: Label): void {
    this.checkLabel(l);
    if (this.labelsSet[l.id]) throw new Error(`IrBuilder: label ${l} set twice`);
    this.labelsSet[l.id] = true;
    for (const i of this.ebbDefined) this.ebbLive[i] = 0;
    this.ebbDefined.length = 0;
    this.emit(Opc.SetLabel, [l.id]);
  }

  // ---- moves and arithmetic ---------------------------------------------------------

  mov(d: Temp, a: Operand): void {
    this.emit(Opc.Mov, [this.out(d), this.in(a)]);
  }
  movi(d: Temp, value: number): void {
    this.mov(d, value);
  }
  add(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Add, d, a, b);
  }
  sub(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Sub, d, a, b);
  }
  mul(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Mul, d, a, b);
  }
  and(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.And, d, a, b);
  }
  or(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Or, d, a, b);
  }
  xor(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Xor, d, a, b);
  }
  /** a & ~b */
  andc(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Andc, d, a, b);
  }
  /** a | ~b */
  orc(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Orc, d, a, b);
  }
  /** ~(a ^ b) */
  eqv(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Eqv, d, a, b);
  }
  nand(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Nand, d, a, b);
  }
  nor(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Nor, d, a, b);
  }
  /** a << (b & 31) */
  shl(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Shl, d, a, b);
  }
  /** a >>> (b & 31) */
  shr(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Shr, d, a, b);
  }
  /** a >> (b & 31) */
  sar(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Sar, d, a, b);
  }
  rotl(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Rotl, d, a, b);
  }
  rotr(d: Temp, a: Operand, b: Operand): void {
    this.bin(Opc.Rotr, d, a, b);
  }
  /** Count leading zeros; `ifZero` when a == 0. */
  clz(d: Temp, a: Operand, ifZero: Operand): void {
    this.bin(Opc.Clz, d, a, ifZero);
  }
  /** Count trailing zeros; `ifZero` when a == 0. */
  ctz(d: Temp, a: Operand, ifZero: Operand): void {
    this.bin(Opc.Ctz, d, a, ifZero);
  }
  neg(d: Temp, a: Operand): void {
    this.un(Opc.Neg, d, a);
  }
  not(d: Temp, a: Operand): void {
    this.un(Opc.Not, d, a);
  }
  ext8s(d: Temp, a: Operand): void {
    this.un(Opc.Ext8s, d, a);
  }
  ext8u(d: Temp, a: Operand): void {
    this.un(Opc.Ext8u, d, a);
  }
  ext16s(d: Temp, a: Operand): void {
    this.un(Opc.Ext16s, d, a);
  }
  ext16u(d: Temp, a: Operand): void {
    this.un(Opc.Ext16u, d, a);
  }
  /** Swap the two low bytes; the result is zero-extended. */
  bswap16(d: Temp, a: Operand): void {
    this.un(Opc.Bswap16, d, a);
  }
  bswap32(d: Temp, a: Operand): void {
    this.un(Opc.Bswap32, d, a);
  }
  ctpop(d: Temp, a: Operand): void {
    this.un(Opc.Ctpop, d, a);
  }

  /** d = a with bits [ofs, ofs+len) replaced by the low `len` bits of b. */
  deposit(d: Temp, a: Operand, b: Operand, ofs: number, len: number): void {
    this.checkField(ofs, len);
    this.emit(Opc.Deposit, [this.out(d), this.in(a), this.in(b), ofs, len]);
  }
  /** d = bits [ofs, ofs+len) of a, zero-extended. */
  extract(d: Temp, a: Operand, ofs: number, len: number): void {
    this.checkField(ofs, len);
    this.emit(Opc.Extract, [this.out(d), this.in(a), ofs, len]);
  }
  /** d = bits [ofs, ofs+len) of a, sign-extended. */
  sextract(d: Temp, a: Operand, ofs: number, len: number): void {
    this.checkField(ofs, len);
    this.emit(Opc.Sextract, [this.out(d), this.in(a), ofs, len]);
  }
  /** d = 32 bits of hi:lo starting at bit ofs (0..31). */
  extract2(d: Temp, lo: Operand, hi: Operand, ofs: number): void {
    if (!Number.isInteger(ofs) || ofs < 0 || ofs > 31) {
      throw new Error(`IrBuilder: extract2 offset ${ofs} is outside 0..31`);
    }
    this.emit(Opc.Extract2, [this.out(d), this.in(lo), this.in(hi), ofs]);
  }

  /** d = cond(a, b) ? 1 : 0 */
  setcond(cond: Cond, d: Temp, a: Operand, b: Operand): void {
    this.emit(Opc.Setcond, [this.out(d), this.in(a), this.in(b), this.cond(cond)]);
  }
  /** d = cond(a, b) ? -1 : 0 */
  negsetcond(cond: Cond, d: Temp, a: Operand, b: Operand): void {
    this.emit(Opc.Negsetcond, [this.out(d), this.in(a), this.in(b), this.cond(cond)]);
  }
  /** d = cond(c1, c2) ? v1 : v2 */
  movcond(cond: Cond, d: Temp, c1: Operand, c2: Operand, v1: Operand, v2: Operand): void {
    const args = [this.out(d), this.in(c1), this.in(c2), this.in(v1), this.in(v2)];
    this.emit(Opc.Movcond, [...args, this.cond(cond)]);
  }

  /** lo:hi = a * b, unsigned 32x32->64. lo and hi must differ. */
  mulu2(lo: Temp, hi: Temp, a: Operand, b: Operand): void {
    this.pair(lo, hi);
    this.emit(Opc.Mulu2, [this.out(lo), this.out(hi), this.in(a), this.in(b)]);
  }
  /** lo:hi = a * b, signed 32x32->64. lo and hi must differ. */
  muls2(lo: Temp, hi: Temp, a: Operand, b: Operand): void {
    this.pair(lo, hi);
    this.emit(Opc.Muls2, [this.out(lo), this.out(hi), this.in(a), this.in(b)]);
  }
  /** lo:hi = al:ah + bl:bh (64-bit add on pairs of halves). */
  add2(lo: Temp, hi: Temp, al: Operand, ah: Operand, bl: Operand, bh: Operand): void {
    this.pair(lo, hi);
    const ins = [this.in(al), this.in(ah), this.in(bl), this.in(bh)];
    this.emit(Opc.Add2, [this.out(lo), this.out(hi), ...ins]);
  }
  /** lo:hi = al:ah - bl:bh */
  sub2(lo: Temp, hi: Temp, al: Operand, ah: Operand, bl: Operand, bh: Operand): void {
    this.pair(lo, hi);
    const ins = [this.in(al), this.in(ah), this.in(bl), this.in(bh)];
    this.emit(Opc.Sub2, [this.out(lo), this.out(hi), ...ins]);
  }

  // ---- control flow -----------------------------------------------------------------

  br(l: Label): void {
    this.useLabel(l);
    this.emit(Opc.Br, [l.id]);
  }
  /** if cond(a, b) goto l */
  brcond(cond: Cond, a: Operand, b: Operand, l: Label): void {
    const ia = this.in(a);
    const ib = this.in(b);
    this.useLabel(l);
    this.emit(Opc.Brcond, [ia, ib, this.cond(cond), l.id]);
  }

  // ---- guest memory and CPU state ---------------------------------------------------

  /** d = guest memory at virtual address `addr`, through the softmmu TLB of `mmuIdx`. */
  qemuLd(d: Temp, addr: Operand, memop: MemOp, mmuIdx: number): void {
    this.checkMem(memop, mmuIdx);
    this.emit(Opc.QemuLd, [this.out(d), this.in(addr), memop, mmuIdx]);
  }
  /** guest memory at virtual address `addr` = low bits of v. */
  qemuSt(v: Operand, addr: Operand, memop: MemOp, mmuIdx: number): void {
    this.checkMem(memop, mmuIdx);
    this.emit(Opc.QemuSt, [this.in(v), this.in(addr), memop, mmuIdx]);
  }
  /** d = state[array][index]: a state field that is not a global. */
  loadState(d: Temp, array: StateArrayRef, index: number): void {
    this.checkState(array, index);
    this.emit(Opc.LdState, [this.out(d), array.id, index]);
  }
  /** state[array][index] = v: a state field that is not a global. */
  storeState(v: Operand, array: StateArrayRef, index: number): void {
    this.checkState(array, index);
    this.emit(Opc.StState, [this.in(v), array.id, index]);
  }

  // ---- helpers ----------------------------------------------------------------------

  /** Call `helper(cpu, ...args)`; its result goes to `ret` (null when it returns nothing). */
  call(helper: HelperInfo, ret: Temp | null, ...args: Operand[]): void {
    if (args.length !== helper.nArgs) {
      throw new Error(
        `IrBuilder: helper ${helper.name} takes ${helper.nArgs} args, got ${args.length}`,
      );
    }
    if ((ret !== null) !== helper.hasReturn) {
      throw new Error(
        `IrBuilder: helper ${helper.name} ${helper.hasReturn ? 'returns a value' : 'returns nothing'}`,
      );
    }
    const ins = args.map((a) => this.in(a));
    const outs = ret === null ? [] : [this.out(ret)];
    this.emit(Opc.Call, [...outs, ...ins], helper);
  }

  // ---- instruction boundaries and TB exits ------------------------------------------

  /**
   * Mark the start of a guest instruction. `data[0]` is its PC; the other words are what
   * the frontend's restoreStateToOpc needs (x86 keeps cc_op there).
   */
  insnStart(...data: number[]): void {
    if (data.length !== this.insnStartWords) {
      throw new Error(
        `IrBuilder: insn_start takes ${this.insnStartWords} words, got ${data.length}`,
      );
    }
    for (const w of data) {
      if (!Number.isFinite(w)) throw new Error('IrBuilder: insn_start data must be numbers');
    }
    this.nbInsnStarts++;
    this.emit(Opc.InsnStart, data.slice());
  }

  /**
   * Direct-jump chaining point for `slot` (0 or 1). If cpu_exec has linked the slot, the
   * TB continues straight into the successor; otherwise execution falls through to the
   * ops that follow, which must set the guest PC and end with `exitTb(slot)`.
   */
  gotoTb(slot: 0 | 1): void {
    this.checkSlot(slot);
    this.emit(Opc.GotoTb, [slot]);
  }

  /**
   * Leave the TB. With a slot (after gotoTb(slot)), cpu_exec links that slot to the TB it
   * finds next; without, it just looks the next TB up (use this after changing anything
   * that TB flags depend on, like CR0).
   */
  exitTb(slot?: 0 | 1): void {
    if (slot !== undefined) this.checkSlot(slot);
    this.emit(Opc.ExitTb, [slot ?? 2]);
  }

  /** Look the TB for the current guest state up and jump to it (indirect jumps). */
  lookupAndGotoPtr(): void {
    this.emit(Opc.LookupAndGotoPtr, []);
  }

  /** The finished IR. The builder must not be used afterwards. */
  finish(): IrBlock {
    for (let i = 0; i < this.labelsUsed.length; i++) {
      if (this.labelsUsed[i] && !this.labelsSet[i]) {
        throw new Error(`IrBuilder: label $L${i} is branched to but never set`);
      }
    }
    return {
      temps: this.temps,
      nbGlobals: this.nbGlobals,
      ops: this.ops,
      nbLabels: this.labelsSet.length,
      insnStartWords: this.insnStartWords,
      nbInsns: this.nbInsnStarts,
    };
  }

  // ---- internals --------------------------------------------------------------------

  private addTemp(kind: TempKind, name: string): Temp {
    const t = new Temp(this.temps.length, kind, TempType.I32, name);
    this.temps.push(t);
    return t;
  }

  private emit(opc: Opc, args: number[], helper: HelperInfo | null = null): void {
    this.ops.push({ opc, args, helper, site: -1 });
  }

  private bin(opc: Opc, d: Temp, a: Operand, b: Operand): void {
    const ia = this.in(a);
    const ib = this.in(b);
    this.emit(opc, [this.out(d), ia, ib]);
  }

  private un(opc: Opc, d: Temp, a: Operand): void {
    const ia = this.in(a);
    this.emit(opc, [this.out(d), ia]);
  }

  private in(a: Operand): number {
    if (typeof a === 'number') {
      if (!Number.isFinite(a)) throw new Error(`IrBuilder: operand ${a} is not a number`);
      return this.const(a).index;
    }
    this.own(a);
    if (a.kind === TempKind.Ebb && this.ebbLive[a.index] !== 1) {
      throw new Error(
        `IrBuilder: ${a.name} is read before it is written in this basic block (EBB temps die at labels)`,
      );
    }
    return a.index;
  }

  private out(d: Temp): number {
    this.own(d);
    if (d.kind === TempKind.Const) throw new Error(`IrBuilder: cannot write constant ${d.name}`);
    if (d.kind === TempKind.Ebb) {
      if (d.index >= this.ebbLive.length) {
        const grown = new Uint8Array(Math.max(d.index + 1, this.ebbLive.length * 2));
        grown.set(this.ebbLive);
        this.ebbLive = grown;
      }
      if (this.ebbLive[d.index] !== 1) {
        this.ebbLive[d.index] = 1;
        this.ebbDefined.push(d.index);
      }
    }
    return d.index;
  }

  private own(t: Temp): void {
    if (this.temps[t.index] !== t) {
      throw new Error(`IrBuilder: ${t.name} belongs to another TB or layout`);
    }
    if (t.type !== TempType.I32) throw new Error('IrBuilder: i64 temps are not supported yet');
  }

  private pair(lo: Temp, hi: Temp): void {
    if (lo === hi) throw new Error('IrBuilder: the two outputs of a double-word op must differ');
  }

  private cond(c: Cond): number {
    if (!(c in Cond)) throw new Error(`IrBuilder: unknown condition ${c}`);
    return c;
  }

  private useLabel(l: Label): void {
    this.checkLabel(l);
    this.labelsUsed[l.id] = true;
  }

  private checkLabel(l: Label): void {
    if (!(l instanceof Label) || l.id >= this.labelsSet.length) {
      throw new Error('IrBuilder: label from another builder');
    }
  }

  private checkField(ofs: number, len: number): void {
    if (!Number.isInteger(ofs) || !Number.isInteger(len) || ofs < 0 || len < 1 || ofs + len > 32) {
      throw new Error(`IrBuilder: bit field ofs=${ofs} len=${len} does not fit in 32 bits`);
    }
  }

  private checkMem(memop: MemOp, mmuIdx: number): void {
    memopSize(memop);
    if (!Number.isInteger(mmuIdx) || mmuIdx < 0 || mmuIdx >= this.nbMmuModes) {
      throw new Error(`IrBuilder: MMU index ${mmuIdx} is outside 0..${this.nbMmuModes - 1}`);
    }
  }

  private checkState(array: StateArrayRef, index: number): void {
    if (this.layout.arrays[array.id] !== array) {
      throw new Error(`IrBuilder: state array '${array.name}' is not in this layout`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= array.length) {
      throw new Error(`IrBuilder: index ${index} is outside state array '${array.name}'`);
    }
    if (this.layout.isGlobalSlot(array, index)) {
      throw new Error(`IrBuilder: ${array.name}[${index}] is a global: use the global temp`);
    }
  }

  private checkSlot(slot: number): void {
    if (slot !== 0 && slot !== 1) throw new Error(`IrBuilder: goto_tb slot ${slot} is not 0 or 1`);
  }
}
