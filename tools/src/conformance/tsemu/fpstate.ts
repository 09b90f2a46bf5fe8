/**
 * The FPU state in an ia32 signal frame, as an x86-64 Linux kernel writes and reads it for a
 * CPU with FXSR but without XSAVE (tsemu's CPUID claims fpu mmx fxsr sse sse2):
 * arch/x86/kernel/fpu/signal.c and regset.c.
 *
 * sigcontext.fpstate points at `struct _fpstate_32`: a legacy FSAVE-format header (112
 * bytes: the environment with the full tag word, the eight registers, the status word and a
 * magic word that is 0 when an FXSAVE image follows) and then the 512-byte FXSAVE image, at
 * a 64-byte aligned address. The kernel writes the image with a 64-bit FXSAVE, so its
 * FCS and FDS words are the (zero) upper halves of a 64-bit FIP and FDP.
 *
 * The kernel's FXSAVE images come from the CPU itself: the test machine's IDT stubs run
 * FXSAVE on entry and FXRSTOR before returning (machine.ts), so the host side only reads and
 * writes 512-byte images.
 */

export const FXSAVE_SIZE = 512;
/** sizeof(struct fregs_state): the legacy header before the FXSAVE image. */
export const FPSTATE_HEADER_SIZE = 112;
/** Offsets in the FXSAVE image (32-bit format). */
const FX = {
  FCW: 0,
  FSW: 2,
  FTW: 4,
  FOP: 6,
  FIP: 8,
  FCS: 12,
  FDP: 16,
  FDS: 20,
  MXCSR: 24,
  ST: 32,
  XMM: 160,
} as const;
/** Offsets in the legacy header (struct _fpstate_32). */
const HEADER = {
  CWD: 0,
  SWD: 4,
  TWD: 8,
  FIP: 12,
  FCS: 16,
  FOO: 20,
  FOS: 24,
  ST: 28,
  STATUS: 108,
  MAGIC: 110,
} as const;
/** `magic`: an FXSAVE image follows the header (X86_FXSR_MAGIC). */
const X86_FXSR_MAGIC = 0x0000;
/** The MXCSR bits this CPU implements (what FXSAVE reports as MXCSR_MASK). */
const MXCSR_FEATURE_MASK = 0xffff;

/** What Linux gives a signal handler and a new program: FNINIT's x87 state, MXCSR 0x1f80. */
export function initialFxsaveImage(): Uint8Array {
  const image = new Uint8Array(FXSAVE_SIZE);
  const view = new DataView(image.buffer);
  view.setUint16(FX.FCW, 0x037f, true);
  view.setUint32(FX.MXCSR, 0x1f80, true);
  return image;
}

/** The two-bit tag of an occupied register from its contents (valid, zero or special). */
function tagOf(image: DataView, slot: number): number {
  const exponent = image.getUint16(slot + 8, true) & 0x7fff;
  const low = image.getUint32(slot, true);
  const high = image.getUint32(slot + 4, true);
  if (exponent === 0x7fff) return 2;
  if (exponent === 0) return low === 0 && high === 0 ? 1 : 2;
  return high & 0x80000000 ? 0 : 2;
}

/** The full tag word from FXSAVE's abridged one (Linux's twd_fxsr_to_i387). */
function fullTagWord(fx: DataView): number {
  const top = (fx.getUint16(FX.FSW, true) >> 11) & 7;
  const abridged = fx.getUint8(FX.FTW);
  let tags = 0;
  for (let physical = 0; physical < 8; physical++) {
    const tag = abridged & (1 << physical) ? tagOf(fx, FX.ST + 16 * ((physical - top) & 7)) : 3;
    tags |= tag << (2 * physical);
  }
  return (tags | 0xffff0000) >>> 0;
}

/**
 * The bytes sigcontext.fpstate points at (header, then the image) for the user FPU state
 * `fx` (a 512-byte FXSAVE image); `cs` and `ds` are the user selectors the 64-bit kernel
 * writes in place of the pointers' selectors.
 */
