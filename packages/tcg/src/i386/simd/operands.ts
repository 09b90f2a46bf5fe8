/**
 * How generated code names MMX/SSE operands to the helpers: a small integer handle for a
 * register, or "memory", in which case the operand's bytes travel as the helper's word
 * arguments (the translator loads them first, so a faulting load never reaches a helper
 * and never changes a register).
 *
 * Helpers copy operands into 128-bit scratch values (SimdEnv.a/.b), compute into a third
 * (SimdEnv.r), and copy that to the destination only when nothing faulted.
 */
import type { X86Cpu } from '../cpu/x86-cpu.js';
import type { Vec128 } from './env.js';

/** XMM0-XMM7 are handles 0-7. */
export const OPND_XMM = 0;
/** MM0-MM7 are handles 8-15. */
export const OPND_MMX = 8;
/** The operand is in the word arguments of the call. */
export const OPND_MEM = 16;

/** Exponent word written to an x87 register when an MMX instruction writes its significand. */
export const MMX_EXPONENT = 0xffff;

export function isMmxHandle(handle: number): boolean {
  return handle >= OPND_MMX && handle < OPND_MEM;
}

/** Fill `v` with operand `handle` (MMX registers and 64-bit memory leave the top half 0). */
export function loadOperand(
  cpu: X86Cpu,
  handle: number,
  v: Vec128,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): void {
  const d = v.i32;
  if (handle < OPND_MMX) {
    const x = cpu.xmm;
    const i = handle << 2;
    d[0] = x[i];
    d[1] = x[i + 1];
    d[2] = x[i + 2];
    d[3] = x[i + 3];
  } else if (handle < OPND_MEM) {
    const f = cpu.fpregs;
    const i = (handle - OPND_MMX) << 2;
    d[0] = f[i];
    d[1] = f[i + 1];
    d[2] = 0;
    d[3] = 0;
  } else {
    d[0] = w0;
    d[1] = w1;
    d[2] = w2;
    d[3] = w3;
  }
}

/** Write `v` to register operand `handle` (an MMX register takes the low 64 bits). */
export function storeOperand(cpu: X86Cpu, handle: number, v: Vec128): void {
  const s = v.i32;
  if (handle < OPND_MMX) {
    const x = cpu.xmm;
    const i = handle << 2;
    x[i] = s[0];
    x[i + 1] = s[1];
    x[i + 2] = s[2];
    x[i + 3] = s[3];
  } else if (handle < OPND_MEM) {
    const f = cpu.fpregs;
    const i = (handle - OPND_MMX) << 2;
    f[i] = s[0];
    f[i + 1] = s[1];
    f[i + 2] = MMX_EXPONENT;
  } else {
    throw new Error(`SIMD helper: operand handle ${handle} is not a register`);
  }
}
