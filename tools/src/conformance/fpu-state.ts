/**
 * The x87/MMX/SSE state a test starts from, edited as the FXSAVE image FXRSTOR loads
 * (FPU_STATE_SIZE bytes, see state.ts), and its random generation: random rounding and
 * precision control, masked and sometimes unmasked exceptions (x87 and MXCSR), random
 * MXCSR rounding/FTZ/DAZ, sticky flags, empty and full registers, edge values.
 */
import {
  type LaneKind,
  putX80,
  randomIntBytes,
  randomLanes,
  randomX80,
  type X80,
} from './fp-values.js';
import type { Rng } from './rng.js';
import { FPU_STATE_SIZE, Fx } from './state.js';

/** MXCSR: the exception masks, and the reset value. */
export const MXCSR_MASKS = 0x1f80;
export const MXCSR_DEFAULT = 0x1f80;
const MXCSR_DAZ = 0x40;
const MXCSR_FTZ = 0x8000;

export class FpuState {
  readonly bytes = new Uint8Array(FPU_STATE_SIZE);
  private readonly view = new DataView(this.bytes.buffer);

  constructor() {
    this.fcw = 0x037f;
    this.mxcsr = MXCSR_DEFAULT;
  }

  get fcw(): number {
    return this.view.getUint16(Fx.FCW, true);
  }
  set fcw(value: number) {
    this.view.setUint16(Fx.FCW, value, true);
  }
  /** The status word, TOP in bits 11-13. */
  get fsw(): number {
    return this.view.getUint16(Fx.FSW, true);
  }
  set fsw(value: number) {
    this.view.setUint16(Fx.FSW, value, true);
  }
  get top(): number {
    return (this.fsw >> 11) & 7;
  }
  get mxcsr(): number {
    return this.view.getUint32(Fx.MXCSR, true);
  }
  set mxcsr(value: number) {
    this.view.setUint32(Fx.MXCSR, value >>> 0, true);
  }

  /** ST(i), relative to TOP as FXSAVE stores them. */
  st(i: number): X80 {
    const at = Fx.ST + 16 * i;
    return {
      low: this.view.getUint32(at, true),
      high: this.view.getUint32(at + 4, true),
      signExp: this.view.getUint16(at + 8, true),
    };
  }
  setSt(i: number, value: X80): void {
    putX80(this.view, Fx.ST + 16 * i, value);
  }

  /** Whether ST(i) is empty (the abridged tag of its physical register). */
  isEmpty(i: number): boolean {
    return ((this.bytes[Fx.FTW] as number) & (1 << ((this.top + i) & 7))) === 0;
  }
  setEmpty(i: number, empty: boolean): void {
    const bit = 1 << ((this.top + i) & 7);
    const tags = this.bytes[Fx.FTW] as number;
    this.bytes[Fx.FTW] = empty ? tags & ~bit : tags | bit;
  }

  xmm(i: number): Uint8Array {
    return this.bytes.subarray(Fx.XMM + 16 * i, Fx.XMM + 16 * i + 16);
  }
  setXmm(i: number, bytes: Uint8Array): void {
    this.bytes.set(bytes.subarray(0, 16), Fx.XMM + 16 * i);
  }

  /** MMi is the significand of physical register Ri, which FXSAVE stores as ST((i - TOP) & 7). */
  mm(i: number): Uint8Array {
    const at = Fx.ST + 16 * ((i - this.top) & 7);
    return this.bytes.subarray(at, at + 8);
  }
  /** Sets MMi; the exponent word becomes 0xffff, as after an MMX write. */
  setMm(i: number, bytes: Uint8Array): void {
    const at = Fx.ST + 16 * ((i - this.top) & 7);
    this.bytes.set(bytes.subarray(0, 8), at);
    this.view.setUint16(at + 8, 0xffff, true);
  }
}

/** An x87 control word: rounding, precision, masks (mostly all masked), infinity control. */
export function randomControlWord(r: Rng): number {
  const masks = r.chance(0.8) ? 0x3f : r.below(64);
  const precision = r.pick([3, 3, 3, 2, 2, 0, 1]);
  return 0x40 | masks | (precision << 8) | (r.below(4) << 10) | (r.chance(0.1) ? 0x1000 : 0);
}

/**
 * An x87 status word for control word `fcw`: random condition codes and TOP, and sticky
 * exception flags that are masked, except now and then an unmasked one (then ES and B are
 * set, and the next waiting instruction raises #MF).
 */
export function randomStatusWord(r: Rng, fcw: number): number {
  let flags = r.chance(0.4) ? r.u32() & 0x3f : 0;
  if (!r.chance(0.03)) flags &= fcw;
  if (flags & 1 && r.chance(0.5)) flags |= 0x40; // a stack fault
  const pending = (flags & ~fcw & 0x3f) !== 0;
  return (r.u32() & 0x4700) | (r.below(8) << 11) | flags | (pending ? 0x8080 : 0);
}

/** MXCSR: random rounding, FTZ, DAZ, sticky flags, and mostly masked exceptions. */
export function randomMxcsr(r: Rng): number {
  const masks = r.chance(0.8) ? MXCSR_MASKS : (r.below(64) << 7) >>> 0;
  const flags = r.chance(0.4) ? r.u32() & 0x3f : 0;
  return (
    masks |
    flags |
    (r.below(4) << 13) |
    (r.chance(0.25) ? MXCSR_FTZ : 0) |
    (r.chance(0.25) ? MXCSR_DAZ : 0)
  );
}

export interface RandomFpuOptions {
  /** What the XMM registers mostly hold (the rest: any kind). */
  readonly lanes?: LaneKind;
  /** The x87 registers hold MMX values (integer lanes, exponent 0xffff). */
  readonly mmx?: boolean;
}

/** A random starting state. */
export function randomFpuState(r: Rng, options: RandomFpuOptions = {}): FpuState {
  const s = new FpuState();
  s.fcw = randomControlWord(r);
  s.fsw = randomStatusWord(r, s.fcw);
  for (let i = 0; i < 8; i++) {
    const pEmpty = i === 7 ? 0.85 : i < 2 ? 0.05 : 0.12;
    s.setEmpty(i, r.chance(pEmpty));
    s.setSt(i, randomX80(r));
  }
  if (options.mmx) {
    for (let i = 0; i < 8; i++) s.setMm(i, randomIntBytes(r, 8));
  }
  s.mxcsr = randomMxcsr(r);
  for (let i = 0; i < 8; i++) {
    const kind = options.lanes && r.chance(0.8) ? options.lanes : 'any';
    s.setXmm(i, randomLanes(r, kind, 16));
  }
  return s;
}
