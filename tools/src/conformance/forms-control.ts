/**
 * Control transfer forms (group `control`): Jcc and JMP with 8- and 32-bit displacements,
 * JECXZ/JCXZ, LOOP/LOOPE/LOOPNE, and indirect JMP/CALL through a register or memory. A
 * taken branch skips an `inc` of a register, so the final state shows which way it went.
 */
import { CONDITIONS } from './form-operands.js';
import type { InstructionForm } from './forms.js';
import { registerIndex, type TestBuilder } from './test-builder.js';

const ECX = 1;
/** Where ESP starts (DEFAULT_ESP) as a data-page offset. */
const STACK = 0x800;

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'control', generate };
}

function branchForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const distance of ['short', 'near'] as const) {
    const kind = distance === 'short' ? 'rel8' : 'rel32';
    for (const cc of CONDITIONS)
      forms.push(form(`j${cc} ${kind}`, (b) => `j${cc} ${distance} s\ninc ${b.reg(32)}\ns:`));
    forms.push(form(`jmp ${kind}`, (b) => `jmp ${distance} s\ninc ${b.reg(32)}\ns:`));
  }
  forms.push(
    form('jecxz rel8', (b) => {
      b.fixedReg(ECX, 32, b.rng.chance(0.5) ? 0 : b.value(32));
      return `jecxz s\ninc ${b.reg(32)}\ns:`;
    }),
    form('jcxz rel8', (b) => {
      // CX zero with the upper half of ECX set, or not.
      const high = b.rng.chance(0.5) ? b.rng.u32() & 0xffff0000 : 0;
      b.fixedReg(ECX, 32, (high | (b.rng.chance(0.5) ? 0 : b.value(16))) >>> 0);
      return `jcxz s\ninc ${b.reg(32)}\ns:`;
    }),
  );
  return forms;
}

function loopForms(): InstructionForm[] {
  // ECX from 1 to 12: LOOP with ECX = 0 would run 2^32 times.
  const count = (b: TestBuilder) => b.fixedReg(ECX, 32, 1 + b.rng.below(12));
  return [
    form('loop rel8', (b) => {
      count(b);
      const acc = b.reg(32);
      return `l: add ${acc}, ${b.reg(32)}\nloop l`;
    }),
    form('loope rel8', (b) => {
      count(b);
      const acc = b.reg(32);
      return `l: add ${acc}, ${b.reg(32)}\ntest ${acc}, 3\nloope l`;
    }),
    form('loopne rel8', (b) => {
      count(b);
      const acc = b.reg(32, b.rng.below(16));
      return `l: inc ${acc}\ncmp ${acc}, ${b.rng.below(24)}\nloopne l`;
    }),
  ];
}

function indirectForms(): InstructionForm[] {
  // The target is computed from a CALL's return address, an absolute code address that
  // depends on where the runner put the test: the register and stack slot that hold it are
  // not compared (the control flow is), and LEA keeps it out of the flags.
  const target = (b: TestBuilder) => {
    const r = b.reg(32);
    b.reserve(registerIndex(r).index);
    b.undefineReg(registerIndex(r).index, 32);
    b.undefineData(STACK - 4, 4);
    return { r, prologue: `call n\nn: pop ${r}\nlea ${r}, [${r} + t - n]` };
  };
  return [
    form('jmp r32', (b) => {
      const { r, prologue } = target(b);
      return `${prologue}\njmp ${r}\ninc ${b.reg(32)}\nt:`;
    }),
    form('call r32', (b) => {
      const { r, prologue } = target(b);
      return `${prologue}\ncall ${r}\ninc ${b.reg(32)}\nt:`;
    }),
    form('jmp m32', (b) => {
      const m = b.mem(32);
      b.undefineData(m.offset, 4);
      const { r, prologue } = target(b);
      return `${prologue}\nmov ${m.text}, ${r}\njmp ${m.text}\ninc ${b.reg(32)}\nt:`;
    }),
    form('call m32', (b) => {
      const m = b.mem(32);
      b.undefineData(m.offset, 4);
      const { r, prologue } = target(b);
      return `${prologue}\nmov ${m.text}, ${r}\ncall ${m.text}\ninc ${b.reg(32)}\nt:`;
    }),
  ];
}

export function controlForms(): InstructionForm[] {
  return [...branchForms(), ...loopForms(), ...indirectForms()];
}
