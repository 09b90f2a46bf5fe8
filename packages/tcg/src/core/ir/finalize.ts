import type { FinalizedIr, IrBlock } from './ir-block.js';
import { OPDEFS, OPF_CAN_FAULT, Opc } from './opcodes.js';

/**
 * Number the fault sites of a TB (after optimization, before a backend runs it): every
 * guest load/store and every call of a helper that can raise. A site maps to the guest
 * instruction it belongs to, so cpu_exec can restore the guest state from that
 * instruction's insn_start data when a guest exception unwinds from there.
 */
export function finalizeIr(block: IrBlock): FinalizedIr {
  const ops = block.ops.filter((op) => op.opc !== Opc.Nop);
  const words = block.insnStartWords;
  const insnData = new Float64Array(block.nbInsns * words);
  const siteInsn: number[] = [];
  const siteHelper: FinalizedIr['siteHelper'] = [];
  let insn = -1;
  for (const op of ops) {
    if (op.opc === Opc.InsnStart) {
      insn++;
      for (let w = 0; w < words; w++) insnData[insn * words + w] = op.args[w];
      continue;
    }
    const faults =
      (OPDEFS[op.opc].flags & OPF_CAN_FAULT) !== 0 || (op.opc === Opc.Call && op.helper!.canRaise);
    if (faults) {
      op.site = siteInsn.length;
      siteInsn.push(Math.max(insn, 0));
      siteHelper.push(op.opc === Opc.Call ? op.helper : null);
    } else {
      op.site = -1;
    }
  }
  return {
    ...block,
    ops,
    insnData,
    siteInsn: Int32Array.from(siteInsn),
    siteHelper,
  };
}
