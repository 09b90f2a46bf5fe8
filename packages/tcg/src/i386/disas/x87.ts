import type { DecodedInsn, X86Operand } from '../decode/insn.js';
import { lookupX87 } from '../decode/x87.js';

/** x87 instructions (D8-DF), in objdump's spelling. */
export function formatX87(
  insn: DecodedInsn,
  operand: (o: X86Operand) => string,
  join: (name: string, operands: string[]) => string,
  prefixWords: string,
): string {
  const form = lookupX87(insn.opcode, insn.modrm);
  if (!form) return '(bad)';
  const operands = form.operands.map((o) => {
    if (o === 'mem') return operand(insn.operands[0]);
    if (o === 'st(i)') return `st(${insn.modrm & 7})`;
    return o;
  });
  return join(`${prefixWords}${form.name}`, operands);
}
