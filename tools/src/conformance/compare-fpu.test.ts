import { describe, expect, it } from 'vitest';
import { compareDumps } from './compare.js';
import { APPROXIMATION_BOUND, withinApproximationBound } from './compare-fpu.js';
import { defineTest } from './define-test.js';
import { FpuState } from './fpu-state.js';
import { C1, C2, type Dump, FPU_STATE_SIZE, Fx, type UndefinedMask } from './state.js';

const state = new FpuState();
state.setSt(0, { signExp: 0x3fff, high: 0x80000000, low: 0 });
state.setEmpty(0, false);

function fpuTest(undefinedMask: UndefinedMask = { eflags: 0 }) {
  return defineTest({ source: 'nop', fpu: state.bytes, undefinedMask });
}

const base: Dump = {
  index: 0,
  outcome: 'completed',
  regs: [0, 0, 0, 0, 0, 0, 0, 0],
  eflags: 0x202,
  eipOffset: 1,
  trapno: 0,
  err: 0,
  siCode: 0,
  faultAddress: 0,
  cr2: 0,
  window: { offset: 0x780, length: 0 },
  data: new Uint8Array(0),
  fpu: state.bytes,
};

/** A copy of the base dump's FPU state with `edit` applied. */
function edited(edit: (v: DataView, bytes: Uint8Array) => void): Dump {
  const bytes = state.bytes.slice();
  edit(new DataView(bytes.buffer), bytes);
  return { ...base, fpu: bytes };
}

const f32 = (x: number) => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x, true);
  return v.getUint32(0, true);
};

describe('compareDumps on FPU state', () => {
  it('compares control, status, tags, MXCSR and registers bit for bit', () => {
    const test = fpuTest();
    expect(compareDumps(test, base, base)).toEqual([]);
    const diffs = compareDumps(
      test,
      base,
      edited((v, b) => {
        v.setUint16(Fx.FSW, 0x3800, true);
        b[Fx.FTW] = 0x81;
        v.setUint32(Fx.MXCSR, 0x1f81, true);
        v.setUint32(Fx.ST + 16 * 2, 1, true);
        v.setUint32(Fx.XMM + 16 * 7 + 12, 0x80000000, true);
      }),
    );
    expect(diffs).toEqual([
      'fsw: expected 0x0000, got 0x3800',
      'ftw: expected 0x01, got 0x81',
      'mxcsr: expected 0x00001f80, got 0x00001f81',
      'st2: expected 0000 0000000000000000, got 0000 0000000000000001',
      'xmm7: expected 00000000 00000000 00000000 00000000, got 80000000 00000000 00000000 00000000',
    ]);
  });

  it('ignores the pointers, MXCSR_MASK and the undefined condition codes', () => {
    const test = fpuTest({ eflags: 0, fpu: { fsw: C2 } });
    const other = edited((v) => {
      for (const at of [Fx.FOP, Fx.FIP, Fx.FCS, Fx.FDP, Fx.FDS, Fx.MXCSR_MASK])
        v.setUint16(at, 0x1234, true);
      v.setUint16(Fx.FSW, C2, true);
    });
    expect(compareDumps(test, base, other)).toEqual([]);
    expect(compareDumps(fpuTest(), base, other)).toEqual(['fsw: expected 0x0000, got 0x0400']);
  });

  it('allows transcendentals one ulp and C1', () => {
    const test = fpuTest({ eflags: 0, fpu: { transcendental: true } });
    const oneUlp = edited((v) => {
      v.setUint32(Fx.ST, 1, true);
      v.setUint16(Fx.FSW, C1, true);
    });
    expect(compareDumps(test, base, oneUlp)).toEqual([]);
    const twoUlps = edited((v) => v.setUint32(Fx.ST, 2, true));
    expect(compareDumps(test, base, twoUlps)).toHaveLength(1);
  });

  it('compares RCP/RSQRT lanes within the SDM bound of the exact value', () => {
    const source = f32(3);
    const approx = { fn: 'rcp' as const, xmm: 1, lanes: [0], sources: [source] };
    const test = fpuTest({ eflags: 0, fpu: { approximate: approx } });
    const result = (x: number, lane = 0) =>
      edited((v) => v.setUint32(Fx.XMM + 16 + 4 * lane, f32(x), true));
    const expected = result(1 / 3);
    expect(compareDumps(test, expected, result((1 / 3) * (1 + APPROXIMATION_BOUND / 2)))).toEqual(
      [],
    );
    expect(
      compareDumps(test, expected, result((1 / 3) * (1 + 3 * APPROXIMATION_BOUND))),
    ).toHaveLength(1);
    // Lanes not approximated, and other registers, stay exact.
    expect(compareDumps(test, expected, result(1 / 3 + 1e-6, 1))).toHaveLength(1);
    expect(withinApproximationBound('rsqrt', f32(4), f32(0.5))).toBe(true);
    expect(withinApproximationBound('rcp', f32(0), f32(Number.POSITIVE_INFINITY))).toBe(false);
  });

  it('reports a dump without the FPU state', () => {
    expect(compareDumps(fpuTest(), base, { ...base, fpu: null })).toEqual([
      'fpu state: missing from the actual dump (no fpstate in the signal frame?)',
    ]);
    expect(state.bytes.length).toBe(FPU_STATE_SIZE);
  });

  it('compares SIGFPE codes', () => {
    const fpe: Dump = { ...base, outcome: 'SIGFPE', trapno: 16, siCode: 3 };
    expect(compareDumps(fpuTest(), fpe, { ...fpe, siCode: 7 })).toEqual([
      'si_code: expected 3, got 7',
    ]);
  });
});
