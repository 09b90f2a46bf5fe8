/**
 * Stack forms (group `stack`): PUSH and POP of every operand kind (with the ESP-relative
 * corner cases), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE and CALL/RET. The stack starts at
 * data page + 0x800, inside the dumped window, so every write to it is compared.
 */
import { WIDE } from './form-operands.js';
import type { InstructionForm } from './forms.js';
import { DATA_PAGE_ADDRESS, DF, STATUS_FLAGS } from './state.js';
import type { TestBuilder } from './test-builder.js';

const EBP = 5;
/** Where ESP starts (DEFAULT_ESP) as a data-page offset. */
const STACK = 0x800;
const SEGMENT_REGISTERS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
/** EFLAGS bits POPF may load at CPL 3 in a test: not TF (it would trap in the runner) nor AC. */
const POPF_BITS = STATUS_FLAGS | DF | 0x200 | 0x3000 | 0x4000 | 0x10000 | 0x20000 | 0x200000;

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'stack', generate };
}

function pushForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const size of WIDE) {
    forms.push(form(`push r${size}`, (b) => `push ${b.reg(size)}`));
    forms.push(form(`push m${size}`, (b) => `push ${b.mem(size).text}`));
    forms.push(form(`pop r${size}`, (b) => `pop ${b.reg(size)}`));
    forms.push(form(`pop m${size}`, (b) => `pop ${b.mem(size).text}`));
  }
  forms.push(
    form('push imm8', (b) => `push ${b.rng.below(256) - 128}`),
    form('push imm16', (b) => `push word 0x${b.value(16).toString(16)}`),
    form('push imm32', (b) => {
      const v = b.value(32);
      // Outside the sign-extended imm8 range, so that the assembler uses opcode 68.
      const imm = (v << 24) >> 24 === (v | 0) ? (v | 0x100) >>> 0 : v;
      return `push dword 0x${imm.toString(16)}`;
    }),
    // PUSH ESP pushes the value before the push; POP ESP loads the popped value.
    form('push esp', () => 'push esp'),
    form('push sp', () => 'push sp'),
    form('pop esp', () => 'pop esp'),
    form('pop sp', () => 'pop sp'),
    // The address of PUSH [ESP+d] is computed before the push, that of POP [ESP+d] after.
    form('push m32 (esp-based)', (b) => `push dword [esp${signed(b.rng.below(33) - 16)}]`),
    form('pop m32 (esp-based)', (b) => `pop dword [esp${signed(b.rng.below(33) - 16)}]`),
    form('push sreg', (b) => {
      // With a 32-bit operand, recent Intel CPUs write only the low 16 bits of the slot.
      b.undefineData(STACK - 2, 2);
      return `push ${b.rng.pick(SEGMENT_REGISTERS)}`;
    }),
    form('push sreg (16-bit operand)', (b) => `db 0x66\npush ${b.rng.pick(SEGMENT_REGISTERS)}`),
  );
  return forms;
}

function signed(n: number): string {
  return n < 0 ? `-${-n}` : `+${n}`;
}

function frameForms(): InstructionForm[] {
  return [
    form('pushad', () => 'pushad'),
    form('pushaw', () => 'pushaw'),
    form('popad', () => 'popad'),
    form('popaw', () => 'popaw'),
    form('pushfd', () => 'pushfd'),
    form('pushfw', () => 'pushfw'),
    form('popfd', (b) => {
      b.poke(STACK, 32, b.rng.u32() & POPF_BITS);
      return 'popfd';
    }),
    form('popfw', (b) => {
      b.poke(STACK, 16, b.rng.u32() & POPF_BITS & 0xffff);
      return 'popfw';
    }),
    form('enter imm16,0', (b) => `enter ${b.rng.below(0x80)}, 0`),
    form('enter imm16,1', (b) => `enter ${b.rng.below(0x80)}, 1`),
    ...WIDE.map((size) =>
      form(`enter imm16,imm8 (${size}-bit operand)`, (b) => {
        // Nesting levels above 1 copy frame pointers from [EBP-4], [EBP-8]...: EBP points into
        // the window. The level is taken modulo 32.
        b.fixedReg(EBP, 32, DATA_PAGE_ADDRESS + STACK + b.rng.below(0x80));
        const level = b.rng.chance(0.8) ? 2 + b.rng.below(7) : b.rng.below(256);
        return `${size === 16 ? 'db 0x66\n' : ''}enter ${b.rng.below(0x80)}, ${level}`;
      }),
    ),
    ...WIDE.map((size) =>
      form(`leave (${size}-bit operand)`, (b) => {
        b.fixedReg(EBP, 32, DATA_PAGE_ADDRESS + 0x7c0 + b.rng.below(0xb0));
        return size === 16 ? 'db 0x66\nleave' : 'leave';
      }),
    ),
  ];
}

function callForms(): InstructionForm[] {
  // The return address is an absolute code address, which depends on where the runner put
  // the test: its stack slot is not compared; ESP and the control flow are.
  return [
    form('call rel32, ret', (b) => {
      b.undefineData(STACK - 4, 4);
      return `call f\njmp d\nf: inc ${b.reg(32)}\nret\nd:`;
    }),
    form('call rel32, ret imm16', (b) => {
      b.undefineData(STACK - 4, 4);
      return `call f\njmp d\nf: ret ${b.rng.below(0x40)}\nd:`;
    }),
  ];
}

export function stackForms(): InstructionForm[] {
  return [...pushForms(), ...frameForms(), ...callForms()];
}
