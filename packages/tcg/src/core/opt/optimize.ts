import { effectCovers } from '../ir/helper.js';
import { type IrBlock, type Op, operandCounts } from '../ir/ir-block.js';
import { Cond, OPDEFS, OPF_CAN_FAULT, OPF_SIDE_EFFECTS, Opc } from '../ir/opcodes.js';
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
import { Temp, TempKind, TempType } from '../ir/temp.js';

/**
 * The IR optimizer (QEMU's tcg/optimize.c plus liveness_pass_1), in two passes:
 *
 * 1. Forward, per extended basic block: constant folding and propagation, copy
 *    propagation, algebraic simplification, constant branches, unreachable code after an
 *    unconditional branch or exit.
 * 2. Backward liveness: ops whose results are never read are removed. Globals are live at
 *    exits, at branches, before anything that can raise a guest exception (the state
 *    must be exact there) and before helpers that read them; so a store to a global that
 *    is overwritten before any of those observe it disappears. Lazy-flag globals
 *    (x86's cc_src/cc_dst) are the main beneficiaries.
 * 3. Coalescing: `add t, esi, 1; mov esi, t` becomes `add esi, esi, 1` when t dies with
 *    the block. Fewer ops matter most to the interpreter, which pays a dispatch per op.
 *
 * It never changes behaviour: the tests run every program optimized and unoptimized and
 * compare the final states.
 */
export function optimizeIr(block: IrBlock): IrBlock {
  removeUnusedLabels(block);
  propagate(block);
  eliminateDeadCode(block);
  block.ops = block.ops.filter((op) => op.opc !== Opc.Nop);
  coalesceMoves(block);
  return block;
}

function removeUnusedLabels(block: IrBlock): void {
  const used = new Uint8Array(block.nbLabels);
  for (const op of block.ops) {
    if (op.opc === Opc.Br) used[op.args[0]] = 1;
    else if (op.opc === Opc.Brcond) used[op.args[3]] = 1;
  }
  for (const op of block.ops) {
    if (op.opc === Opc.SetLabel && !used[op.args[0]]) op.opc = Opc.Nop;
  }
}

/**
 * What the forward pass knows about each temp: a constant value, or "same value as temp
 * c" (valid while c's generation is unchanged). Methods rather than closures keep the
 * per-TB cost low.
 */
class Knowledge {
  private readonly n: number;
  private readonly known: Uint8Array;
  private readonly val: Int32Array;
  private readonly copyOf: Int32Array;
  private readonly copyGen: Int32Array;
  private readonly gen: Int32Array;
  /** The temp holds 0 or 1 (a setcond result). */
  private readonly bool: Uint8Array;
  private readonly constIndex = new Map<number, number>();

  constructor(private readonly temps: Temp[]) {
    const n = temps.length;
    this.n = n;
    this.known = new Uint8Array(n);
    this.val = new Int32Array(n);
    this.copyOf = new Int32Array(n).fill(-1);
    this.copyGen = new Int32Array(n);
    this.gen = new Int32Array(n);
    this.bool = new Uint8Array(n);
    for (const t of temps) if (t.kind === TempKind.Const) this.constIndex.set(t.value, t.index);
  }

  /** The constant temp holding `v`, created if needed. */
  constTemp(v: number): number {
    const value = v | 0;
    let i = this.constIndex.get(value);
    if (i === undefined) {
      i = this.temps.length;
      const name = value < 0 ? `$-0x${(-value).toString(16)}` : `$0x${value.toString(16)}`;
      this.temps.push(new Temp(i, TempKind.Const, TempType.I32, name, value));
      this.constIndex.set(value, i);
    }
    return i;
  }

  isConst(i: number): boolean {
    return i >= this.n || this.temps[i].kind === TempKind.Const || this.known[i] === 1;
  }

  constValue(i: number): number {
    return i >= this.n || this.temps[i].kind === TempKind.Const ? this.temps[i].value : this.val[i];
  }

  isConstValue(i: number, v: number): boolean {
    return this.isConst(i) && this.constValue(i) === v;
  }

  /** True when temp i is known to hold 0 or 1. */
  isBool(i: number): boolean {
    if (this.isConst(i)) {
      const v = this.constValue(i);
      return v === 0 || v === 1;
    }
    return this.bool[this.canonical(i)] === 1;
  }

  setBool(d: number): void {
    this.bool[d] = 1;
  }

