import {
  CTL_CHAIN_BUDGET,
  CTL_EXIT_FLAG,
  CTL_FAULT_SITE,
  CTL_ICOUNT,
  CTL_TB_EXIT,
} from '../exec/cpu-state.js';
import type { TbFunction, TranslationBlock } from '../exec/translation-block.js';
import { effectCovers, type HelperInfo } from '../ir/helper.js';
import { type FinalizedIr, operandCounts } from '../ir/ir-block.js';
import { MO_SIGN, MO_SIZE, OPDEFS, Opc, TB_EXIT_ICOUNT_EXPIRED } from '../ir/opcodes.js';
import {
  add2hi,
  bswap32,
  ctpop,
  deposit,
  extract,
  extract2,
  muls2hi,
  mulu2hi,
  sextract,
  sub2hi,
} from '../ir/semantics.js';
import { TempKind } from '../ir/temp.js';
import { PAGE_MASK, type SoftTlb } from '../softmmu/tlb.js';
import type { ExecBindings } from './exec-bindings.js';

/**
 * Words per decoded op in `InterpProgram.code`: the opcode, then up to seven operands
 * (frame slots, constants, a resolved branch target, a call's index, a fault site).
 */
const STRIDE = 8;

/** Decoded only: the end of the code, where well-formed IR never arrives. */
const FELL_OFF = 255;

/**
 * Decoded only: guest loads and stores by size and sign, with the TLB hit path inline (as
 * the JS backend inlines it). Code words: value, address, memop, MMU index, fault site,
 * the MMU index's first TLB entry, and the tag mask (page and alignment bits). The run
 * loop spells these as literals too: a single case label that is not a literal makes V8
 * compile the whole switch to a chain of comparisons.
 */
const LD_U8 = 60;
const LD_S8 = 61;
const LD_U16 = 62;
const LD_S16 = 63;
const LD_32 = 64;
const ST_8 = 65;
const ST_16 = 66;
const ST_32 = 67;

/** What a `call` op needs beyond its code words. */
interface CallSite {
  readonly helper: HelperInfo;
  /** Frame slots of the arguments. */
  readonly args: Int32Array;
  /** Frame slot of the result, or -1. */
  readonly ret: number;
  /** Globals written to the state arrays before the call (it reads or writes them). */
  readonly before: Int32Array;
  /** Globals read back after the call (it may have written them). */
  readonly after: Int32Array;
}

/** A TB's IR laid out for the interpreter (see {@link IrInterpreter.prepare}). */
export interface InterpProgram {
  /** STRIDE words per op. InsnStart, Nop and SetLabel are gone; branches hold op indexes. */
  readonly code: Int32Array;
  /**
   * Globals (slot = global index, cached here while the TB runs), then temps and
   * constants (constants are filled once and never written).
   */
  readonly frame: Int32Array;
  readonly calls: readonly CallSite[];
  /** Globals loaded into the frame when the TB starts. */
  readonly used: Int32Array;
  /** Globals written back when the TB leaves. */
  readonly written: Int32Array;
  /** Per fault site: the globals to write back when a guest exception unwinds from it. */
  readonly siteWriteBack: readonly Int32Array[];
  readonly icount: number;
}

/**
 * The IR interpreter (QEMU's TCI): runs a TB's IR without generating code. It is the
 * reference the JS backend is tested against, the backend for hosts that forbid eval, and
 * the first tier of the tiered backend, where it runs the code that executes only a few
 * hundred times (most of a boot): decoding is cheap and running is a few nanoseconds per op.
 *
 * It follows the same TB protocol as generated code (chaining slots, self-loops, exit
 * codes, fault sites, cpu.currentTb) and the same handling of globals: the TB's globals are
 * copied into the frame when it starts and written back when it leaves, before a helper
 * that reads or writes them, and when a guest exception unwinds.
 */
export class IrInterpreter {
  private readonly gArr: Int32Array[];
  private readonly gIdx: Int32Array;
  /** TB executions so far (each run of a TB function, self-loops not counted). */
  executions = 0;

