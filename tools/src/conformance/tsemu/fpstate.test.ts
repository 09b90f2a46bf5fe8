import { describe, expect, it } from 'vitest';
import {
  FPSTATE_HEADER_SIZE,
  FXSAVE_SIZE,
  fpstateAddress,
  fpuExceptionCode,
  initialFxsaveImage,
  restoredFxsaveImage,
  signalFpstate,
} from './fpstate.js';

/** An FXSAVE image: TOP = 6, ST0 = 1.0 (valid), ST1 = +0 (zero), ST2 = NaN, ST3-7 empty. */
function sampleImage(): Uint8Array {
  const image = initialFxsaveImage();
  const v = new DataView(image.buffer);
  v.setUint16(0, 0x027f, true); // FCW
  v.setUint16(2, (6 << 11) | 0x0021, true); // FSW: TOP 6, PE and IE
  // ST0..ST2 are physical registers 6, 7, 0.
  image[4] = (1 << 6) | (1 << 7) | (1 << 0);
  v.setUint32(32 + 4, 0x80000000, true);
  v.setUint16(32 + 8, 0x3fff, true);
  v.setUint32(64 + 4, 0xc0000000, true);
  v.setUint16(64 + 8, 0x7fff, true);
  v.setUint32(8, 0x08048123, true); // FIP
  v.setUint32(16, 0x10000780, true); // FDP
  v.setUint32(24, 0x1f80 | 0x6000, true); // MXCSR: round toward zero
  image.fill(0xab, 160, 176); // XMM0
  return image;
}

describe('the ia32 signal frame FPU state', () => {
  it('puts the legacy header before the image, as Linux does for an FXSR CPU', () => {
    const fp = signalFpstate(sampleImage(), 0x23, 0x2b);
    expect(fp.length).toBe(FPSTATE_HEADER_SIZE + FXSAVE_SIZE);
    const v = new DataView(fp.buffer);
    expect(v.getUint32(0, true)).toBe(0xffff027f); // cwd
    expect(v.getUint32(4, true)).toBe(0xffff3021); // swd
    // Tags by physical register: R6 valid (00), R7 zero (01), R0 special (10), others empty.
    expect(v.getUint32(8, true)).toBe(0xffff4ffe);
    expect(v.getUint32(12, true)).toBe(0x08048123);
    expect(v.getUint32(16, true)).toBe(0x23);
    expect(v.getUint32(20, true)).toBe(0x10000780);
    expect(v.getUint32(24, true)).toBe(0xffff002b);
    expect(v.getUint16(28 + 8, true)).toBe(0x3fff); // ST0's exponent
    expect(v.getUint16(108, true)).toBe(0x3021); // status
    expect(v.getUint16(110, true)).toBe(0); // magic: an FXSAVE image follows
    expect(fp.subarray(FPSTATE_HEADER_SIZE + 160, FPSTATE_HEADER_SIZE + 176)).toEqual(
      new Uint8Array(16).fill(0xab),
    );
  });

  it('is restored by rt_sigreturn with the x87 environment from the header', () => {
    const image = sampleImage();
    const fp = signalFpstate(image, 0x23, 0x2b);
    const v = new DataView(fp.buffer);
    v.setUint32(0, 0xffff037f, true); // a handler changed the control word
    v.setUint32(8, 0xffffffff, true); // and emptied every register
    v.setUint32(FPSTATE_HEADER_SIZE + 24, 0xffff1f80, true); // and set reserved MXCSR bits
    const back = restoredFxsaveImage(fp, { cs: 0x23, ds: 0x2b });
    const b = new DataView(back.buffer);
    expect(b.getUint16(0, true)).toBe(0x037f);
    expect(back[4]).toBe(0);
    expect(b.getUint32(24, true)).toBe(0x1f80);
    expect(back.subarray(32, 160)).toEqual(image.subarray(32, 160));
    expect(back.subarray(160, 288)).toEqual(image.subarray(160, 288));
  });

  it("gives SIGFPE the code of the first unmasked exception (Linux's order)", () => {
    const x87 = (fcw: number, fsw: number) => {
      const image = initialFxsaveImage();
      new DataView(image.buffer).setUint16(0, fcw, true);
      new DataView(image.buffer).setUint16(2, fsw, true);
      return fpuExceptionCode(16, image);
    };
    expect(x87(0x037b, 0x0084)).toBe(3); // ZE unmasked: FPE_FLTDIV
    expect(x87(0x0370, 0x00a5)).toBe(7); // IE first: FPE_FLTINV
    expect(x87(0x037f, 0x0021)).toBe(0); // all masked: spurious
    const sse = (mxcsr: number) => {
      const image = initialFxsaveImage();
      new DataView(image.buffer).setUint32(24, mxcsr, true);
      return fpuExceptionCode(19, image);
    };
    expect(sse(0x1f80 & ~0x1000)).toBe(0); // PM unmasked but PE clear
    expect(sse((0x1f80 & ~0x1000) | 0x20)).toBe(6); // FPE_FLTRES
    expect(sse((0x1f80 & ~0x0800) | 0x10 | 0x20)).toBe(5); // UE: FPE_FLTUND
  });

  it('sits 64-byte aligned (its image) below the stack pointer', () => {
    const at = fpstateAddress(0x0a020000);
    expect((at + FPSTATE_HEADER_SIZE) % 64).toBe(0);
    expect(at + FPSTATE_HEADER_SIZE + FXSAVE_SIZE).toBeLessThanOrEqual(0x0a020000);
  });
});
