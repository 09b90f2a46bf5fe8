/**
 * The instruction forms the generator knows, each with its architecturally undefined
 * results (Intel SDM vol. 2 "Flags Affected" of each instruction, and appendix A's
 * EFLAGS cross-reference). A form turns a seeded TestBuilder into one line of assembly.
 */

import {
  CONDITIONS,
  operands,
  rmOperand,
  type Shape,
  SIZES,
  shapeName,
  shiftUndefinedFlags,
  WIDE,
} from './form-operands.js';
import { aliasForms } from './forms-alias.js';
import { controlForms } from './forms-control.js';
import { dataForms } from './forms-data.js';
import { faultForms } from './forms-fault.js';
import { lockForms } from './forms-lock.js';
import { mmxForms } from './forms-mmx.js';
import { sseForms } from './forms-sse.js';
import { sse2Forms } from './forms-sse2.js';
import { stackForms } from './forms-stack.js';
import { x87Forms } from './forms-x87.js';
import { AF, CF, OF, PF, SF, STATUS_FLAGS, ZF } from './state.js';
import { type OperandSize, registerIndex, sizeMask, type TestBuilder } from './test-builder.js';

export interface InstructionForm {
  /** Unique name: mnemonic and operand kinds, e.g. `add r32,m32`. */
  readonly name: string;
  /**
   * Report group: alu, unary, muldiv, shift, bit, bcd, cmov, setcc, string, misc (this file);
   * data, stack, control, lock, alias, fault, x87, mmx, sse, sse2 (forms-*.ts).
   */
  readonly group: string;
  /** Returns the assembly; declares undefined results on the builder. */
  generate(b: TestBuilder): string;
}

function aluForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  const ops: [string, number][] = [
    ['add', 0],
    ['or', AF],
    ['adc', 0],
    ['sbb', 0],
    ['and', AF],
    ['sub', 0],
    ['xor', AF],
    ['cmp', 0],
    ['test', AF],
  ];
  for (const [op, undefinedFlags] of ops) {
    for (const size of SIZES) {
      const shapes: Shape[] =
        op === 'test' ? ['r,r', 'm,r', 'r,imm', 'm,imm'] : ['r,r', 'm,r', 'r,m', 'r,imm', 'm,imm'];
      for (const shape of shapes) {
        forms.push({
          name: `${op} ${shapeName(shape, size)}`,
          group: 'alu',
          generate(b) {
            const { dst, src } = operands(b, shape, size);
            b.undefineFlags(undefinedFlags);
            return `${op} ${dst}, ${src}`;
          },
        });
      }
    }
  }
  return forms;
}

function unaryForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const op of ['inc', 'dec', 'neg', 'not']) {
    for (const size of SIZES) {
      for (const kind of ['r', 'm'] as const) {
        forms.push({
          name: `${op} ${kind}${size}`,
          group: 'unary',
          generate: (b) => `${op} ${kind === 'r' ? b.reg(size) : b.mem(size).text}`,
        });
      }
    }
  }
  return forms;
}

function mulDivForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const op of ['mul', 'imul', 'div', 'idiv']) {
    for (const size of SIZES) {
      for (const kind of ['r', 'm'] as const) {
        forms.push({
          name: `${op} ${kind}${size}`,
          group: 'muldiv',
          generate(b) {
            const divide = op === 'div' || op === 'idiv';
            const operand = b.value(size);
            // The dividend's high half: mostly small enough that the quotient fits (no #DE).
            if (size === 8) {
              b.fixedReg(0, 16, b.value(16));
              if (divide && b.rng.chance(0.7))
                b.setReg(4, 8, operand === 0 ? 0 : b.rng.below(operand));
            } else {
              b.fixedReg(0, size, b.value(size));
              b.fixedReg(2, size, b.value(size));
              if (divide && b.rng.chance(0.7)) {
                const low = b.regs[0] as number;
                const signed = op === 'idiv' && (low & (1 << (size - 1))) !== 0;
                b.setReg(
                  2,
                  size,
                  op === 'idiv'
                    ? signed
                      ? sizeMask(size)
                      : 0
                    : operand === 0
                      ? 0
                      : b.rng.below(operand),
                );
              }
            }
            b.undefineFlags(divide ? STATUS_FLAGS : SF | ZF | AF | PF);
            return `${op} ${rmOperand(b, kind, size, operand)}`;
          },
        });
      }
    }
  }
  for (const size of WIDE) {
    for (const kind of ['r', 'm'] as const) {
      forms.push({
        name: `imul r${size},${kind}${size}`,
        group: 'muldiv',
        generate(b) {
          const src = rmOperand(b, kind, size);
          b.undefineFlags(SF | ZF | AF | PF);
          return `imul ${b.reg(size)}, ${src}`;
        },
      });
      forms.push({
        name: `imul r${size},${kind}${size},imm`,
        group: 'muldiv',
        generate(b) {
          const src = rmOperand(b, kind, size);
          b.undefineFlags(SF | ZF | AF | PF);
          return `imul ${b.reg(size)}, ${src}, ${b.imm(size)}`;
        },
      });
    }
  }
  return forms;
}