  /**
   * @param hotThreshold The tiered backend's threshold: a self-loop iteration counts as a
   *   run of its TB (`tb.execCount`), and once the count reaches this the loop returns to
   *   the trampoline, whose next call of the TB compiles it. Without that, a loop that
   *   spins inside one interpreted run (a decompressor, a memset, a delay loop) would never
   *   get compiled however long it ran. Infinity for the interpreter-only backend.
   */
  constructor(
    private readonly env: ExecBindings,
    private readonly icount = false,
    private readonly hotThreshold = Number.POSITIVE_INFINITY,
  ) {
    const globals = env.cpu.layout.globals;
    this.gArr = globals.map((g) => env.cpu.state[g.stateArray]);
    this.gIdx = Int32Array.from(globals.map((g) => g.stateIndex));
  }

  /** A TB function that interprets `ir`. */
  compile(ir: FinalizedIr, tb: TranslationBlock): TbFunction {
    const prog = decode(ir, this.env.cpu.tlb);
    return () => this.run(prog, tb);
  }

  /** Lay `ir` out for {@link run} (what `compile` does before it makes the TB function). */
  prepare(ir: FinalizedIr): InterpProgram {
    return decode(ir, this.env.cpu.tlb);
  }

  /** Run the TB `tb` whose IR `prog` is: what its TB function does. */
  run(prog: InterpProgram, tb: TranslationBlock): TranslationBlock | null {
    const cpu = this.env.cpu;
    const ctl = cpu.ctl;
    const tlb = cpu.tlb;
    const RT = tlb.readTag;
    const WT = tlb.writeTag;
    const AD = tlb.addend;
    const fast = tlb.fastRam;
    const tlbMask = tlb.size - 1;
    const F = prog.frame;
    const code = prog.code;
    this.executions++;
    this.loadGlobals(prog.used, F);
    try {
      restart: for (;;) {
        if (this.icount) {
          ctl[CTL_ICOUNT] -= prog.icount;
          if (ctl[CTL_ICOUNT] < 0) {
            ctl[CTL_ICOUNT] += prog.icount;
            // After a self-loop iteration the frame holds newer values than the state.
            this.storeGlobals(prog.written, F);
            ctl[CTL_TB_EXIT] = TB_EXIT_ICOUNT_EXPIRED;
            return null;
          }
        }
        let p = 0;
        for (;;) {
          const opc = code[p];
          // Literal cases: see the note on Opc (opcodes.ts).
          switch (opc) {
            case 1: // Opc.Mov
              F[code[p + 1]] = F[code[p + 2]];
              break;
            case 2: // Opc.Add
              F[code[p + 1]] = (F[code[p + 2]] + F[code[p + 3]]) | 0;
              break;
            case 3: // Opc.Sub
              F[code[p + 1]] = (F[code[p + 2]] - F[code[p + 3]]) | 0;
              break;
            case 4: // Opc.Mul
              F[code[p + 1]] = Math.imul(F[code[p + 2]], F[code[p + 3]]);
              break;
            case 5: // Opc.And
              F[code[p + 1]] = F[code[p + 2]] & F[code[p + 3]];
              break;
            case 6: // Opc.Or
              F[code[p + 1]] = F[code[p + 2]] | F[code[p + 3]];
              break;
            case 7: // Opc.Xor
              F[code[p + 1]] = F[code[p + 2]] ^ F[code[p + 3]];
              break;
            case 8: // Opc.Andc
              F[code[p + 1]] = F[code[p + 2]] & ~F[code[p + 3]];
              break;
            case 9: // Opc.Orc
              F[code[p + 1]] = F[code[p + 2]] | ~F[code[p + 3]];
              break;
            case 10: // Opc.Eqv
              F[code[p + 1]] = ~(F[code[p + 2]] ^ F[code[p + 3]]);
              break;
            case 11: // Opc.Nand
              F[code[p + 1]] = ~(F[code[p + 2]] & F[code[p + 3]]);
              break;
            case 12: // Opc.Nor
              F[code[p + 1]] = ~(F[code[p + 2]] | F[code[p + 3]]);
              break;
            case 13: // Opc.Shl
              F[code[p + 1]] = F[code[p + 2]] << F[code[p + 3]];
              break;
            case 14: // Opc.Shr
              F[code[p + 1]] = F[code[p + 2]] >>> F[code[p + 3]];
              break;
            case 15: // Opc.Sar
              F[code[p + 1]] = F[code[p + 2]] >> F[code[p + 3]];
              break;
            case 16: {
              // Opc.Rotl
              const a = F[code[p + 2]];
              const n = F[code[p + 3]];
              F[code[p + 1]] = (a << n) | (a >>> -n);
              break;
            }
            case 17: {
              // Opc.Rotr
              const a = F[code[p + 2]];
              const n = F[code[p + 3]];
              F[code[p + 1]] = (a >>> n) | (a << -n);
              break;
            }
            case 18: // Opc.Neg
              F[code[p + 1]] = -F[code[p + 2]] | 0;
              break;
            case 19: // Opc.Not
              F[code[p + 1]] = ~F[code[p + 2]];
              break;
            case 20: // Opc.Ext8s
              F[code[p + 1]] = (F[code[p + 2]] << 24) >> 24;
              break;
            case 21: // Opc.Ext8u
              F[code[p + 1]] = F[code[p + 2]] & 0xff;
              break;
            case 22: // Opc.Ext16s
              F[code[p + 1]] = (F[code[p + 2]] << 16) >> 16;
              break;
            case 23: // Opc.Ext16u
              F[code[p + 1]] = F[code[p + 2]] & 0xffff;
              break;
            case 24: {
              // Opc.Bswap16
              const a = F[code[p + 2]];
              F[code[p + 1]] = ((a & 0xff) << 8) | ((a >>> 8) & 0xff);
              break;
            }
            case 25: // Opc.Bswap32
              F[code[p + 1]] = bswap32(F[code[p + 2]]);
              break;
            case 26: {
              // Opc.Clz
              const a = F[code[p + 2]];
              F[code[p + 1]] = a === 0 ? F[code[p + 3]] : Math.clz32(a);
              break;
            }
            case 27: {
              // Opc.Ctz
              const a = F[code[p + 2]];
              F[code[p + 1]] = a === 0 ? F[code[p + 3]] : 31 - Math.clz32(a & -a);
              break;
            }
            case 28: // Opc.Ctpop
              F[code[p + 1]] = ctpop(F[code[p + 2]]);
              break;
            case 29: // Opc.Deposit
              F[code[p + 1]] = deposit(F[code[p + 2]], F[code[p + 3]], code[p + 4], code[p + 5]);
              break;
            case 30: // Opc.Extract
              F[code[p + 1]] = extract(F[code[p + 2]], code[p + 3], code[p + 4]);
              break;
            case 31: // Opc.Sextract
              F[code[p + 1]] = sextract(F[code[p + 2]], code[p + 3], code[p + 4]);
              break;
            case 32: // Opc.Extract2
              F[code[p + 1]] = extract2(F[code[p + 2]], F[code[p + 3]], code[p + 4]);
              break;
            case 33: // Opc.Setcond
              F[code[p + 1]] = test(code[p + 4], F[code[p + 2]], F[code[p + 3]]) ? 1 : 0;
              break;
            case 34: // Opc.Negsetcond
              F[code[p + 1]] = test(code[p + 4], F[code[p + 2]], F[code[p + 3]]) ? -1 : 0;
              break;
            case 35: // Opc.Movcond
              F[code[p + 1]] = test(code[p + 6], F[code[p + 2]], F[code[p + 3]])
                ? F[code[p + 4]]
                : F[code[p + 5]];
              break;
            case 36: {
              // Opc.Mulu2
              const x = F[code[p + 3]];
              const y = F[code[p + 4]];
              const hi = mulu2hi(x, y);
              F[code[p + 1]] = Math.imul(x, y);
              F[code[p + 2]] = hi;
              break;
            }
            case 37: {
              // Opc.Muls2
              const x = F[code[p + 3]];
              const y = F[code[p + 4]];
              const hi = muls2hi(x, y);
              F[code[p + 1]] = Math.imul(x, y);
              F[code[p + 2]] = hi;
              break;
            }
            case 38: {
              // Opc.Add2
              const al = F[code[p + 3]];
              const bl = F[code[p + 5]];
              F[code[p + 2]] = add2hi(al, F[code[p + 4]], bl, F[code[p + 6]]);
              F[code[p + 1]] = (al + bl) | 0;
              break;
            }
            case 39: {
              // Opc.Sub2
              const al = F[code[p + 3]];
              const bl = F[code[p + 5]];
              F[code[p + 2]] = sub2hi(al, F[code[p + 4]], bl, F[code[p + 6]]);
              F[code[p + 1]] = (al - bl) | 0;
              break;
            }
            case 40: // Opc.Brcond
              if (test(code[p + 3], F[code[p + 1]], F[code[p + 2]])) {
                p = code[p + 4];
                continue;
              }
              break;
            case 41: // Opc.Br
              p = code[p + 1];
              continue;
            case 43: // Opc.QemuLd
              ctl[CTL_FAULT_SITE] = code[p + 5];
              cpu.currentTb = tb;
              F[code[p + 1]] = tlb.load(F[code[p + 2]], code[p + 3], code[p + 4]);
              break;
            case 44: // Opc.QemuSt
              ctl[CTL_FAULT_SITE] = code[p + 5];
              cpu.currentTb = tb;
              tlb.store(F[code[p + 2]], F[code[p + 1]], code[p + 3], code[p + 4]);
              break;
            case 60: // LD_U8
            case 61: // LD_S8
            case 62: // LD_U16
            case 63: // LD_S16
            case 64: {
              // LD_32 and the loads above
              const a = F[code[p + 2]];
              const i = ((a >>> 12) & tlbMask) + code[p + 6];
              if ((a & code[p + 7]) === RT[i] && fast !== null) {
                const h = (a + AD[i]) | 0;
                F[code[p + 1]] =
                  opc === LD_32
                    ? fast.i32![h >> 2]
                    : opc === LD_U8
                      ? fast.u8[h]
                      : opc === LD_U16
                        ? fast.u16![h >> 1]
                        : opc === LD_S8
                          ? fast.i8[h]
                          : fast.i16![h >> 1];
              } else {
                ctl[CTL_FAULT_SITE] = code[p + 5];
                cpu.currentTb = tb;
                F[code[p + 1]] = tlb.loadSlow(a, code[p + 3], code[p + 4]);
              }
              break;
            }
            case 65: // ST_8
            case 66: // ST_16
            case 67: {
              // ST_32 and the stores above
              const a = F[code[p + 2]];
              const i = ((a >>> 12) & tlbMask) + code[p + 6];
              if ((a & code[p + 7]) === WT[i] && fast !== null) {
                const h = (a + AD[i]) | 0;
                if (opc === ST_32) fast.i32![h >> 2] = F[code[p + 1]];
                else if (opc === ST_8) fast.u8[h] = F[code[p + 1]];
                else fast.u16![h >> 1] = F[code[p + 1]];
              } else {
                ctl[CTL_FAULT_SITE] = code[p + 5];
                cpu.currentTb = tb;
                tlb.storeSlow(a, F[code[p + 1]], code[p + 3], code[p + 4]);
              }
              break;
            }
            case 45: // Opc.LdState
              F[code[p + 1]] = cpu.state[code[p + 2]][code[p + 3]];
              break;
            case 46: // Opc.StState
              cpu.state[code[p + 2]][code[p + 3]] = F[code[p + 1]];
              break;
            case 47: // Opc.Call
              this.call(prog.calls[code[p + 1]], code, p, F, tb);
              break;
            case 49: {
              // Opc.GotoTb
              const nx = tb.jmpDest[code[p + 1]];
              if (nx !== null) {
                if (
                  nx === tb &&
                  ++tb.execCount < this.hotThreshold &&
                  --ctl[CTL_CHAIN_BUDGET] > 0 &&
                  ctl[CTL_EXIT_FLAG] === 0
                )
                  continue restart;
                this.storeGlobals(prog.written, F);
                return nx;
              }
              break;
            }
            case 50: // Opc.ExitTb
              this.storeGlobals(prog.written, F);
              ctl[CTL_TB_EXIT] = code[p + 1];
              return null;
            case 51: {
              // Opc.LookupAndGotoPtr
              this.storeGlobals(prog.written, F);
              const nx = this.env.lookupTbPtr();
              if (
                nx === tb &&
                ++tb.execCount < this.hotThreshold &&
                --ctl[CTL_CHAIN_BUDGET] > 0 &&
                ctl[CTL_EXIT_FLAG] === 0
              )
                continue restart;
              return nx;
            }
            default:
              throw new Error(
                opc === FELL_OFF
                  ? `IrInterpreter: ${tb} fell off the end of its IR`
                  : `IrInterpreter: no rule for ${OPDEFS[opc].name}`,
              );
          }
          p += STRIDE;
        }
      }
    } catch (e) {
      // A guest exception: make the globals exact (but for what the helper that raised has
      // written itself), then let cpu_exec restore the guest PC.
      const site = ctl[CTL_FAULT_SITE];
      const list =
        site >= 0 && site < prog.siteWriteBack.length ? prog.siteWriteBack[site] : prog.written;
      this.storeGlobals(list, F);
      throw e;
    }
  }

