import { describe, expect, it } from 'vitest';
import { DumpFormatError, encodeDumps, parseDumps } from './dump.js';
import { type Dump, FPU_STATE_SIZE } from './state.js';

const sample: Dump[] = [
  {
    index: 0,
    outcome: 'completed',
    regs: [0x80000000, 1, 2, 3, 0x10000800, 5, 6, 0xffffffff],
    eflags: 0xa96,
    eipOffset: 2,
    trapno: 0,
    err: 0,
    siCode: 0,
    faultAddress: 0,
    cr2: 0,
    window: { offset: 0x780, length: 4 },
    data: new Uint8Array([1, 2, 3, 4]),
    fpu: null,
  },
  {
    index: 1,
    outcome: 'SIGSEGV',
    regs: [0, 0, 0, 0, 0x10000800, 0, 0, 0],
    eflags: 0x10202,
    eipOffset: 0,
    trapno: 14,
    err: 4,
    siCode: 1,
    faultAddress: 0x10001000,
    cr2: 0x10001000,
    window: { offset: 0, length: 0 },
    data: new Uint8Array(0),
    fpu: null,
  },
];

describe('dump format', () => {
  it('round-trips through encodeDumps and parseDumps', () => {
    const { dumps, trailingBytes } = parseDumps(encodeDumps(sample));
    expect(trailingBytes).toBe(0);
    expect(dumps).toEqual(sample);
  });

  it('carries the FPU state of a test that has one, before the data window', () => {
    const fpu = Uint8Array.from({ length: FPU_STATE_SIZE }, (_, i) => i & 0xff);
    const withFpu: Dump[] = [{ ...(sample[0] as Dump), fpu }, sample[1] as Dump];
    const bytes = encodeDumps(withFpu);
    expect(bytes.length).toBe(encodeDumps(sample).length + FPU_STATE_SIZE);
    expect(parseDumps(bytes).dumps).toEqual(withFpu);
    const badLength = bytes.slice();
    new DataView(badLength.buffer).setUint32(16 + 80, 100, true);
    expect(() => parseDumps(badLength)).toThrow(/FPU state of 100 bytes/);
  });

  it('reports a stream cut in the middle of a record as trailing bytes', () => {
    const bytes = encodeDumps(sample);
    const { dumps, trailingBytes } = parseDumps(bytes.subarray(0, bytes.length - 10));
    expect(dumps).toHaveLength(1);
    expect(trailingBytes).toBe(74);
  });

  it('rejects a stream with a bad magic, version or signal', () => {
    const bytes = encodeDumps(sample);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(() => parseDumps(badMagic)).toThrow(DumpFormatError);
    const badVersion = bytes.slice();
    badVersion[4] = 9;
    expect(() => parseDumps(badVersion)).toThrow(/version 9/);
    const badSignal = bytes.slice();
    badSignal[16 + 8] = 99;
    expect(() => parseDumps(badSignal)).toThrow(/unknown signal 99/);
  });
});
