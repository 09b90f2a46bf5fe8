/**
 * LOCK-prefixed forms (group `lock`): every read-modify-write instruction that accepts LOCK,
 * on memory, and the uses of LOCK that are #UD (a register destination, an instruction that
 * cannot be locked).
 */
import type { InstructionForm } from './forms.js';
import { AF, OF, PF, SF } from './state.js';
import { type OperandSize, sizeMask, type TestBuilder } from './test-builder.js';

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'lock', generate };
}

const ALU: readonly [string, number][] = [
  ['add', 0],
  ['or', AF],
  ['adc', 0],
  ['sbb', 0],
  ['and', AF],
  ['sub', 0],
  ['xor', AF],
];

function lockedForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const [op, undefinedFlags] of ALU) {
    forms.push(
      form(`lock ${op} m32,r32`, (b) => {
        b.undefineFlags(undefinedFlags);
        const m = b.mem(32).text;
        return `lock ${op} ${m}, ${b.reg(32)}`;
      }),
      form(`lock ${op} m8,imm`, (b) => {
        b.undefineFlags(undefinedFlags);
        return `lock ${op} ${b.mem(8).text}, ${b.imm(8)}`;
      }),
    );
  }
  for (const op of ['inc', 'dec', 'neg', 'not'])
    forms.push(form(`lock ${op} m32`, (b) => `lock ${op} ${b.mem(32).text}`));
  forms.push(
    form('lock xchg m32,r32', (b) => {
      const m = b.mem(32).text;
      return `lock xchg ${m}, ${b.reg(32)}`;
    }),
    form('lock xadd m16,r16', (b) => {
      const m = b.mem(16).text;
      return `lock xadd ${m}, ${b.reg(16)}`;
    }),
    form('lock cmpxchg m32,r32', (b) => {
      const value = b.value(32);
      b.fixedReg(0, 32, b.rng.chance(0.5) ? value : b.value(32));
      const m = b.mem(32, value).text;
      return `lock cmpxchg ${m}, ${b.reg(32)}`;
    }),
    form('lock cmpxchg8b m64', (b) => {
      const low = b.value(32);
      const high = b.value(32);
      const equal = b.rng.chance(0.5);
      b.fixedReg(0, 32, equal ? low : b.value(32));
      b.fixedReg(2, 32, equal ? high : b.value(32));
      for (const r of [1, 3]) b.fixedReg(r, 32, b.value(32));
      const m = b.mem(32, low);
      b.poke(m.offset + 4, 32, high);
      return `lock cmpxchg8b ${m.text.replace('dword', 'qword')}`;
    }),
  );
  for (const op of ['bts', 'btr', 'btc']) {
    for (const size of [16, 32] as const) {
      forms.push(
        form(`lock ${op} m${size},r${size}`, (b) => {
          b.undefineFlags(OF | SF | AF | PF);
          const m = b.mem(size).text;
          // A bit offset within ±128 bits of the operand, as the `bit` group does.
          const offset = (b.rng.below(256) - 128) & sizeMask(size as OperandSize);
          return `lock ${op} ${m}, ${b.reg(size, offset)}`;
        }),
      );
    }
    forms.push(
      form(`lock ${op} m32,imm8`, (b) => {
        b.undefineFlags(OF | SF | AF | PF);
        return `lock ${op} ${b.mem(32).text}, ${b.rng.below(256)}`;
      }),
    );
  }
  return forms;
}

/** LOCK where it is not allowed: #UD before anything happens. */
function invalidForms(): InstructionForm[] {
  const invalid = (name: string, insn: (b: TestBuilder) => string) =>
    form(`lock ${name} (#UD)`, (b) => `db 0xf0\n${insn(b)}`);
  return [
    invalid('add r32,r32', (b) => `add ${b.reg(32)}, ${b.reg(32)}`),
    invalid('mov m32,r32', (b) => {
      const m = b.mem(32).text;
      return `mov ${m}, ${b.reg(32)}`;
    }),
    invalid('cmp m32,r32', (b) => {
      const m = b.mem(32).text;
      return `cmp ${m}, ${b.reg(32)}`;
    }),
    invalid('bt m32,r32', (b) => {
      const m = b.mem(32).text;
      return `bt ${m}, ${b.reg(32, b.rng.below(32))}`;
    }),
    invalid('nop', () => 'nop'),
  ];
}

export function lockForms(): InstructionForm[] {
  return [...lockedForms(), ...invalidForms()];
}