  /**
   * A `call` op: code words are the call's index, its fault site, then up to five argument
   * slots (helpers with more go through `site.args`).
   */
  private call(
    site: CallSite,
    code: Int32Array,
    p: number,
    F: Int32Array,
    tb: TranslationBlock,
  ): void {
    const cpu = this.env.cpu;
    if (site.before.length !== 0) this.storeGlobals(site.before, F);
    const faultSite = code[p + 2];
    if (faultSite >= 0) {
      cpu.ctl[CTL_FAULT_SITE] = faultSite;
      cpu.currentTb = tb;
    }
    const f = site.helper.fn;
    let r: unknown;
    switch (site.args.length) {
      case 0:
        r = f(cpu);
        break;
      case 1:
        r = f(cpu, F[code[p + 3]]);
        break;
      case 2:
        r = f(cpu, F[code[p + 3]], F[code[p + 4]]);
        break;
      case 3:
        r = f(cpu, F[code[p + 3]], F[code[p + 4]], F[code[p + 5]]);
        break;
      case 4:
        r = f(cpu, F[code[p + 3]], F[code[p + 4]], F[code[p + 5]], F[code[p + 6]]);
        break;
      case 5:
        r = f(cpu, F[code[p + 3]], F[code[p + 4]], F[code[p + 5]], F[code[p + 6]], F[code[p + 7]]);
        break;
      default:
        r = f(cpu, ...Array.from(site.args, (slot) => F[slot]));
    }
    if (site.after.length !== 0) this.loadGlobals(site.after, F);
    if (site.ret >= 0) F[site.ret] = (r as number) | 0;
  }