/** Shift/rotate counts worth testing (the CPU masks counts to 5 bits). */
const COUNTS = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 255];

function shiftForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const op of ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar']) {
    for (const size of SIZES) {
      for (const kind of ['r', 'm'] as const) {
        for (const countKind of ['1', 'imm8', 'cl'] as const) {
          forms.push({
            name: `${op} ${kind}${size},${countKind}`,
            group: 'shift',
            generate(b) {
              const count =
                countKind === '1' ? 1 : b.rng.chance(0.7) ? b.rng.pick(COUNTS) : b.rng.below(256);
              const countText =
                countKind === '1'
                  ? '1'
                  : countKind === 'imm8'
                    ? String(count)
                    : b.fixedReg(1, 8, count);
              b.undefineFlags(shiftUndefinedFlags(op, size, count));
              return `${op} ${rmOperand(b, kind, size)}, ${countText}`;
            },
          });
        }
      }
    }
  }
  for (const op of ['shld', 'shrd']) {
    for (const size of WIDE) {
      for (const kind of ['r', 'm'] as const) {
        for (const countKind of ['imm8', 'cl'] as const) {
          forms.push({
            name: `${op} ${kind}${size},r${size},${countKind}`,
            group: 'shift',
            generate(b) {
              const count = b.rng.chance(0.7) ? b.rng.pick(COUNTS) : b.rng.below(256);
              const countText = countKind === 'imm8' ? String(count) : b.fixedReg(1, 8, count);
              const masked = count & 31;
              let dst: string;
              let memOffset = -1;
              if (kind === 'm') {
                const m = b.mem(size);
                dst = m.text;
                memOffset = m.offset;
              } else {
                dst = b.reg(size);
              }
              const src = b.reg(size);
              if (masked > size) {
                // Count larger than the operand: result and flags undefined.
                b.undefineFlags(STATUS_FLAGS);
                if (kind === 'm') b.undefineData(memOffset, size / 8);
                else {
                  const { index } = registerIndex(dst);
                  b.undefineReg(index, size);
                }
              } else if (masked !== 0) {
                b.undefineFlags(AF | (masked === 1 ? 0 : OF));
              }
              return `${op} ${dst}, ${src}, ${countText}`;
            },
          });
        }
      }
    }
  }
  return forms;
}

function bitForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const op of ['bt', 'bts', 'btr', 'btc']) {
    for (const size of WIDE) {
      for (const shape of ['r,r', 'm,r', 'r,imm', 'm,imm'] as const) {
        forms.push({
          name: `${op} ${shapeName(shape, size)}`,
          group: 'bit',
          generate(b) {
            b.undefineFlags(OF | SF | AF | PF);
            if (shape === 'm,r') {
              // A register bit offset reaches outside the operand: keep it within ±16 bytes.
              const m = b.mem(size).text;
              const offset = (b.rng.below(256) - 128) & sizeMask(size);
              return `${op} ${m}, ${b.reg(size, offset)}`;
            }
            const { dst, src } = operands(b, shape, size);
            return `${op} ${dst}, ${shape.endsWith('imm') ? String(b.rng.below(256)) : src}`;
          },
        });
      }
    }
  }
  for (const op of ['bsf', 'bsr']) {
    for (const size of WIDE) {
      for (const kind of ['r', 'm'] as const) {
        forms.push({
          name: `${op} r${size},${kind}${size}`,
          group: 'bit',
          generate(b) {
            const value = b.rng.chance(0.15) ? 0 : b.value(size);
            const src = rmOperand(b, kind, size, value);
            const dst = b.reg(size);
            b.undefineFlags(CF | OF | SF | AF | PF);
            // A zero source leaves the destination undefined (Intel; AMD documents "unchanged").
            if (value === 0) b.undefineReg(registerIndex(dst).index, size);
            return `${op} ${dst}, ${src}`;
          },
        });
      }
    }
  }
  return forms;
}

function bcdForms(): InstructionForm[] {
  const simple: [string, number][] = [
    ['daa', OF],
    ['das', OF],
    ['aaa', OF | SF | ZF | PF],
    ['aas', OF | SF | ZF | PF],
  ];
  const forms: InstructionForm[] = simple.map(([op, undefinedFlags]) => ({
    name: op,
    group: 'bcd',
    generate(b) {
      b.fixedReg(0, 16, b.value(16));
      b.undefineFlags(undefinedFlags);
      return op;
    },
  }));
  for (const op of ['aam', 'aad']) {
    forms.push({
      name: `${op} imm8`,
      group: 'bcd',
      generate(b) {
        b.fixedReg(0, 16, b.value(16));
        b.undefineFlags(OF | AF | CF);
        const base = b.rng.chance(0.5) ? 10 : b.rng.chance(0.1) ? 0 : b.rng.below(256);
        return `${op} ${base}`;
      },
    });
  }
  return forms;
}

function conditionalForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const cc of CONDITIONS) {
    for (const size of WIDE) {
      for (const kind of ['r', 'm'] as const) {
        forms.push({
          name: `cmov${cc} r${size},${kind}${size}`,
          group: 'cmov',
          generate(b) {
            const src = rmOperand(b, kind, size);
            return `cmov${cc} ${b.reg(size)}, ${src}`;
          },
        });
      }
    }
    for (const kind of ['r', 'm'] as const) {
      forms.push({
        name: `set${cc} ${kind}8`,
        group: 'setcc',
        generate: (b) => `set${cc} ${rmOperand(b, kind, 8)}`,
      });
    }
  }
  return forms;
}

function stringForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  const ops: [string, readonly string[]][] = [
    ['movs', ['', 'rep']],
    ['stos', ['', 'rep']],
    ['lods', ['', 'rep']],
    ['cmps', ['', 'repe', 'repne']],
    ['scas', ['', 'repe', 'repne']],
  ];
  const suffix: Record<OperandSize, string> = { 8: 'b', 16: 'w', 32: 'd' };
  for (const [op, prefixes] of ops) {
    for (const size of SIZES) {
      for (const prefix of prefixes) {
        const text = `${prefix ? `${prefix} ` : ''}${op}${suffix[size]}`;
        forms.push({
          name: text,
          group: 'string',
          generate(b) {
            const down = b.rng.chance(0.3);
            b.setDirection(down);
            // ESI and EDI inside the window with room for up to 8 elements either way.
            const pointer = () => 0x10000000 + 0x7c0 + b.rng.below(0x40);
            b.fixedReg(6, 32, pointer());
            b.fixedReg(7, 32, pointer());
            b.fixedReg(1, 32, prefix ? b.rng.below(9) : b.rng.u32());
            b.fixedReg(0, size, b.value(size));
            return text;
          },
        });
      }
    }
  }
  return forms;
}

function miscForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const size of SIZES) {
    for (const op of ['xchg', 'xadd', 'cmpxchg']) {
      for (const shape of ['r,r', 'm,r'] as const) {
        forms.push({
          name: `${op} ${shapeName(shape, size)}`,
          group: 'misc',
          generate(b) {
            if (op === 'cmpxchg') b.fixedReg(0, size, b.value(size));
            const { dst, src } = operands(b, shape, size);
            return `${op} ${dst}, ${src}`;
          },
        });
      }
    }
  }
  forms.push({ name: 'bswap r32', group: 'misc', generate: (b) => `bswap ${b.reg(32)}` });
  for (const [op, from, to] of [
    ['movzx', 8, 16],
    ['movzx', 8, 32],
    ['movzx', 16, 32],
    ['movsx', 8, 16],
    ['movsx', 8, 32],
    ['movsx', 16, 32],
  ] as const) {
    for (const kind of ['r', 'm'] as const) {
      forms.push({
        name: `${op} r${to},${kind}${from}`,
        group: 'misc',
        generate(b) {
          const src = kind === 'r' ? b.reg(from) : b.mem(from).text;
          return `${op} ${b.reg(to)}, ${src}`;
        },
      });
    }
  }
  for (const op of ['cbw', 'cwde', 'cwd', 'cdq', 'lahf', 'sahf', 'clc', 'stc', 'cmc']) {
    forms.push({
      name: op,
      group: 'misc',
      generate(b) {
        b.fixedReg(0, 32, b.value(32));
        return op;
      },
    });
  }
  forms.push({
    name: 'lea r32,m',
    group: 'misc',
    generate(b) {
      const m = b.mem(32).text.split(' ')[1] as string;
      return `lea ${b.reg(32)}, ${m}`;
    },
  });
  return forms;
}

/** Every form the generator knows, by name. */
export function instructionForms(): ReadonlyMap<string, InstructionForm> {
  const all = [
    ...aluForms(),
    ...unaryForms(),
    ...mulDivForms(),
    ...shiftForms(),
    ...bitForms(),
    ...bcdForms(),
    ...conditionalForms(),
    ...stringForms(),
    ...miscForms(),
    ...dataForms(),
    ...stackForms(),
    ...controlForms(),
    ...lockForms(),
    ...aliasForms(),
    ...faultForms(),
    // The floating-point and SIMD groups come last, so that the corpus file keeps the
    // integer forms' lines where they were.
    ...x87Forms(),
    ...mmxForms(),
    ...sseForms(),
    ...sse2Forms(),
  ];
  const byName = new Map<string, InstructionForm>();
  for (const form of all) {
    if (byName.has(form.name)) throw new Error(`duplicate instruction form ${form.name}`);
    byName.set(form.name, form);
  }
  return byName;
}

export { shiftUndefinedFlags };
