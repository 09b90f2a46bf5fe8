/**
 * Loads and stores with memory: FLD m32fp/m64fp/m80fp, FILD m16/m32/m64, FBLD, and FST(P)
 * m32fp/m64fp, FSTP m80fp, FIST(P) m16/m32, FISTP m64, FBSTP.
 *
 * The translator reads guest memory itself (so segment checks, paging and faults are those
 * of every other instruction) and passes the words to a load helper. A store runs in two
 * helpers around the guest writes: `prepare` converts ST(0) into `pending` words without
 * changing anything, the generated code writes them (a page fault there leaves the FPU as
 * it was), then `commit` raises the flags and pops.
 */
import {
  bcdToFloatx80,
  type Floatx80,
  float32ToFloatx80,
  float64ToFloatx80,
  floatx80ToBcd,
  floatx80ToFloat32,
  floatx80ToFloat64,
  floatx80ToInt16,
  floatx80ToInt32,
  floatx80ToInt64,
  int32ToFloatx80,
  int64ToFloatx80,
} from '@tsemu/softfloat';
import { defineHelper } from '../../core/ir/helper.js';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { beginOperation, type X87Context, x87Context } from './x87-context.js';
import {
  completeOperation,
  deliversResult,
  STOP_LOAD,
  STOP_MEMORY,
  stackOverflow,
  stackUnderflow,
} from './x87-exceptions.js';
import {
  FSW_IE,
  INDEFINITE_HIGH,
  INDEFINITE_SIGN_EXP,
  isEmpty,
  popTop,
  pushTop,
  readRegister,
  stPhysical,
  writeIndefinite,
  writeRegister,
} from './x87-state.js';

/** Memory formats of FLD/FILD/FBLD. */
export const LoadFormat = {
  Float32: 0,
  Float64: 1,
  Float80: 2,
  /** m16int or m32int, passed sign-extended. */
  Int32: 3,
  Int64: 4,
  Bcd: 5,
} as const;

/** Memory formats of FST/FIST/FBSTP. */
export const StoreFormat = {
  Float32: 0,
  Float64: 1,
  Float80: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  Bcd: 6,
} as const;

/**
 * Whether a push has room. When ST(7) is in use this is a stack overflow: the masked
 * response pushes the indefinite, and false is returned either way.
 */
export function pushRoom(cpu: X86Cpu): boolean {
  const fpu = cpu.fpu;
  if (isEmpty(fpu, (fpu[FPU.FTOP] - 1) & 7)) return true;
  if (stackOverflow(cpu)) writeIndefinite(fpu, cpu.fpregs, pushTop(fpu));
  return false;
}

/** Pushes `v` (the caller checked pushRoom). */
export function pushValue(cpu: X86Cpu, v: Floatx80): void {
  const fpu = cpu.fpu;
  writeRegister(fpu, cpu.fpregs, pushTop(fpu), v);
}

/** Ten bytes of memory (two dwords and a word, little-endian) into `bytes`. */
function wordsToBytes(bytes: Uint8Array, w0: number, w1: number, w2: number): void {
  for (let i = 0; i < 4; i++) {
    bytes[i] = (w0 >>> (8 * i)) & 0xff;
    bytes[4 + i] = (w1 >>> (8 * i)) & 0xff;
  }
  bytes[8] = w2 & 0xff;
  bytes[9] = (w2 >>> 8) & 0xff;
}

/**
 * FLD/FILD/FBLD from memory: `w0` `w1` `w2` are the operand's dword 0, dword 1 and the
 * word at offset 8 (as far as the format has them).
 */
export function x87Load(cpu: X86Cpu, format: number, w0: number, w1: number, w2: number): void {
  if (!pushRoom(cpu)) return;
  const x = beginOperation(cpu);
  const st = x.status;
  const r = x.result;
  switch (format) {
    case LoadFormat.Float32:
      float32ToFloatx80(w0 >>> 0, st, r);
      break;
    case LoadFormat.Float64:
      x.word.lo = w0 >>> 0;
      x.word.hi = w1 >>> 0;
      float64ToFloatx80(x.word, st, r);
      break;
    case LoadFormat.Float80:
      // Any encoding loads as it is; operations that read it judge it.
      r.low = w0 >>> 0;
      r.high = w1 >>> 0;
      r.signExp = w2 & 0xffff;
      break;
    case LoadFormat.Int32:
      int32ToFloatx80(w0, st, r);
      break;
    case LoadFormat.Int64:
      x.word.lo = w0 >>> 0;
      x.word.hi = w1 >>> 0;
      int64ToFloatx80(x.word, st, r);
      break;
    default:
      wordsToBytes(x.bcd, w0, w1, w2);
      bcdToFloatx80(x.bcd, st, r);
  }
  if (completeOperation(cpu, st.flags, false, STOP_LOAD)) pushValue(cpu, r);
}