  private loadGlobals(list: Int32Array, F: Int32Array): void {
    const GA = this.gArr;
    const GI = this.gIdx;
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      F[g] = GA[g][GI[g]];
    }
  }

  private storeGlobals(list: Int32Array, F: Int32Array): void {
    const GA = this.gArr;
    const GI = this.gIdx;
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      GA[g][GI[g]] = F[g];
    }
  }
}

/** cond(a, b), with the conditions as literals (see Opc and Cond in opcodes.ts). */
function test(cond: number, a: number, b: number): boolean {
  switch (cond) {
    case 0: // Cond.Never
      return false;
    case 1: // Cond.Always
      return true;
    case 2: // Cond.Eq
      return a === b;
    case 3: // Cond.Ne
      return a !== b;
    case 4: // Cond.Lt
      return a < b;
    case 5: // Cond.Ge
      return a >= b;
    case 6: // Cond.Le
      return a <= b;
    case 7: // Cond.Gt
      return a > b;
    case 8: // Cond.Ltu
      return a >>> 0 < b >>> 0;
    case 9: // Cond.Geu
      return a >>> 0 >= b >>> 0;
    case 10: // Cond.Leu
      return a >>> 0 <= b >>> 0;
    case 11: // Cond.Gtu
      return a >>> 0 > b >>> 0;
    case 12: // Cond.Tsteq
      return (a & b) === 0;
    case 13: // Cond.Tstne
      return (a & b) !== 0;
    default:
      throw new Error(`IrInterpreter: condition ${cond}`);
  }
}

