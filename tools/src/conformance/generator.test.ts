import { describe, expect, it } from 'vitest';
import { compareDumps } from './compare.js';
import { shiftUndefinedFlags } from './forms.js';
import { TestGenerator } from './generator.js';
import { AF, CF, type Dump, OF, PF, SF, ZF } from './state.js';

const generator = new TestGenerator();

describe('TestGenerator', () => {
  it('reproduces a test exactly from its form and seed', () => {
    for (const form of ['add m32,imm', 'rcl r8,cl', 'rep movsd', 'idiv m16', 'bsf r32,m32']) {
      expect(generator.generate(form, 1234)).toEqual(new TestGenerator().generate(form, 1234));
      expect(generator.generate(form, 1234).initial).not.toEqual(
        generator.generate(form, 1235).initial,
      );
    }
  });

  it('covers the integer, x87, MMX, SSE and SSE2 groups the issue names', () => {
    const groups = new Set([...generator.forms.values()].map((f) => f.group));
    expect([...groups].sort()).toEqual([
      'alias',
      'alu',
      'bcd',
      'bit',
      'cmov',
      'control',
      'data',
      'fault',
      'lock',
      'misc',
      'mmx',
      'muldiv',
      'setcc',
      'shift',
      'sse',
      'sse2',
      'stack',
      'string',
      'unary',
      'x87',
    ]);
    expect(generator.forms.size).toBeGreaterThan(1400);
    expect(() => generator.generate('frobnicate r32', 1)).toThrow(/unknown instruction form/);
  });

  it('declares the SDM undefined flags per form', () => {
    expect(generator.generate('and r32,r32', 1).undefinedMask.eflags).toBe(AF);
    expect(generator.generate('add r32,r32', 1).undefinedMask.eflags).toBe(0);
    expect(generator.generate('mul r32', 1).undefinedMask.eflags).toBe(SF | ZF | AF | PF);
    expect(generator.generate('div r32', 1).undefinedMask.eflags).toBe(CF | PF | AF | ZF | SF | OF);
    expect(shiftUndefinedFlags('shl', 32, 0)).toBe(0);
    expect(shiftUndefinedFlags('shl', 32, 1)).toBe(AF);
    expect(shiftUndefinedFlags('shl', 32, 3)).toBe(AF | OF);
    expect(shiftUndefinedFlags('shr', 8, 9)).toBe(AF | OF | CF);
    expect(shiftUndefinedFlags('sar', 8, 9)).toBe(AF | OF);
    expect(shiftUndefinedFlags('rol', 16, 33)).toBe(0);
    expect(shiftUndefinedFlags('rcr', 16, 2)).toBe(OF);
  });

  it('marks a BSF destination undefined when the source is zero', () => {
    for (let seed = 1; seed < 200; seed++) {
      const t = generator.generate('bsf r32,r32', seed);
      const [dst, src] = t.source.replace('bsf ', '').split(', ') as [string, string];
      const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
      if (t.initial.regs[names.indexOf(src)] === 0) {
        expect(t.undefinedMask.regs?.[names.indexOf(dst)]).toBe(0xffffffff);
        return;
      }
    }
    throw new Error('no seed below 200 gave a zero source');
  });
});

describe('compareDumps masks', () => {
  const test = generator.generate('and r32,r32', 7);
  const base: Dump = {
    index: 0,
    outcome: 'completed',
    regs: [1, 2, 3, 4, 5, 6, 7, 8],
    eflags: 0x202,
    eipOffset: 2,
    trapno: 0,
    err: 0,
    siCode: 0,
    faultAddress: 0,
    cr2: 0,
    window: { offset: 0x780, length: 2 },
    data: new Uint8Array([1, 2]),
    fpu: null,
  };

  it('ignores undefined flags and bits outside the testable flags', () => {
    expect(compareDumps(test, base, { ...base, eflags: 0x202 | AF | 0x10000 })).toEqual([]);
    expect(compareDumps(test, base, { ...base, eflags: 0x202 | ZF })).toEqual([
      'eflags: ZF expected 0, got 1',
    ]);
  });

  it('applies undefined flags only when both runs completed', () => {
    const fault: Dump = { ...base, outcome: 'SIGFPE', trapno: 0 };
    expect(compareDumps(test, fault, { ...fault, eflags: base.eflags | AF })).toEqual([
      'eflags: AF expected 0, got 1',
    ]);
  });

  it('reports outcome, exception, eip and data differences', () => {
    const diffs = compareDumps(test, base, {
      ...base,
      outcome: 'SIGILL',
      trapno: 6,
      eipOffset: 0,
      data: new Uint8Array([1, 3]),
    });
    expect(diffs).toEqual([
      'outcome: expected completed, got SIGILL',
      'eip: expected code+2, got code+0',
      'data[+0x781]: expected 0x02, got 0x03',
    ]);
  });
});
