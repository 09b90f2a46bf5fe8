/**
 * Data movement forms (group `data`): MOV in all its encodings, XCHG with the accumulator,
 * XLAT, CMPXCHG8B, ARPL, segment register reads, LEA with 32- and 16-bit addressing, the
 * hinting NOP, CLD/STD and SALC. None leaves a result undefined except where noted.
 */
import { operands, type Shape, SIZES, shapeName, WIDE } from './form-operands.js';
import type { InstructionForm } from './forms.js';
import { DATA_PAGE_ADDRESS } from './state.js';
import type { OperandSize, TestBuilder } from './test-builder.js';

const ACCUMULATOR: Readonly<Record<OperandSize, string>> = { 8: 'al', 16: 'ax', 32: 'eax' };
const SEGMENT_REGISTERS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function movForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  const shapes: Shape[] = ['r,r', 'm,r', 'r,m', 'r,imm', 'm,imm'];
  for (const size of SIZES) {
    for (const shape of shapes) {
      forms.push({
        name: `mov ${shapeName(shape, size)}`,
        group: 'data',
        generate(b) {
          const { dst, src } = operands(b, shape, size);
          return `mov ${dst}, ${src}`;
        },
      });
    }
    // A0-A3: the accumulator and an absolute address (moffs).
    forms.push({
      name: `mov ${ACCUMULATOR[size]},moffs${size}`,
      group: 'data',
      generate(b) {
        const m = b.mem(size, b.value(size), 'absolute').text;
        return `mov ${b.fixedReg(0, size, b.value(size))}, ${m}`;
      },
    });
    forms.push({
      name: `mov moffs${size},${ACCUMULATOR[size]}`,
      group: 'data',
      generate(b) {
        const m = b.mem(size, b.value(size), 'absolute').text;
        return `mov ${m}, ${b.fixedReg(0, size, b.value(size))}`;
      },
    });
  }
  return forms;
}

function exchangeForms(): InstructionForm[] {
  const forms: InstructionForm[] = WIDE.map((size) => ({
    name: `xchg ${ACCUMULATOR[size]},r${size}`,
    group: 'data',
    generate(b: TestBuilder) {
      const acc = b.fixedReg(0, size, b.value(size));
      return `xchg ${acc}, ${b.reg(size)}`;
    },
  }));
  forms.push({
    name: 'xlatb',
    group: 'data',
    generate(b) {
      // The table is the data window: EBX + AL stays inside it.
      b.fixedReg(3, 32, DATA_PAGE_ADDRESS + 0x780);
      b.fixedReg(0, 8, b.rng.below(256));
      return 'xlatb';
    },
  });
  forms.push({
    name: 'cmpxchg8b m64',
    group: 'data',
    generate(b) {
      // EDX:EAX equal to the memory operand half of the time; the four registers are fixed
      // before the operand's address registers are chosen among the others.
      const low = b.value(32);
      const high = b.value(32);
      const equal = b.rng.chance(0.5);
      b.fixedReg(0, 32, equal ? low : b.value(32));
      b.fixedReg(2, 32, equal ? high : b.value(32));
      b.fixedReg(1, 32, b.value(32));
      b.fixedReg(3, 32, b.value(32));
      const m = b.mem(32, low);
      b.poke(m.offset + 4, 32, high);
      return `cmpxchg8b ${m.text.replace('dword', 'qword')}`;
    },
  });
  return forms;
}

function segmentForms(): InstructionForm[] {
  // The selectors are Linux's (user CS 0x23, DS/ES/SS 0x2b, null FS/GS): the same on both.
  const read = (kind: 'r16' | 'r32' | 'm16'): InstructionForm => ({
    name: `mov ${kind},sreg`,
    group: 'data',
    generate(b) {
      const sreg = b.rng.pick(SEGMENT_REGISTERS);
      const dst = kind === 'm16' ? b.mem(16).text : b.reg(kind === 'r16' ? 16 : 32);
      return `mov ${dst}, ${sreg}`;
    },
  });
  return [
    read('r16'),
    read('r32'),
    read('m16'),
    {
      name: 'arpl r16,r16',
      group: 'data',
      generate: (b) => `arpl ${b.reg(16)}, ${b.reg(16)}`,
    },
    {
      name: 'arpl m16,r16',
      group: 'data',
      generate(b) {
        const m = b.mem(16).text;
        return `arpl ${m}, ${b.reg(16)}`;
      },
    },
  ];
}

/** 16-bit effective addresses: every base/index pair, with no, 8- or 16-bit displacement. */
const ADDRESS16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];

function leaForms(): InstructionForm[] {
  const forms: InstructionForm[] = [
    {
      name: 'lea r16,m',
      group: 'data',
      generate(b) {
        const m = b.mem(32).text.split(' ')[1] as string;
        return `lea ${b.reg(16)}, ${m}`;
      },
    },
  ];
  for (const size of WIDE) {
    forms.push({
      name: `lea r${size},m (16-bit address)`,
      group: 'data',
      generate(b) {
        const base = b.rng.pick(ADDRESS16);
        const disp = b.rng.pick([0, b.rng.below(256) - 128, b.rng.below(0x10000) - 0x8000]);
        const dispText = disp === 0 && base !== 'bp' ? '' : disp < 0 ? `-${-disp}` : `+${disp}`;
        return `lea ${b.reg(size)}, [${base}${dispText}]`;
      },
    });
  }
  return forms;
}

function flagAndNopForms(): InstructionForm[] {
  return [
    { name: 'cld', group: 'data', generate: () => 'cld' },
    { name: 'std', group: 'data', generate: () => 'std' },
    {
      // Undocumented but valid in 32-bit mode on Intel and AMD: AL = CF ? 0xff : 0.
      name: 'salc',
      group: 'data',
      generate(b) {
        b.fixedReg(0, 32, b.value(32));
        return 'salc';
      },
    },
    ...WIDE.map((size) => ({
      name: `nop r${size}`,
      group: 'data',
      generate: (b: TestBuilder) => `nop ${b.reg(size)}`,
    })),
    {
      name: 'nop m32',
      group: 'data',
      // The hinting NOP does not access memory: an address outside the page does not fault.
      generate: (b) => `nop ${b.memAt(32, b.rng.below(0x10000) - 0x8000)}`,
    },
  ];
}

export function dataForms(): InstructionForm[] {
  return [
    ...movForms(),
    ...exchangeForms(),
    ...segmentForms(),
    ...leaForms(),
    ...flagAndNopForms(),
  ];
}
