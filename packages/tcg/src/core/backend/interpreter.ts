import {
  CTL_CHAIN_BUDGET,
  CTL_EXIT_FLAG,
  CTL_FAULT_SITE,
  CTL_ICOUNT,
  CTL_TB_EXIT,
} from '../exec/cpu-state.js';
import type { TbFunction, TranslationBlock } from '../exec/translation-block.js';
import type { HelperInfo } from '../ir/helper.js';
import type { FinalizedIr } from '../ir/ir-block.js';
import { type Cond, OPDEFS, Opc, TB_EXIT_ICOUNT_EXPIRED } from '../ir/opcodes.js';
import {
  add2hi,
  deposit,
  evalBinary,
  evalCond,
  evalUnary,
  extract,
  extract2,
  muls2hi,
  mulu2hi,
  sextract,
  sub2hi,
} from '../ir/semantics.js';
import { TempKind } from '../ir/temp.js';
import type { ExecBindings } from './exec-bindings.js';

/**
 * An op ready to interpret: operands resolved to frame slots (temps, constants) or to
 * `~g` for global g (read and written straight in the state arrays), labels resolved
 * to op positions.
 */
interface DecodedOp {
  readonly opc: Opc;
  readonly a: Int32Array;
  readonly helper: HelperInfo | null;
  readonly site: number;
}

const FELL_OFF = -1 as Opc;

interface InterpProgram {
  readonly ops: DecodedOp[];
  /** Temps and constants (constants are filled once and never written). */
  readonly frame: Int32Array;
  readonly icount: number;
}

/**
 * The IR interpreter (QEMU's TCI): runs a TB's IR without generating code. It is the
 * reference the JS backend is tested against, the backend for hosts that forbid eval, and
 * the first tier of the tiered backend. It follows the same TB protocol as generated code
 * (chaining slots, self-loops, exit codes, fault sites), but keeps globals in the state
 * arrays at all times, so it never has anything to write back.
 */
export class IrInterpreter {
  private readonly gArr: Int32Array[];
  private readonly gIdx: Int32Array;
  private readonly helperArgs: number[][] = [];

  constructor(
    private readonly env: ExecBindings,
    private readonly icount = false,
  ) {
    const globals = env.cpu.layout.globals;
    this.gArr = globals.map((g) => env.cpu.state[g.stateArray]);
    this.gIdx = Int32Array.from(globals.map((g) => g.stateIndex));
    for (let n = 0; n <= 8; n++) this.helperArgs.push(new Array(n + 1).fill(0));
  }

  /** A TB function that interprets `ir`. */
  compile(ir: FinalizedIr, tb: TranslationBlock): TbFunction {
    const prog = this.decode(ir);
    return () => this.run(prog, tb);
  }

  private decode(ir: FinalizedIr): InterpProgram {
    const G = ir.nbGlobals;
    const frame = new Int32Array(Math.max(ir.temps.length, 1));
    for (const t of ir.temps) if (t.kind === TempKind.Const) frame[t.index] = t.value;
    const labelPos = new Int32Array(ir.nbLabels).fill(-1);
    ir.ops.forEach((op, p) => {
      if (op.opc === Opc.SetLabel) labelPos[op.args[0]] = p;
    });
    const ops = ir.ops.map((op): DecodedOp => {
      let nTemps: number;
      if (op.opc === Opc.Call) nTemps = op.args.length;
      else if (op.opc === Opc.InsnStart) nTemps = 0;
      else nTemps = OPDEFS[op.opc].nOut + OPDEFS[op.opc].nIn;
      const a = Int32Array.from(op.args, (x, i) => (i < nTemps ? (x < G ? ~x : x) : x));
      if (op.opc === Opc.Br) a[0] = labelPos[a[0]];
      if (op.opc === Opc.Brcond) a[3] = labelPos[a[3]];
      return { opc: op.opc, a, helper: op.helper, site: op.site };
    });
    // A TB always ends in an exit; this sentinel catches IR that does not.
    ops.push({ opc: FELL_OFF, a: new Int32Array(0), helper: null, site: -1 });
    return { ops, frame, icount: ir.nbInsns };
  }

