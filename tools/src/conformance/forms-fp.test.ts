import { DecodeMode, disassembleOne } from '@tsemu/tcg';
import { describe, expect, it } from 'vitest';
import { TestGenerator } from './generator.js';
import { C0, C2, C3, FPU_STATE_SIZE, Fx } from './state.js';

const generator = new TestGenerator();
const FP_GROUPS = ['x87', 'mmx', 'sse', 'sse2'];
const fpForms = [...generator.forms.values()].filter((f) => FP_GROUPS.includes(f.group));

/** The mnemonic tsemu's disassembler reads from the first instruction of a test. */
function disassembledMnemonic(code: Uint8Array): string {
  const d = disassembleOne((at) => code[at] ?? 0, 0, DecodeMode.CODE32 | DecodeMode.PROTECTED);
  return d.text.split(/[\s(]/)[0] as string;
}

/** The disassembler names compare predicates and operand-size prefixes its own way. */
function sameMnemonic(form: string, disassembled: string): boolean {
  if (/^cmp(ps|ss|pd|sd)$/.test(form)) return disassembled.startsWith('cmp');
  if (disassembled === 'data16') return true;
  return form === disassembled;
}

describe('floating-point and SIMD forms', () => {
  it('cover every group, several hundred forms', () => {
    const count = (g: string) => fpForms.filter((f) => f.group === g).length;
    expect(count('x87')).toBeGreaterThan(140);
    expect(count('mmx')).toBeGreaterThan(100);
    expect(count('sse')).toBeGreaterThan(120);
    expect(count('sse2')).toBeGreaterThan(250);
  });

  it("encode what their names say: tsemu's disassembler (an independent table) agrees", () => {
    const wrong: string[] = [];
    for (const form of fpForms) {
      const test = generator.generate(form.name, 1);
      const mnemonic = form.name.split(' ')[0] as string;
      const got = disassembledMnemonic(test.code);
      if (!sameMnemonic(mnemonic, got)) wrong.push(`${form.name}: ${got}`);
    }
    expect(wrong).toEqual([]);
  });

  it('give every test an FPU state with a valid MXCSR, and x87 tests a final FWAIT', () => {
    for (const form of fpForms) {
      const test = generator.generate(form.name, 7);
      expect(test.fpu?.length, form.name).toBe(FPU_STATE_SIZE);
      const fpu = test.fpu as Uint8Array;
      const mxcsr = new DataView(fpu.buffer, fpu.byteOffset).getUint32(Fx.MXCSR, true);
      expect(mxcsr & 0xffff0000, form.name).toBe(0);
      if (form.group === 'x87') expect(test.code[test.code.length - 1], form.name).toBe(0x9b);
    }
  });

  it('declare the SDM undefined condition codes, transcendentals and approximations', () => {
    const mask = (name: string) => generator.generate(name, 1).undefinedMask.fpu;
    expect(mask('fadd m64fp')?.fsw).toBe(C0 | C2 | C3);
    expect(mask('fcom st0,st(i)')).toBeUndefined();
    expect(mask('fsin')).toEqual({ fsw: C0 | C3, transcendental: true });
    expect(mask('fyl2x')).toEqual({ fsw: C0 | C2 | C3, transcendental: true });
    expect(mask('ffree st(i)')?.fsw).toBe(0x4700);
    expect(mask('addps xmm,xmm')).toBeUndefined();
    const rcp = mask('rcpss xmm,m32')?.approximate;
    expect(rcp?.fn).toBe('rcp');
    expect(rcp?.lanes).toEqual([0]);
    expect(mask('rsqrtps xmm,xmm')?.approximate?.lanes).toEqual([0, 1, 2, 3]);
  });

  it('leave the pointer fields of FNSTENV images out of the comparison', () => {
    const test = generator.generate('fnstenv m28byte (32-bit)', 3);
    expect(test.undefinedMask.data?.[0]?.length).toBe(16);
  });
});
