import {
  CTL_CHAIN_BUDGET,
  CTL_EXIT_FLAG,
  CTL_FAULT_SITE,
  CTL_ICOUNT,
  CTL_TB_EXIT,
} from '../exec/cpu-state.js';
import type { TbFunction, TranslationBlock } from '../exec/translation-block.js';
import { effectCovers, type HelperInfo } from '../ir/helper.js';
import { type FinalizedIr, markGlobals } from '../ir/ir-block.js';
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
 * Header words at the start of `InterpProgram.code` (see there for the whole layout).
 */
/** Guest instructions in the TB (what it takes from the icount budget). */
const H_ICOUNT = 0;
/** How many globals the TB reads or writes: the list that follows the header. */
const H_USED = 1;
/** How many of those it writes: they come first in the list. */
const H_WRITTEN = 2;
/** How many constants: (frame slot, value) pairs after the globals list. */
const H_CONSTS = 3;
const HEADER = 4;

/** An op's first word: the opcode in the low 8 bits, the op's length in words above them. */
const OPC_MASK = 0xff;
const LEN_SHIFT = 8;

/** Decoded only: the end of the code, where well-formed IR never arrives. */
const FELL_OFF = 255;

/**
 * Decoded only: guest loads and stores by size and sign, with the TLB hit path inline (as
 * the JS backend inlines it). Operand words: value, address, the tag mask (page and
 * alignment bits), the MMU index's first TLB entry, the memop and MMU index (memop in the
 * low 16 bits), and the fault site. The run loop spells these as literals too: a single
 * case label that is not a literal makes V8 compile the whole switch to a chain of
 * comparisons.
 */
const LD_U8 = 60;
const LD_S8 = 61;
const LD_U16 = 62;
const LD_S16 = 63;
const LD_32 = 64;
const ST_8 = 65;
const ST_16 = 66;
const ST_32 = 67;

/**
 * A `call` op's operand words, before its variable part: the helper's index in
 * `InterpProgram.helpers`, the fault site (or -1), the result's frame slot (or -1), and the
 * lengths of the three lists that follow: argument slots, globals written back to the state
 * before the call (it reads or writes them), globals read back after it (it may have
 * written them).
 */
const CALL_FIXED = 7;

/**
 * A TB's IR laid out for the interpreter (see {@link IrInterpreter.prepare}).
 *
 * The interpreter mostly runs TBs that ran a few times before and will run a few times
 * again, among ~100 000 of them: what a run costs is the cache misses on the TB's own data,
 * not the ops. So everything a run touches is in one array, read front to back, and the
 * frame (globals, temps and constants) is the interpreter's, shared by all TBs.
 */
