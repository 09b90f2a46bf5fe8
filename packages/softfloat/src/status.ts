/**
 * FloatStatus: the mode an operation runs in and the flags it raises (QEMU's
 * `float_status`). A CPU owns two: one for the x87 (control/status word) and one for SSE
 * (MXCSR). Nothing lives at module level, so two machines never share flags.
 */
import { Work } from './internal/parts.js';

/** Rounding control, encoded as in the x87 control word (bits 11..10) and MXCSR (14..13). */
export const RoundingMode = {
  NearestEven: 0,
  Down: 1,
  Up: 2,
  TowardZero: 3,
} as const;
export type RoundingMode = (typeof RoundingMode)[keyof typeof RoundingMode];

/**
 * x87 precision control: significand bits kept by FADD/FSUB/FMUL/FDIV/FSQRT results
 * (control word bits 9..8: 00 = 24, 10 = 53, 11 = 64; 01 is reserved and acts as 64 here).
 */
export type X87Precision = 24 | 53 | 64;

/**
 * Exception flags, with the bit layout of the x87 status word and of MXCSR bits 5..0
 * (and of the mask bits in the x87 control word and MXCSR bits 12..7, shifted).
 */
export const FloatFlag = {
  /** IE: invalid operation (SNaN operand, inf-inf, 0*inf, 0/0, sqrt(-x), bad conversion). */
  Invalid: 0x01,
  /** DE: an operand was denormal (x87: also pseudo-denormal). */
  Denormal: 0x02,
  /** ZE: division of a finite non-zero value by zero (and log of zero, FXTRACT of zero). */
  DivideByZero: 0x04,
  /** OE: the rounded result is too large for the destination. */
  Overflow: 0x08,
  /** UE: the result is tiny (and, when underflow is masked, inexact). */
  Underflow: 0x10,
  /** PE: the result had to be rounded. */
  Inexact: 0x20,
} as const;
export type FloatFlag = (typeof FloatFlag)[keyof typeof FloatFlag];

/** All six flags. */
export const ALL_FLOAT_FLAGS = 0x3f;

export interface FloatStatusOptions {
  roundingMode?: RoundingMode;
  precision?: X87Precision;
  flushToZero?: boolean;
  denormalsAreZero?: boolean;
  exceptionMask?: number;
}

export class FloatStatus {
  /** Rounding mode for every rounding operation. */
  roundingMode: RoundingMode = RoundingMode.NearestEven;
  /** x87 precision control; only the x87 arithmetic ops listed at X87Precision use it. */
  precision: X87Precision = 64;
  /** MXCSR.FZ: tiny results (underflow masked) become signed zeros (float32/float64 ops). */
  flushToZero = false;
  /** MXCSR.DAZ: denormal operands read as signed zeros, without the denormal flag. */
  denormalsAreZero = false;
  /**
   * Exception masks in the flag layout (1 = masked). Only the overflow and underflow masks
   * change results: an unmasked underflow is reported even when exact, and an x87
   * register result of an unmasked overflow/underflow gets its exponent wrapped by 24576,
   * as the 387+ does before delivering #MF. Whether to deliver the exception, and to keep
   * or drop the result, is the CPU's business.
   */
  exceptionMask = ALL_FLOAT_FLAGS;
  /** Accumulated exception flags (FloatFlag bits); operations only ever set bits. */
  flags = 0;
  /**
   * x87 C1 after a rounding operation: true when the result was rounded up in magnitude.
   * Every operation that rounds sets it (true or false); the others leave it alone.
   */
  roundedUp = false;

  /**
   * @internal Scratch space for the operations (unpacked operands, the packed result,
   * limb buffers), so that they allocate nothing. Not part of the API.
   */
  readonly work = new Work();

  constructor(options: FloatStatusOptions = {}) {
    if (options.roundingMode !== undefined) this.roundingMode = options.roundingMode;
    if (options.precision !== undefined) this.precision = options.precision;
    if (options.flushToZero !== undefined) this.flushToZero = options.flushToZero;
    if (options.denormalsAreZero !== undefined) this.denormalsAreZero = options.denormalsAreZero;
    if (options.exceptionMask !== undefined) this.exceptionMask = options.exceptionMask;
  }

  /** Takes rounding control, precision control and the exception masks from an x87 control word. */
  setX87ControlWord(controlWord: number): void {
    this.roundingMode = ((controlWord >>> 10) & 3) as RoundingMode;
    const pc = (controlWord >>> 8) & 3;
    this.precision = pc === 0 ? 24 : pc === 2 ? 53 : 64;
    this.exceptionMask = controlWord & ALL_FLOAT_FLAGS;
  }

  /** Takes rounding, FZ, DAZ and the exception masks from MXCSR (flags are not loaded). */
  setMxcsr(mxcsr: number): void {
    this.roundingMode = ((mxcsr >>> 13) & 3) as RoundingMode;
    this.flushToZero = (mxcsr & 0x8000) !== 0;
    this.denormalsAreZero = (mxcsr & 0x40) !== 0;
    this.exceptionMask = (mxcsr >>> 7) & ALL_FLOAT_FLAGS;
  }

  /** Raises flags (ORs them into `flags`). */
  raise(flags: number): void {
    this.flags |= flags;
  }

  /** Returns the accumulated flags and clears them. */
  takeFlags(): number {
    const flags = this.flags;
    this.flags = 0;
    return flags;
  }
}
