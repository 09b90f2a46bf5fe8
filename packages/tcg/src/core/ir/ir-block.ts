import type { HelperInfo } from './helper.js';
import { OPDEFS, Opc } from './opcodes.js';
import type { Temp } from './temp.js';

/** One IR operation. See OPDEFS for the layout of `args`. */
export interface Op {
  opc: Opc;
  /** Outputs, inputs (temp indexes), then constant arguments. */
  args: number[];
  /** For Call: the helper. */
  helper: HelperInfo | null;
  /**
   * For ops that may raise a guest exception (guest loads/stores, calls of helpers that
   * can raise): the fault site number, assigned by `finalizeIr`; -1 otherwise.
   */
  site: number;
}

/**
 * The IR of one TranslationBlock: what the builder produced, what the optimizer rewrites,
 * and what both backends consume.
 */
export interface IrBlock {
  /** Globals first (`temps[i]` for `i < nbGlobals`), then TB temps and constants. */
  temps: Temp[];
  nbGlobals: number;
  ops: Op[];
  nbLabels: number;
  /** Words of data per insn_start (the guest PC, then frontend-defined extras). */
  insnStartWords: number;
  /** Number of guest instructions (insn_start ops). */
  nbInsns: number;
}

/** Fault-site tables built by `finalizeIr` after optimization. */
export interface FinalizedIr extends IrBlock {
  /** insn_start data, `insnStartWords` numbers per guest instruction. */
  insnData: Float64Array;
  /** For each fault site: the index of the guest instruction it belongs to. */
  siteInsn: Int32Array;
  /** For each fault site: the helper called there, or null for a guest load/store. */
  siteHelper: (HelperInfo | null)[];
}

/**
 * Mark in `used` the globals `ir`'s ops read or write, and in `written` those they write
 * (both indexed by global, `ir.nbGlobals` long; marks are added, never cleared).
 */
export function markGlobals(ir: FinalizedIr, used: Uint8Array, written: Uint8Array): void {
  const G = ir.nbGlobals;
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
}

/** Operand counts (outputs, inputs) of an op: a call's come from its helper, not OPDEFS. */
export function operandCounts(op: Op): [number, number] {
  if (op.opc === Opc.Call) {
    const nOut = op.helper!.hasReturn ? 1 : 0;
    return [nOut, op.args.length - nOut];
  }
  if (op.opc === Opc.InsnStart) return [0, 0];
  const def = OPDEFS[op.opc];
  return [def.nOut, def.nIn];
}
