import type { DecodedInsn, X86Operand } from '../decode/insn.js';
import { lookupSimd } from '../decode/simd.js';

const CMP_PREDICATES = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];

/**
 * MMX/SSE/SSE2 instructions of the 0F map. Like objdump, CMPPS and friends
 * with a predicate below 8 read as `cmpeqps xmm0,xmm1`.
 */
export function formatSimd(
  insn: DecodedInsn,
  operand: (o: X86Operand) => string,
  join: (name: string, operands: string[]) => string,
  prefixWords: string,
): string {
  const form = lookupSimd(insn.opcode, insn.mandatoryPrefix, insn.modrm);
  let name = form?.name ?? '(bad)';
  const operands: string[] = [];
  for (let i = 0; i < insn.numOperands; i++) operands.push(operand(insn.operands[i]));
  if (insn.opcode === 0x1c2 && insn.numOperands === 3 && insn.operands[2].value < 8) {
    name = `cmp${CMP_PREDICATES[insn.operands[2].value]}${name.slice(3)}`;
    operands.pop();
  }
  return join(`${prefixWords}${name}`, operands);
}