/** Lay a TB's IR out for `IrInterpreter.run`. */
function decode(ir: FinalizedIr, tlb: SoftTlb): InterpProgram {
  // The inline hit path reads the fast RAM block through aligned views; without them (no
  // block yet, or one at an odd offset) every access goes through the TLB's own path.
  const inline = tlb.fastRam?.i32 != null;
  const G = ir.nbGlobals;
  const frame = new Int32Array(Math.max(ir.temps.length, 1));
  for (const t of ir.temps) if (t.kind === TempKind.Const) frame[t.index] = t.value;

  // Globals read or written, and written.
  const used = new Uint8Array(G);
  const written = new Uint8Array(G);
  for (const op of ir.ops) {
    const [nOut, nIn] = operandCounts(op);
    for (let i = 0; i < nOut + nIn; i++) {
      const t = op.args[i];
      if (t < G) {
        used[t] = 1;
        if (i < nOut) written[t] = 1;
      }
    }
  }
  const globalsWhere = (pred: (g: number) => boolean): Int32Array => {
    const list: number[] = [];
    for (let g = 0; g < G; g++) if (pred(g)) list.push(g);
    return Int32Array.from(list);
  };
  const writtenList = globalsWhere((g) => written[g] === 1);

  // Ops that run, and where each label lands among them.
  const kept = ir.ops.filter(
    (op) => op.opc !== Opc.InsnStart && op.opc !== Opc.Nop && op.opc !== Opc.SetLabel,
  );
  const labelAt = new Int32Array(ir.nbLabels).fill(-1);
  let n = 0;
  for (const op of ir.ops) {
    if (op.opc === Opc.SetLabel) labelAt[op.args[0]] = n * STRIDE;
    else if (op.opc !== Opc.InsnStart && op.opc !== Opc.Nop) n++;
  }

  const code = new Int32Array((kept.length + 1) * STRIDE);
  const calls: CallSite[] = [];
  kept.forEach((op, k) => {
    const p = k * STRIDE;
    const a = op.args;
    code[p] = op.opc;
    switch (op.opc) {
      case Opc.Br:
        code[p + 1] = labelAt[a[0]];
        break;
      case Opc.Brcond:
        code.set([a[0], a[1], a[2], labelAt[a[3]]], p + 1);
        break;
      case Opc.QemuLd:
      case Opc.QemuSt: {
        const memop = a[2];
        const size = memop & MO_SIZE;
        if (inline) {
          const sign = (memop & MO_SIGN) !== 0;
          code[p] =
            op.opc === Opc.QemuSt
              ? [ST_8, ST_16, ST_32, ST_32][size]
              : size === 0
                ? sign
                  ? LD_S8
                  : LD_U8
                : size === 1
                  ? sign
                    ? LD_S16
                    : LD_U16
                  : LD_32;
        }
        const tagMask = PAGE_MASK | ((1 << size) - 1);
        code.set([a[0], a[1], memop, a[3], op.site, a[3] << tlb.bits, tagMask], p + 1);
        break;
      }
      case Opc.Call: {
        const h = op.helper!;
        const first = h.hasReturn ? 1 : 0;
        calls.push({
          helper: h,
          args: Int32Array.from(a.slice(first)),
          ret: h.hasReturn ? a[0] : -1,
          before: globalsWhere(
            (g) => written[g] === 1 && (effectCovers(h.reads, g) || effectCovers(h.writes, g)),
          ),
          after: globalsWhere((g) => used[g] === 1 && effectCovers(h.writes, g)),
        });
        code[p + 1] = calls.length - 1;
        code[p + 2] = op.site;
        const args = a.slice(first);
        if (args.length <= 5) code.set(args, p + 3);
        break;
      }
      default:
        if (a.length > STRIDE - 1) throw new Error(`IrInterpreter: too many operands in ${op}`);
        code.set(a, p + 1);
    }
  });
  code[kept.length * STRIDE] = FELL_OFF;

  const siteWriteBack = ir.siteHelper.map((h) =>
    h === null || h.writes === 'none'
      ? writtenList
      : globalsWhere((g) => written[g] === 1 && !effectCovers(h.writes, g)),
  );
  return {
    code,
    frame,
    calls,
    used: globalsWhere((g) => used[g] === 1),
    written: writtenList,
    siteWriteBack,
    icount: ir.nbInsns,
  };
}