export function signalFpstate(fx: Uint8Array, cs: number, ds: number): Uint8Array {
  const out = new Uint8Array(FPSTATE_HEADER_SIZE + FXSAVE_SIZE);
  const view = new DataView(out.buffer);
  const src = new DataView(fx.buffer, fx.byteOffset, FXSAVE_SIZE);
  view.setUint32(HEADER.CWD, (src.getUint16(FX.FCW, true) | 0xffff0000) >>> 0, true);
  view.setUint32(HEADER.SWD, (src.getUint16(FX.FSW, true) | 0xffff0000) >>> 0, true);
  view.setUint32(HEADER.TWD, fullTagWord(src), true);
  view.setUint32(HEADER.FIP, src.getUint32(FX.FIP, true), true);
  view.setUint32(HEADER.FCS, cs, true);
  view.setUint32(HEADER.FOO, src.getUint32(FX.FDP, true), true);
  view.setUint32(HEADER.FOS, (ds | 0xffff0000) >>> 0, true);
  for (let i = 0; i < 8; i++)
    out.set(fx.subarray(FX.ST + 16 * i, FX.ST + 16 * i + 10), HEADER.ST + 10 * i);
  view.setUint16(HEADER.STATUS, src.getUint16(FX.FSW, true), true);
  view.setUint16(HEADER.MAGIC, X86_FXSR_MAGIC, true);
  out.set(fx.subarray(0, FXSAVE_SIZE), FPSTATE_HEADER_SIZE);
  // A 64-bit FXSAVE: FIP and FDP are 64 bits wide, with no selectors.
  view.setUint32(FPSTATE_HEADER_SIZE + FX.FCS, 0, true);
  view.setUint32(FPSTATE_HEADER_SIZE + FX.FDS, 0, true);
  return out;
}

/**
 * The FPU state rt_sigreturn restores from the frame's fpstate bytes (Linux's
 * __fpu_restore_sig for an ia32 frame with FXSR): the image, with its x87 environment and
 * registers taken from the legacy header (convert_to_fxsr), MXCSR limited to the bits
 * the CPU has. `selectors` are the user CS and DS for the 32-bit FXRSTOR's pointer fields.
 */
export function restoredFxsaveImage(
  fpstate: Uint8Array,
  selectors: { cs: number; ds: number },
): Uint8Array {
  const header = new DataView(fpstate.buffer, fpstate.byteOffset, FPSTATE_HEADER_SIZE);
  const image = fpstate.slice(FPSTATE_HEADER_SIZE, FPSTATE_HEADER_SIZE + FXSAVE_SIZE);
  const view = new DataView(image.buffer);
  view.setUint16(FX.FCW, header.getUint16(HEADER.CWD, true), true);
  view.setUint16(FX.FSW, header.getUint16(HEADER.SWD, true), true);
  const tags = header.getUint16(HEADER.TWD, true);
  let abridged = 0;
  for (let physical = 0; physical < 8; physical++)
    if (((tags >> (2 * physical)) & 3) !== 3) abridged |= 1 << physical;
  view.setUint16(FX.FTW, abridged, true);
  view.setUint16(FX.FOP, 0, true);
  view.setUint32(FX.FIP, header.getUint32(HEADER.FIP, true), true);
  view.setUint32(FX.FCS, selectors.cs, true);
  view.setUint32(FX.FDP, header.getUint32(HEADER.FOO, true), true);
  view.setUint32(FX.FDS, selectors.ds, true);
  for (let i = 0; i < 8; i++) {
    image.set(fpstate.subarray(HEADER.ST + 10 * i, HEADER.ST + 10 * i + 10), FX.ST + 16 * i);
    image.fill(0, FX.ST + 16 * i + 10, FX.ST + 16 * i + 16);
  }
  view.setUint32(FX.MXCSR, view.getUint32(FX.MXCSR, true) & MXCSR_FEATURE_MASK, true);
  return image;
}

/** siginfo codes for SIGFPE. */
const FPE_FLTDIV = 3;
const FPE_FLTOVF = 4;
const FPE_FLTUND = 5;
const FPE_FLTRES = 6;
const FPE_FLTINV = 7;

/**
 * The si_code of the SIGFPE for #MF (16) or #XM (19), from the FPU state at the exception
 * (Linux's fpu__exception_code): the first unmasked exception flag that is set, in the order
 * invalid, divide by zero, overflow, denormal or underflow, precision; 0 when there is none
 * (a spurious exception).
 */
export function fpuExceptionCode(vector: number, fx: Uint8Array): number {
  const view = new DataView(fx.buffer, fx.byteOffset, FXSAVE_SIZE);
  let err: number;
  if (vector === 16) {
    err = view.getUint16(FX.FSW, true) & ~view.getUint16(FX.FCW, true);
  } else {
    const mxcsr = view.getUint32(FX.MXCSR, true) & 0xffff;
    err = ~(mxcsr >> 7) & mxcsr;
  }
  if (err & 0x001) return FPE_FLTINV;
  if (err & 0x004) return FPE_FLTDIV;
  if (err & 0x008) return FPE_FLTOVF;
  if (err & 0x012) return FPE_FLTUND;
  if (err & 0x020) return FPE_FLTRES;
  return 0;
}

/** Where Linux puts the FPU state below `sp` (fpu__alloc_mathframe for an ia32 frame). */
export function fpstateAddress(sp: number): number {
  const fx = ((sp - FXSAVE_SIZE) & ~63) >>> 0;
  return (fx - FPSTATE_HEADER_SIZE) >>> 0;
}