  canonical(i: number): number {
    if (i >= this.n) return i;
    const c = this.copyOf[i];
    return c >= 0 && this.copyGen[i] === this.gen[c] ? c : i;
  }

  clobber(d: number): void {
    this.known[d] = 0;
    this.bool[d] = 0;
    this.copyOf[d] = -1;
    this.gen[d]++;
  }

  setConst(d: number, v: number): void {
    this.clobber(d);
    this.known[d] = 1;
    this.val[d] = v | 0;
  }

  setCopy(d: number, s: number): void {
    if (this.isConst(s)) {
      this.setConst(d, this.constValue(s));
      return;
    }
    const c = this.canonical(s);
    this.clobber(d);
    if (c !== d) {
      this.copyOf[d] = c;
      this.copyGen[d] = this.gen[c];
    }
  }

  /** A label: other paths join here, so nothing is known any more. */
  resetAll(): void {
    for (let i = 0; i < this.n; i++) if (this.temps[i].kind !== TempKind.Const) this.clobber(i);
  }
}

function movOp(d: number, s: number): Op {
  return { opc: Opc.Mov, args: [d, s], helper: null, site: -1 };
}

/** Constant/copy propagation and folding. */
function propagate(block: IrBlock): void {
  const k = new Knowledge(block.temps);
  const out: Op[] = [];
  let unreachable = false;
  for (const op of block.ops) {
    if (op.opc === Opc.Nop) continue;
    if (op.opc === Opc.SetLabel) {
      unreachable = false;
      k.resetAll();
      out.push(op);
      continue;
    }
    if (unreachable) continue;

    const def = OPDEFS[op.opc];
    const a = op.args;
    // Rewrite inputs: constants become constant temps, copies become their source.
    const nIn = op.opc === Opc.Call ? a.length - (op.helper!.hasReturn ? 1 : 0) : def.nIn;
    const nOut = op.opc === Opc.Call ? (op.helper!.hasReturn ? 1 : 0) : def.nOut;
    if (op.opc !== Opc.InsnStart) {
      for (let i = nOut; i < nOut + nIn; i++) {
        const t = a[i];
        a[i] = k.isConst(t) ? k.constTemp(k.constValue(t)) : k.canonical(t);
      }
    }

    switch (op.opc) {
      case Opc.Mov: {
        if (k.canonical(a[1]) === a[0] && !k.isConst(a[1])) continue; // mov x, x
        k.setCopy(a[0], a[1]);
        out.push(op);
        continue;
      }
      case Opc.Brcond: {
        const cond = a[2] as Cond;
        let outcome: boolean | undefined;
        if (k.isConst(a[0]) && k.isConst(a[1]))
          outcome = evalCond(cond, k.constValue(a[0]), k.constValue(a[1]));
        else if (a[0] === a[1]) outcome = sameOperandCond(cond);
        else if (cond === Cond.Always) outcome = true;
        else if (cond === Cond.Never) outcome = false;
        if (outcome === false) continue;
        if (outcome === true) {
          op.opc = Opc.Br;
          op.args = [a[3]];
          unreachable = true;
        }
        out.push(op);
        continue;
      }
      case Opc.Br:
      case Opc.ExitTb:
      case Opc.LookupAndGotoPtr:
        unreachable = true;
        out.push(op);
        continue;
      case Opc.Call: {
        const h = op.helper!;
        if (h.hasReturn) k.clobber(a[0]);
        if (h.writes !== 'none') {
          for (let g = 0; g < block.nbGlobals; g++) if (effectCovers(h.writes, g)) k.clobber(g);
        }
        out.push(op);
        continue;
      }
      case Opc.Mulu2:
      case Opc.Muls2:
      case Opc.Add2:
      case Opc.Sub2: {
        const nIns = op.opc === Opc.Mulu2 || op.opc === Opc.Muls2 ? 2 : 4;
        let allConst = true;
        for (let i = 2; i < 2 + nIns; i++) allConst &&= k.isConst(a[i]);
        if (allConst) {
          const v = [
            k.constValue(a[2]),
            k.constValue(a[3]),
            nIns === 4 ? k.constValue(a[4]) : 0,
            nIns === 4 ? k.constValue(a[5]) : 0,
          ];
          let lo: number;
          let hi: number;
          if (op.opc === Opc.Mulu2) [lo, hi] = [Math.imul(v[0], v[1]), mulu2hi(v[0], v[1])];
          else if (op.opc === Opc.Muls2) [lo, hi] = [Math.imul(v[0], v[1]), muls2hi(v[0], v[1])];
          else if (op.opc === Opc.Add2)
            [lo, hi] = [(v[0] + v[2]) | 0, add2hi(v[0], v[1], v[2], v[3])];
          else [lo, hi] = [(v[0] - v[2]) | 0, sub2hi(v[0], v[1], v[2], v[3])];
          out.push(movOp(a[0], k.constTemp(lo)), movOp(a[1], k.constTemp(hi)));
          k.setConst(a[0], lo);
          k.setConst(a[1], hi);
          continue;
        }
        k.clobber(a[0]);
        k.clobber(a[1]);
        out.push(op);
        continue;
      }
      default:
        break;
    }

    if (def.nOut === 1 && op.opc !== Opc.QemuLd && op.opc !== Opc.LdState && fold(op, k)) {
      // fold() rewrote the op into `mov d, src` (src may be a constant).
      const src = op.args[1];
      if (!k.isConst(src) && k.canonical(src) === op.args[0]) continue;
      k.setCopy(op.args[0], src);
      out.push(op);
      continue;
    }
    for (let i = 0; i < nOut; i++) k.clobber(a[i]);
    if (op.opc === Opc.Setcond) k.setBool(a[0]);
    out.push(op);
  }
  block.ops = out;
}

