/**
 * The two shapes of MMX/SSE helper, so that every operation is written once as a body
 * over 128-bit scratch values:
 *
 * - `vectorHelper(name, body)`: (dst, src, w0, w1, w2, w3, imm). The destination and the
 *   source (a register handle, or OPND_MEM with the source's bytes in w0..w3) are copied
 *   to env.a and env.b, env.r starts as a copy of the destination, the body fills env.r,
 *   and env.r goes back to the destination. With `float: true` the body gets the
 *   FloatStatus loaded from MXCSR and may end in #XM, before anything is written.
 * - `scalarResultHelper(name, body)`: (dst, src, w0, w1, w2, w3) returning a 32-bit
 *   value computed from env.a and env.b (COMISS's EFLAGS; CVTSS2SI, whose destination is
 *   a general register, passes OPND_MEM as `dst`).
 */
import type { FloatStatus } from '@tsemu/softfloat';
import { defineHelper, type HelperInfo } from '../../core/ir/helper.js';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { type SimdEnv, simdEnv } from './env.js';
import { beginSse, finishSse } from './mxcsr.js';
import { isMmxHandle, loadOperand, storeOperand } from './operands.js';

// Local aliases of the imported functions and slots used on every call: under a loader
// that compiles modules to CommonJS (tsx, which the benchmarks use), each access to an
// imported binding is a getter call; a module-level alias is read directly.
const envOf = simdEnv;
const loadOp = loadOperand;
const storeOp = storeOperand;
const isMmx = isMmxHandle;
const begin = beginSse;
const finish = finishSse;
const MXCSR_SLOT = FPU.MXCSR;

/**
 * Fills env.r from env.a (destination) and env.b (source). `bytes` is the register width
 * (8 for MMX, 16 for XMM); `mxcsr` is MXCSR as the operation starts.
 */
export type VectorBody = (
  env: SimdEnv,
  status: FloatStatus,
  imm: number,
  bytes: 8 | 16,
  mxcsr: number,
) => void;

export interface VectorHelperOptions {
  /** Reads MXCSR and may raise #XM/#UD (default false: an integer operation). */
  float?: boolean;
}

export function vectorHelper(
  name: string,
  body: VectorBody,
  options: VectorHelperOptions = {},
): HelperInfo {
  const float = options.float ?? false;
  return defineHelper({
    name,
    nArgs: 7,
    reads: 'none',
    writes: 'none',
    canRaise: float,
    fn: (
      cpu: X86Cpu,
      dst: number,
      src: number,
      w0: number,
      w1: number,
      w2: number,
      w3: number,
      imm: number,
    ) => {
      const env = envOf(cpu);
      loadOp(cpu, dst, env.a, 0, 0, 0, 0);
      loadOp(cpu, src, env.b, w0, w1, w2, w3);
      env.r.i32.set(env.a.i32);
      const bytes = isMmx(dst) ? 8 : 16;
      if (float) {
        const status = begin(cpu, env);
        body(env, status, imm, bytes, cpu.fpu[MXCSR_SLOT]);
        finish(cpu, env);
      } else {
        body(env, env.status, imm, bytes, 0);
      }
      storeOp(cpu, dst, env.r);
    },
  });
}

/** Computes a 32-bit result from env.b (the source operand). */
export type ScalarResultBody = (env: SimdEnv, status: FloatStatus, mxcsr: number) => number;

export function scalarResultHelper(name: string, body: ScalarResultBody): HelperInfo {
  return defineHelper({
    name,
    nArgs: 6,
    hasReturn: true,
    reads: 'none',
    writes: 'none',
    canRaise: true,
    fn: (cpu: X86Cpu, dst: number, src: number, w0: number, w1: number, w2: number, w3: number) => {
      const env = envOf(cpu);
      loadOp(cpu, dst, env.a, 0, 0, 0, 0);
      loadOp(cpu, src, env.b, w0, w1, w2, w3);
      const status = begin(cpu, env);
      const result = body(env, status, cpu.fpu[MXCSR_SLOT]);
      finish(cpu, env);
      return result;
    },
  });
}