export interface InterpProgram {
  /**
   * The header (H_* words); the globals the TB reads or writes (a global's frame slot is its
   * index), those it writes first: loaded into the frame when the TB starts, the written
   * ones stored back when it leaves; the (slot, value) pairs of the constants, written into
   * the frame when the TB starts; then the ops, each an opcode word (opcode | length << 8)
   * and its operands (frame slots, immediates, a branch's target index in this array).
   * InsnStart, Nop and SetLabel are gone; a FELL_OFF word ends the code.
   */
  readonly code: Int32Array;
  /** The helpers of the `call` ops. */
  readonly helpers: readonly HelperInfo['fn'][];
  /** Per fault site: the globals to write back when a guest exception unwinds from it. */
  readonly siteWriteBack: readonly Int32Array[];
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
  /**
   * The frame of every TB: globals at their index, then temps and constants. One frame stays
   * in the L1 cache, where one per TB would miss on every run of a TB that is not hot. It is
   * safe because helpers never run TBs, so runs do not nest (and a guest exception's
   * write-back, in `run`'s catch, still finds the raising TB's values); a run writes its
   * constants into it first. It grows in `prepare` to the largest program.
   */
  private frame = new Int32Array(16);
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
    const prog = this.prepare(ir);
    return () => this.run(prog, tb);
  }

  /** Lay `ir` out for {@link run} (what `compile` does before it makes the TB function). */
  prepare(ir: FinalizedIr): InterpProgram {
    if (ir.temps.length > this.frame.length) {
      this.frame = new Int32Array(Math.max(ir.temps.length, this.frame.length * 2));
    }
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
    const F = this.frame;
    const code = prog.code;
    const icount = this.icount ? code[H_ICOUNT] : 0;
    const hotThreshold = this.hotThreshold;
    this.executions++;
    const usedEnd = HEADER + code[H_USED];
    const writtenEnd = HEADER + code[H_WRITTEN];
    this.loadGlobals(code, HEADER, usedEnd, F);
    const start = usedEnd + 2 * code[H_CONSTS];
    for (let k = usedEnd; k < start; k += 2) F[code[k]] = code[k + 1];
    try {
      restart: for (;;) {
        if (icount !== 0) {
          ctl[CTL_ICOUNT] -= icount;
          if (ctl[CTL_ICOUNT] < 0) {
            ctl[CTL_ICOUNT] += icount;
            // After a self-loop iteration the frame holds newer values than the state.
            this.storeGlobals(code, HEADER, writtenEnd, F);
            ctl[CTL_TB_EXIT] = TB_EXIT_ICOUNT_EXPIRED;
            return null;
          }
        }
        let p = start;
        for (;;) {
          const word = code[p];
          const opc = word & OPC_MASK;
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
              ctl[CTL_FAULT_SITE] = code[p + 6];
              cpu.currentTb = tb;
              F[code[p + 1]] = tlb.load(F[code[p + 2]], code[p + 5] & 0xffff, code[p + 5] >>> 16);
              break;
            case 44: // Opc.QemuSt
              ctl[CTL_FAULT_SITE] = code[p + 6];
              cpu.currentTb = tb;
              tlb.store(F[code[p + 2]], F[code[p + 1]], code[p + 5] & 0xffff, code[p + 5] >>> 16);
              break;
            case 60: // LD_U8
            case 61: // LD_S8
            case 62: // LD_U16
            case 63: // LD_S16
            case 64: {
              // LD_32 and the loads above
              const a = F[code[p + 2]];
              const i = ((a >>> 12) & tlbMask) + code[p + 4];
              if ((a & code[p + 3]) === RT[i] && fast !== null) {
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
                ctl[CTL_FAULT_SITE] = code[p + 6];
                cpu.currentTb = tb;
                F[code[p + 1]] = tlb.loadSlow(a, code[p + 5] & 0xffff, code[p + 5] >>> 16);
              }
              break;
            }
            case 65: // ST_8
            case 66: // ST_16
            case 67: {
              // ST_32 and the stores above
              const a = F[code[p + 2]];
              const i = ((a >>> 12) & tlbMask) + code[p + 4];
              if ((a & code[p + 3]) === WT[i] && fast !== null) {
                const h = (a + AD[i]) | 0;
                if (opc === ST_32) fast.i32![h >> 2] = F[code[p + 1]];
                else if (opc === ST_8) fast.u8[h] = F[code[p + 1]];
                else fast.u16![h >> 1] = F[code[p + 1]];
              } else {
                ctl[CTL_FAULT_SITE] = code[p + 6];
                cpu.currentTb = tb;
                tlb.storeSlow(a, F[code[p + 1]], code[p + 5] & 0xffff, code[p + 5] >>> 16);
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
              this.call(prog.helpers[code[p + 1]], code, p, F, tb);
              break;
            case 49: {
              // Opc.GotoTb
              const nx = tb.jmpDest[code[p + 1]];
              if (nx !== null) {
                if (
                  nx === tb &&
                  ++tb.execCount < hotThreshold &&
                  --ctl[CTL_CHAIN_BUDGET] > 0 &&
                  ctl[CTL_EXIT_FLAG] === 0
                )
                  continue restart;
                this.storeGlobals(code, HEADER, writtenEnd, F);
                return nx;
              }
              break;
            }
            case 50: // Opc.ExitTb
              this.storeGlobals(code, HEADER, writtenEnd, F);
              ctl[CTL_TB_EXIT] = code[p + 1];
              return null;
            case 51: {
              // Opc.LookupAndGotoPtr
              this.storeGlobals(code, HEADER, writtenEnd, F);
              const nx = this.env.lookupTbPtr();
              if (
                nx === tb &&
                ++tb.execCount < hotThreshold &&
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
          p += word >>> LEN_SHIFT;
        }
      }
    } catch (e) {
      // A guest exception: make the globals exact (but for what the helper that raised has
      // written itself), then let cpu_exec restore the guest PC.
      const site = ctl[CTL_FAULT_SITE];
      if (site >= 0 && site < prog.siteWriteBack.length) {
        const list = prog.siteWriteBack[site];
        this.storeGlobals(list, 0, list.length, F);
      } else {
        this.storeGlobals(code, HEADER, writtenEnd, F);
      }
      throw e;
    }
  }

  /** A `call` op at `p` (its words: see CALL_FIXED). */
  private call(
    fn: HelperInfo['fn'],
    code: Int32Array,
    p: number,
    F: Int32Array,
    tb: TranslationBlock,
  ): void {
    const cpu = this.env.cpu;
    const nArgs = code[p + 4];
    const args = p + CALL_FIXED;
    const beforeEnd = args + nArgs + code[p + 5];
    if (beforeEnd !== args + nArgs) this.storeGlobals(code, args + nArgs, beforeEnd, F);
    const faultSite = code[p + 2];
    if (faultSite >= 0) {
      cpu.ctl[CTL_FAULT_SITE] = faultSite;
      cpu.currentTb = tb;
    }
    let r: unknown;
    switch (nArgs) {
      case 0:
        r = fn(cpu);
        break;
      case 1:
        r = fn(cpu, F[code[args]]);
        break;
      case 2:
        r = fn(cpu, F[code[args]], F[code[args + 1]]);
        break;
      case 3:
        r = fn(cpu, F[code[args]], F[code[args + 1]], F[code[args + 2]]);
        break;
      case 4:
        r = fn(cpu, F[code[args]], F[code[args + 1]], F[code[args + 2]], F[code[args + 3]]);
        break;
      case 5:
        r = fn(
          cpu,
          F[code[args]],
          F[code[args + 1]],
          F[code[args + 2]],
          F[code[args + 3]],
          F[code[args + 4]],
        );
        break;
      default:
        r = fn(cpu, ...Array.from(code.subarray(args, args + nArgs), (slot) => F[slot]));
    }
    const afterEnd = beforeEnd + code[p + 6];
    if (afterEnd !== beforeEnd) this.loadGlobals(code, beforeEnd, afterEnd, F);
    const ret = code[p + 3];
    if (ret >= 0) F[ret] = (r as number) | 0;
  }

  /** Load the globals listed in `list[from..to)` into the frame. */
  private loadGlobals(list: Int32Array, from: number, to: number, F: Int32Array): void {
    const GA = this.gArr;
    const GI = this.gIdx;
    for (let i = from; i < to; i++) {
      const g = list[i];
      F[g] = GA[g][GI[g]];
    }
  }

  /** Store the globals listed in `list[from..to)` from the frame into the state. */
  private storeGlobals(list: Int32Array, from: number, to: number, F: Int32Array): void {
    const GA = this.gArr;
    const GI = this.gIdx;
    for (let i = from; i < to; i++) {
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

/** Lay a TB's IR out for `IrInterpreter.run` (see {@link InterpProgram.code}). */
function decode(ir: FinalizedIr, tlb: SoftTlb): InterpProgram {
  // The inline hit path reads the fast RAM block through aligned views; without them (no
  // block yet, or one at an odd offset) every access goes through the TLB's own path.
  const inline = tlb.fastRam?.i32 != null;
  const G = ir.nbGlobals;

  // Globals read or written, and written.
  const used = new Uint8Array(G);
  const written = new Uint8Array(G);
  markGlobals(ir, used, written);
  const globalsWhere = (pred: (g: number) => boolean): number[] => {
    const list: number[] = [];
    for (let g = 0; g < G; g++) if (pred(g)) list.push(g);
    return list;
  };
  const writtenList = globalsWhere((g) => written[g] === 1);

  const words: number[] = [ir.nbInsns, 0, writtenList.length, 0];
  words.push(...writtenList, ...globalsWhere((g) => used[g] === 1 && written[g] === 0));
  words[H_USED] = words.length - HEADER;
  for (const t of ir.temps) {
    if (t.kind === TempKind.Const) {
      words.push(t.index, t.value | 0);
      words[H_CONSTS]++;
    }
  }

  // The ops that run; branches get their label's index, patched once the label is placed.
  const labelAt = new Int32Array(ir.nbLabels).fill(-1);
  const branches: { at: number; label: number }[] = [];
  const helpers: HelperInfo['fn'][] = [];
  for (const op of ir.ops) {
    const a = op.args;
    const p = words.length;
    let opc: number = op.opc;
    switch (op.opc) {
      case Opc.InsnStart:
      case Opc.Nop:
        continue;
      case Opc.SetLabel:
        labelAt[a[0]] = p;
        continue;
      case Opc.Br:
        words.push(0, -1);
        branches.push({ at: p + 1, label: a[0] });
        break;
      case Opc.Brcond:
        words.push(0, a[0], a[1], a[2], -1);
        branches.push({ at: p + 4, label: a[3] });
        break;
      case Opc.QemuLd:
      case Opc.QemuSt: {
        const memop = a[2];
        if (memop >>> 16 !== 0) throw new Error(`IrInterpreter: memop ${memop} in ${op}`);
        const size = memop & MO_SIZE;
        if (inline) {
          const sign = (memop & MO_SIGN) !== 0;
          opc =
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
        words.push(0, a[0], a[1], tagMask, a[3] << tlb.bits, memop | (a[3] << 16), op.site);
        break;
      }
      case Opc.Call: {
        const h = op.helper!;
        const first = h.hasReturn ? 1 : 0;
        const args = a.slice(first);
        const before = globalsWhere(
          (g) => written[g] === 1 && (effectCovers(h.reads, g) || effectCovers(h.writes, g)),
        );
        const after = globalsWhere((g) => used[g] === 1 && effectCovers(h.writes, g));
        let index = helpers.indexOf(h.fn);
        if (index < 0) index = helpers.push(h.fn) - 1;
        words.push(0, index, op.site, h.hasReturn ? a[0] : -1);
        words.push(args.length, before.length, after.length, ...args, ...before, ...after);
        break;
      }
      default:
        words.push(0, ...a);
    }
    const length = words.length - p;
    if (length > 0xffffff) throw new Error(`IrInterpreter: too many operands in ${op}`);
    words[p] = opc | (length << LEN_SHIFT);
  }
  words.push(FELL_OFF);
  for (const { at, label } of branches) words[at] = labelAt[label];

  const writtenArray = Int32Array.from(writtenList);
  const siteWriteBack = ir.siteHelper.map((h) =>
    h === null || h.writes === 'none'
      ? writtenArray
      : Int32Array.from(globalsWhere((g) => written[g] === 1 && !effectCovers(h.writes, g))),
  );
  return { code: Int32Array.from(words), helpers, siteWriteBack };
}