/** The outcome of cond(x, x). */
function sameOperandCond(c: Cond): boolean | undefined {
  switch (c) {
    case Cond.Eq:
    case Cond.Ge:
    case Cond.Le:
    case Cond.Geu:
    case Cond.Leu:
    case Cond.Always:
      return true;
    case Cond.Ne:
    case Cond.Lt:
    case Cond.Gt:
    case Cond.Ltu:
    case Cond.Gtu:
    case Cond.Never:
      return false;
    default:
      return undefined;
  }
}

/** Rewrite `op` into `mov d, value` and report that it folded. */
function toConst(op: Op, k: Knowledge, v: number): true {
  op.opc = Opc.Mov;
  op.args = [op.args[0], k.constTemp(v)];
  return true;
}

/** Rewrite `op` into `mov d, t`. */
function toCopy(op: Op, t: number): true {
  op.opc = Opc.Mov;
  op.args = [op.args[0], t];
  return true;
}

/** Fold or simplify a one-output value op into a move; false when nothing applies. */
function fold(op: Op, k: Knowledge): boolean {
  const a = op.args;
  switch (op.opc) {
    case Opc.Neg:
    case Opc.Not:
    case Opc.Ext8s:
    case Opc.Ext8u:
    case Opc.Ext16s:
    case Opc.Ext16u:
    case Opc.Bswap16:
    case Opc.Bswap32:
    case Opc.Ctpop:
      return k.isConst(a[1]) && toConst(op, k, evalUnary(op.opc, k.constValue(a[1]))!);
    case Opc.Deposit:
      if (k.isConst(a[1]) && k.isConst(a[2]))
        return toConst(op, k, deposit(k.constValue(a[1]), k.constValue(a[2]), a[3], a[4]));
      return a[4] === 32 && toCopy(op, a[2]);
    case Opc.Extract:
      if (k.isConst(a[1])) return toConst(op, k, extract(k.constValue(a[1]), a[2], a[3]));
      return a[3] === 32 && toCopy(op, a[1]);
    case Opc.Sextract:
      if (k.isConst(a[1])) return toConst(op, k, sextract(k.constValue(a[1]), a[2], a[3]));
      return a[3] === 32 && toCopy(op, a[1]);
    case Opc.Extract2:
      if (k.isConst(a[1]) && k.isConst(a[2]))
        return toConst(op, k, extract2(k.constValue(a[1]), k.constValue(a[2]), a[3]));
      return a[3] === 0 && toCopy(op, a[1]);
    case Opc.Setcond:
    case Opc.Negsetcond: {
      let r: boolean | undefined;
      if (k.isConst(a[1]) && k.isConst(a[2]))
        r = evalCond(a[3], k.constValue(a[1]), k.constValue(a[2]));
      else if (a[1] === a[2]) r = sameOperandCond(a[3]);
      // (b != 0) of a 0/1 value is the value itself (x86 INC/DEC keep CF that way).
      if (
        r === undefined &&
        op.opc === Opc.Setcond &&
        a[3] === Cond.Ne &&
        k.isConstValue(a[2], 0) &&
        k.isBool(a[1])
      ) {
        return toCopy(op, a[1]);
      }
      if (r === undefined) return false;
      return toConst(op, k, r ? (op.opc === Opc.Setcond ? 1 : -1) : 0);
    }
    case Opc.Movcond: {
      if (a[3] === a[4]) return toCopy(op, a[3]);
      let r: boolean | undefined;
      if (k.isConst(a[1]) && k.isConst(a[2]))
        r = evalCond(a[5], k.constValue(a[1]), k.constValue(a[2]));
      else if (a[1] === a[2]) r = sameOperandCond(a[5]);
      if (r === undefined) return false;
      return toCopy(op, r ? a[3] : a[4]);
    }
    default:
      break;
  }
  // Two-input ops.
  const x = a[1];
  const y = a[2];
  if (k.isConst(x) && k.isConst(y)) {
    const v = evalBinary(op.opc, k.constValue(x), k.constValue(y));
    return v !== undefined && toConst(op, k, v);
  }
  switch (op.opc) {
    case Opc.Add:
    case Opc.Or:
    case Opc.Xor:
      if (k.isConstValue(y, 0)) return toCopy(op, x);
      if (k.isConstValue(x, 0)) return toCopy(op, y);
      if (x === y && op.opc === Opc.Xor) return toConst(op, k, 0);
      if (x === y && op.opc === Opc.Or) return toCopy(op, x);
      if (op.opc === Opc.Or && (k.isConstValue(x, -1) || k.isConstValue(y, -1)))
        return toConst(op, k, -1);
      return false;
    case Opc.Sub:
      if (k.isConstValue(y, 0)) return toCopy(op, x);
      return x === y && toConst(op, k, 0);
    case Opc.And:
      if (k.isConstValue(x, 0) || k.isConstValue(y, 0)) return toConst(op, k, 0);
      if (k.isConstValue(y, -1)) return toCopy(op, x);
      if (k.isConstValue(y, 1) && k.isBool(x)) return toCopy(op, x);
      if (k.isConstValue(x, -1)) return toCopy(op, y);
      return x === y && toCopy(op, x);
    case Opc.Andc:
      if (x === y || k.isConstValue(x, 0) || k.isConstValue(y, -1)) return toConst(op, k, 0);
      return k.isConstValue(y, 0) && toCopy(op, x);
    case Opc.Mul:
      if (k.isConstValue(x, 0) || k.isConstValue(y, 0)) return toConst(op, k, 0);
      if (k.isConstValue(y, 1)) return toCopy(op, x);
      return k.isConstValue(x, 1) && toCopy(op, y);
    case Opc.Shl:
    case Opc.Shr:
    case Opc.Sar:
    case Opc.Rotl:
    case Opc.Rotr:
      if (k.isConst(y) && (k.constValue(y) & 31) === 0) return toCopy(op, x);
      return k.isConstValue(x, 0) && toConst(op, k, 0);
    default:
      return false;
  }
}