  private run(prog: InterpProgram, tb: TranslationBlock): TranslationBlock | null {
    const ctl = this.env.cpu.ctl;
    const F = prog.frame;
    const GA = this.gArr;
    const GI = this.gIdx;
    const ops = prog.ops;

    restart: for (;;) {
      if (this.icount) {
        ctl[CTL_ICOUNT] -= prog.icount;
        if (ctl[CTL_ICOUNT] < 0) {
          ctl[CTL_ICOUNT] += prog.icount;
          ctl[CTL_TB_EXIT] = TB_EXIT_ICOUNT_EXPIRED;
          return null;
        }
      }
      let pc = 0;
      for (;;) {
        const op = ops[pc++];
        const a = op.a;
        switch (op.opc) {
          case Opc.Nop:
          case Opc.InsnStart:
          case Opc.SetLabel:
            break;
          case Opc.Mov:
            wr(F, GA, GI, a[0], rd(F, GA, GI, a[1]));
            break;
          case Opc.Neg:
          case Opc.Not:
          case Opc.Ext8s:
          case Opc.Ext8u:
          case Opc.Ext16s:
          case Opc.Ext16u:
          case Opc.Bswap16:
          case Opc.Bswap32:
          case Opc.Ctpop:
            wr(F, GA, GI, a[0], evalUnary(op.opc, rd(F, GA, GI, a[1]))!);
            break;
          case Opc.Deposit:
            wr(F, GA, GI, a[0], deposit(rd(F, GA, GI, a[1]), rd(F, GA, GI, a[2]), a[3], a[4]));
            break;
          case Opc.Extract:
            wr(F, GA, GI, a[0], extract(rd(F, GA, GI, a[1]), a[2], a[3]));
            break;
          case Opc.Sextract:
            wr(F, GA, GI, a[0], sextract(rd(F, GA, GI, a[1]), a[2], a[3]));
            break;
          case Opc.Extract2:
            wr(F, GA, GI, a[0], extract2(rd(F, GA, GI, a[1]), rd(F, GA, GI, a[2]), a[3]));
            break;
          case Opc.Setcond:
            wr(
              F,
              GA,
              GI,
              a[0],
              evalCond(a[3] as Cond, rd(F, GA, GI, a[1]), rd(F, GA, GI, a[2])) ? 1 : 0,
            );
            break;
          case Opc.Negsetcond:
            wr(
              F,
              GA,
              GI,
              a[0],
              evalCond(a[3] as Cond, rd(F, GA, GI, a[1]), rd(F, GA, GI, a[2])) ? -1 : 0,
            );
            break;
          case Opc.Movcond:
            wr(
              F,
              GA,
              GI,
              a[0],
              evalCond(a[5] as Cond, rd(F, GA, GI, a[1]), rd(F, GA, GI, a[2]))
                ? rd(F, GA, GI, a[3])
                : rd(F, GA, GI, a[4]),
            );
            break;
          case Opc.Mulu2:
          case Opc.Muls2: {
            const x = rd(F, GA, GI, a[2]);
            const y = rd(F, GA, GI, a[3]);
            const hi = op.opc === Opc.Mulu2 ? mulu2hi(x, y) : muls2hi(x, y);
            wr(F, GA, GI, a[0], Math.imul(x, y));
            wr(F, GA, GI, a[1], hi);
            break;
          }
          case Opc.Add2:
          case Opc.Sub2: {
            const [al, ah, bl, bh] = [
              rd(F, GA, GI, a[2]),
              rd(F, GA, GI, a[3]),
              rd(F, GA, GI, a[4]),
              rd(F, GA, GI, a[5]),
            ];
            const add = op.opc === Opc.Add2;
            const hi = add ? add2hi(al, ah, bl, bh) : sub2hi(al, ah, bl, bh);
            wr(F, GA, GI, a[0], add ? (al + bl) | 0 : (al - bl) | 0);
            wr(F, GA, GI, a[1], hi);
            break;
          }
          case Opc.Br:
            pc = a[0];
            break;
          case Opc.Brcond:
            if (evalCond(a[2] as Cond, rd(F, GA, GI, a[0]), rd(F, GA, GI, a[1]))) pc = a[3];
            break;
          case Opc.QemuLd: {
            const v = rd(F, GA, GI, a[1]);
            ctl[CTL_FAULT_SITE] = op.site;
            wr(F, GA, GI, a[0], this.env.cpu.tlb.load(v, a[2], a[3]));
            break;
          }
          case Opc.QemuSt: {
            ctl[CTL_FAULT_SITE] = op.site;
            this.env.cpu.tlb.store(rd(F, GA, GI, a[1]), rd(F, GA, GI, a[0]), a[2], a[3]);
            break;
          }
          case Opc.LdState:
            wr(F, GA, GI, a[0], this.env.cpu.state[a[1]][a[2]]);
            break;
          case Opc.StState:
            this.env.cpu.state[a[1]][a[2]] = rd(F, GA, GI, a[0]);
            break;
          case Opc.Call: {
            const h = op.helper!;
            const first = h.hasReturn ? 1 : 0;
            const args = this.helperArgs[h.nArgs];
            for (let i = 0; i < h.nArgs; i++) args[i] = rd(F, GA, GI, a[first + i]);
            if (op.site >= 0) ctl[CTL_FAULT_SITE] = op.site;
            const r = callHelper(h, this.env.cpu, args);
            if (h.hasReturn) wr(F, GA, GI, a[0], (r as number) | 0);
            break;
          }
          case Opc.GotoTb: {
            const nx = tb.jmpDest[a[0]];
            if (nx !== null) {
              if (nx === tb && --ctl[CTL_CHAIN_BUDGET] > 0 && ctl[CTL_EXIT_FLAG] === 0)
                continue restart;
              return nx;
            }
            break;
          }
          case Opc.ExitTb:
            ctl[CTL_TB_EXIT] = a[0];
            return null;
          case Opc.LookupAndGotoPtr: {
            const nx = this.env.lookupTbPtr();
            if (nx === tb && --ctl[CTL_CHAIN_BUDGET] > 0 && ctl[CTL_EXIT_FLAG] === 0)
              continue restart;
            return nx;
          }
          default: {
            if (op.opc === FELL_OFF)
              throw new Error(`IrInterpreter: ${tb} fell off the end of its IR`);
            const r = evalBinary(op.opc, rd(F, GA, GI, a[1]), rd(F, GA, GI, a[2]));
            if (r === undefined)
              throw new Error(`IrInterpreter: no rule for ${OPDEFS[op.opc].name}`);
            wr(F, GA, GI, a[0], r);
          }
        }
      }
    }
  }
}

/** Read operand x: a frame slot, or global ~x straight from its state array. */
function rd(F: Int32Array, GA: Int32Array[], GI: Int32Array, x: number): number {
  return x >= 0 ? F[x] : GA[~x][GI[~x]];
}

function wr(F: Int32Array, GA: Int32Array[], GI: Int32Array, x: number, v: number): void {
  if (x >= 0) F[x] = v;
  else GA[~x][GI[~x]] = v;
}

function callHelper(h: HelperInfo, cpu: unknown, args: number[]): unknown {
  const f = h.fn;
  switch (h.nArgs) {
    case 0:
      return f(cpu);
    case 1:
      return f(cpu, args[0]);
    case 2:
      return f(cpu, args[0], args[1]);
    case 3:
      return f(cpu, args[0], args[1], args[2]);
    case 4:
      return f(cpu, args[0], args[1], args[2], args[3]);
    default:
      return f(cpu, ...args.slice(0, h.nArgs));
  }
}