/** The masked response to a store from an empty ST(0): each format's indefinite. */
function indefiniteFor(format: number, pending: Int32Array): void {
  pending[0] = 0;
  pending[1] = 0;
  pending[2] = 0;
  switch (format) {
    case StoreFormat.Float32:
      pending[0] = 0xffc00000 | 0;
      return;
    case StoreFormat.Float64:
      pending[1] = 0xfff80000 | 0;
      return;
    case StoreFormat.Float80:
      pending[1] = INDEFINITE_HIGH | 0;
      pending[2] = INDEFINITE_SIGN_EXP;
      return;
    case StoreFormat.Int16:
      pending[0] = 0x8000;
      return;
    case StoreFormat.Int32:
      pending[0] = 0x80000000 | 0;
      return;
    case StoreFormat.Int64:
      pending[1] = 0x80000000 | 0;
      return;
    default:
      // The packed BCD indefinite: bytes 9, 8, 7 = FF FF C0.
      pending[1] = 0xc0000000 | 0;
      pending[2] = 0xffff;
  }
}

/** ST(0) converted into `pending` (flags in x.status). */
function convert(x: X87Context, format: number, v: Floatx80): void {
  const st = x.status;
  const pending = x.pending;
  pending[1] = 0;
  pending[2] = 0;
  switch (format) {
    case StoreFormat.Float32:
      pending[0] = floatx80ToFloat32(v, st);
      return;
    case StoreFormat.Float64:
      floatx80ToFloat64(v, st, x.word);
      pending[0] = x.word.lo;
      pending[1] = x.word.hi;
      return;
    case StoreFormat.Float80:
      pending[0] = v.low;
      pending[1] = v.high;
      pending[2] = v.signExp;
      return;
    case StoreFormat.Int16:
      pending[0] = floatx80ToInt16(v, st);
      return;
    case StoreFormat.Int32:
      pending[0] = floatx80ToInt32(v, st);
      return;
    case StoreFormat.Int64:
      floatx80ToInt64(v, st, x.word);
      pending[0] = x.word.lo;
      pending[1] = x.word.hi;
      return;
    default: {
      const b = floatx80ToBcd(v, st, x.bcd);
      pending[0] = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
      pending[1] = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
      pending[2] = b[8] | (b[9] << 8);
    }
  }
}

/**
 * First half of a store: converts ST(0) to `format` into the pending words. Returns 1
 * when the generated code must write them, 0 when an unmasked exception keeps memory
 * unchanged. Changes no architectural state.
 */
export function x87PrepareStore(cpu: X86Cpu, format: number): number {
  const fpu = cpu.fpu;
  const phys = stPhysical(fpu, 0);
  if (isEmpty(fpu, phys)) {
    const x = x87Context(cpu);
    x.storeUnderflow = true;
    if ((fpu[FPU.FCW] & FSW_IE) === 0) return 0;
    indefiniteFor(format, x.pending);
    return 1;
  }
  const x = beginOperation(cpu);
  x.storeUnderflow = false;
  convert(x, format, readRegister(cpu.fpregs, phys, x.a));
  x.storeFlags = x.status.flags;
  x.storeRoundedUp = x.status.roundedUp;
  return deliversResult(fpu[FPU.FCW], x.storeFlags, STOP_MEMORY) ? 1 : 0;
}

/** Word `index` (0: bytes 0-3, 1: bytes 4-7, 2: bytes 8-9) of the prepared store. */
export function x87PendingWord(cpu: X86Cpu, index: number): number {
  return x87Context(cpu).pending[index];
}

/** Second half of a store: the flags, C1, and the pop of FSTP/FISTP/FBSTP (`pop` 1). */
export function x87CommitStore(cpu: X86Cpu, pop: number): void {
  const x = x87Context(cpu);
  if (x.storeUnderflow) {
    if (stackUnderflow(cpu) && pop) popTop(cpu.fpu);
    return;
  }
  if (completeOperation(cpu, x.storeFlags, x.storeRoundedUp, STOP_MEMORY) && pop) {
    popTop(cpu.fpu);
  }
}

// ---- IR helpers -----------------------------------------------------------------------------

export const helperX87Load = defineHelper({
  name: 'x87_load',
  nArgs: 4,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87Load,
});

export const helperX87PrepareStore = defineHelper({
  name: 'x87_store_prepare',
  nArgs: 1,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87PrepareStore,
});

export const helperX87PendingWord = defineHelper({
  name: 'x87_store_word',
  nArgs: 1,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87PendingWord,
});

export const helperX87CommitStore = defineHelper({
  name: 'x87_store_commit',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87CommitStore,
});