/** Backward liveness: remove ops whose outputs nobody reads. */
function eliminateDeadCode(block: IrBlock): void {
  const temps = block.temps;
  const n = temps.length;
  const G = block.nbGlobals;
  const live = new Uint8Array(n);
  const tbTemps: number[] = [];
  const ebbTemps: number[] = [];
  for (let i = G; i < n; i++) {
    if (temps[i].kind === TempKind.Tb) tbTemps.push(i);
    else if (temps[i].kind === TempKind.Ebb) ebbTemps.push(i);
  }
  const setGlobalsLive = () => live.fill(1, 0, G);
  const setTbTempsLive = () => {
    for (const i of tbTemps) live[i] = 1;
  };
  const killEbb = () => {
    for (const i of ebbTemps) live[i] = 0;
  };

  const ops = block.ops;
  for (let p = ops.length - 1; p >= 0; p--) {
    const op = ops[p];
    const a = op.args;
    switch (op.opc) {
      case Opc.Nop:
      case Opc.InsnStart:
        continue;
      case Opc.SetLabel:
        killEbb();
        continue;
      case Opc.Br:
        live.fill(0);
        setGlobalsLive();
        setTbTempsLive();
        continue;
      case Opc.Brcond:
        setGlobalsLive();
        setTbTempsLive();
        live[a[0]] = 1;
        live[a[1]] = 1;
        continue;
      case Opc.ExitTb:
      case Opc.LookupAndGotoPtr:
        live.fill(0);
        setGlobalsLive();
        continue;
      case Opc.GotoTb:
        setGlobalsLive();
        continue;
      case Opc.Call: {
        const h = op.helper!;
        const nOut = h.hasReturn ? 1 : 0;
        if (nOut === 1 && !live[a[0]] && !h.sideEffects && !h.canRaise) {
          op.opc = Opc.Nop;
          continue;
        }
        if (nOut === 1) live[a[0]] = 0;
        if (h.canRaise || h.reads === 'all') setGlobalsLive();
        else if (h.reads !== 'none') for (const t of h.reads) live[t.index] = 1;
        for (let i = nOut; i < a.length; i++) live[a[i]] = 1;
        continue;
      }
      default:
        break;
    }
    const def = OPDEFS[op.opc];
    const mustKeep = (def.flags & OPF_SIDE_EFFECTS) !== 0;
    let anyLive = false;
    for (let i = 0; i < def.nOut; i++) anyLive ||= live[a[i]] === 1;
    if (!anyLive && !mustKeep) {
      op.opc = Opc.Nop;
      continue;
    }
    if ((op.opc === Opc.Mulu2 || op.opc === Opc.Muls2) && !live[a[1]]) {
      // Only the low half is used: that is a plain multiply.
      op.opc = Opc.Mul;
      op.args = [a[0], a[2], a[3]];
      live[op.args[0]] = 0;
      live[op.args[1]] = 1;
      live[op.args[2]] = 1;
      continue;
    }
    for (let i = 0; i < def.nOut; i++) live[a[i]] = 0;
    if (def.flags & OPF_CAN_FAULT) setGlobalsLive();
    for (let i = def.nOut; i < def.nOut + def.nIn; i++) live[a[i]] = 1;
  }
}

