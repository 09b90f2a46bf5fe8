/**
 * Undocumented encodings every IA-32 processor runs (group `alias`): opcode 82 (an alias of
 * 80, valid outside 64-bit mode), TEST as F6/F7 /1 (an alias of /0) and SAL as the shift
 * group's /6 (an alias of SHL /4). They are written as bytes: assemblers do not emit them.
 */
import { shiftUndefinedFlags } from './form-operands.js';
import type { InstructionForm } from './forms.js';
import { AF } from './state.js';
import { registerIndex, type TestBuilder } from './test-builder.js';

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'alias', generate };
}

const hex = (n: number) => `0x${n.toString(16)}`;
/** ModRM byte for a register operand: mod 11, `reg` (the opcode extension), `rm`. */
const modrm = (reg: number, rm: number) => hex(0xc0 | (reg << 3) | rm);
const ECX = 1;

/** The /digit operations of opcode 82 and the flags each leaves undefined. */
const GROUP1: readonly [string, number][] = [
  ['add', 0],
  ['or', AF],
  ['adc', 0],
  ['sbb', 0],
  ['and', AF],
  ['sub', 0],
  ['xor', AF],
  ['cmp', 0],
];

export function aliasForms(): InstructionForm[] {
  return [
    ...GROUP1.map(([op, undefinedFlags], digit) =>
      form(`${op} r8,imm8 (82 /${digit})`, (b) => {
        b.undefineFlags(undefinedFlags);
        const rm = registerIndex(b.reg(8)).index;
        return `db 0x82, ${modrm(digit, rm)}, ${hex(b.value(8))}`;
      }),
    ),
    form('test r8,imm8 (f6 /1)', (b) => {
      b.undefineFlags(AF);
      return `db 0xf6, ${modrm(1, registerIndex(b.reg(8)).index)}, ${hex(b.value(8))}`;
    }),
    form('test r32,imm32 (f7 /1)', (b) => {
      b.undefineFlags(AF);
      return `db 0xf7, ${modrm(1, registerIndex(b.reg(32)).index)}\ndd ${hex(b.value(32))}`;
    }),
    form('sal r32,1 (d1 /6)', (b) => {
      b.undefineFlags(shiftUndefinedFlags('shl', 32, 1));
      return `db 0xd1, ${modrm(6, registerIndex(b.reg(32)).index)}`;
    }),
    form('sal r8,cl (d2 /6)', (b) => {
      const count = b.rng.below(40);
      b.fixedReg(ECX, 8, count);
      b.undefineFlags(shiftUndefinedFlags('shl', 8, count));
      return `db 0xd2, ${modrm(6, registerIndex(b.reg(8)).index)}`;
    }),
    form('sal r16,imm8 (c1 /6)', (b) => {
      const count = b.rng.below(40);
      b.undefineFlags(shiftUndefinedFlags('shl', 16, count));
      return `db 0x66, 0xc1, ${modrm(6, registerIndex(b.reg(16)).index)}, ${count}`;
    }),
  ];
}