/**
 * `op t, ...; mov g, t` with t a block temp becomes `op g, ...`, and later reads of t in
 * the same block read g, provided g is not written again before them. The op and the mov
 * are adjacent, so g changes at the same point of the guest instruction as before (a
 * fault in between is impossible). Calls are left alone: their results land after the
 * globals they write are reloaded.
 */
function coalesceMoves(block: IrBlock): void {
  const ops = block.ops;
  const temps = block.temps;
  const G = block.nbGlobals;
  for (let i = 1; i < ops.length; i++) {
    const mov = ops[i];
    if (mov.opc !== Opc.Mov) continue;
    const [g, t] = mov.args;
    if (t < G || temps[t].kind !== TempKind.Ebb || g === t) continue;
    const prev = ops[i - 1];
    if (prev.opc === Opc.Call || prev.opc === Opc.InsnStart || prev.opc === Opc.Mov) continue;
    const def = OPDEFS[prev.opc];
    if (def.nOut !== 1 || prev.args[0] !== t) continue;
    // The later reads of t, all before g is written again; t dies at the next label.
    const uses: Op[] = [];
    let ok = true;
    for (let j = i + 1; j < ops.length && ok; j++) {
      const op = ops[j];
      if (op.opc === Opc.SetLabel) break;
      const [nOut, nIn] = operandCounts(op);
      let readsT = false;
      for (let x = nOut; x < nOut + nIn; x++) if (op.args[x] === t) readsT = true;
      if (readsT) uses.push(op);
      let writesG = false;
      let writesT = false;
      for (let x = 0; x < nOut; x++) {
        if (op.args[x] === g) writesG = true;
        if (op.args[x] === t) writesT = true;
      }
      if (op.opc === Opc.Call && op.helper!.writes !== 'none' && g < G) {
        writesG ||= effectCovers(op.helper!.writes, g);
      }
      if (writesT) break;
      if (writesG) {
        // A read of t after this point would see g's new value.
        for (let k = j + 1; k < ops.length && ok; k++) {
          const later = ops[k];
          if (later.opc === Opc.SetLabel) break;
          const [o, n] = operandCounts(later);
          for (let x = o; x < o + n; x++) if (later.args[x] === t) ok = false;
          for (let x = 0; x < o; x++) if (later.args[x] === t) k = ops.length;
        }
        break;
      }
    }
    if (!ok) continue;
    prev.args[0] = g;
    mov.opc = Opc.Nop;
    for (const op of uses) {
      const [nOut, nIn] = operandCounts(op);
      for (let x = nOut; x < nOut + nIn; x++) if (op.args[x] === t) op.args[x] = g;
    }
  }
  block.ops = ops.filter((op) => op.opc !== Opc.Nop);
}
