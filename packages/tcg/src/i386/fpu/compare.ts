/**
 * Comparisons and classification: FCOM/FCOMP/FCOMPP and FUCOM/FUCOMP/FUCOMPP (condition
 * codes C3 C2 C0), FCOMI/FCOMIP/FUCOMI/FUCOMIP (EFLAGS ZF PF CF), FICOM/FICOMP, FTST and
 * FXAM.
 *
 * What the host does, and so do we: the condition codes (or EFLAGS) are written even when
 * an unmasked invalid operation stops the instruction, which then does not pop; an empty
 * operand compares as unordered, with IE and SF.
 */
import {
  compareEflags,
  FloatRelation,
  floatx80Compare,
  floatx80CompareFloat32,
  floatx80CompareFloat64,
  floatx80Examine,
  int32ToFloatx80,
  x87CompareConditionCodes,
} from '@tsemu/softfloat';
import { defineHelper } from '../../core/ir/helper.js';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { beginOperation, x87Context } from './x87-context.js';
import { raiseFlags, stackUnderflow } from './x87-exceptions.js';
import {
  FSW_C0,
  FSW_C2,
  FSW_C3,
  FSW_CC,
  isEmpty,
  popTop,
  readRegister,
  stPhysical,
} from './x87-state.js';

/** Mode bits of the compare helpers. */
export const CompareMode = {
  /** FUCOM*: only SNaN (and unsupported encodings) raise IE; QNaN compares unordered. */
  QUIET: 1,
  /** Pops after the compare: 1 (FCOMP, FCOMIP...) or 2 (FCOMPP); bits 1-2. */
  POP_SHIFT: 1,
} as const;

/** Writes C3 C2 C0 (C1 = 0), raises the flags and pops `pops` times unless stopped. */
function finishCompare(cpu: X86Cpu, relation: FloatRelation, flags: number, pops: number): void {
  const fpu = cpu.fpu;
  fpu[FPU.FSW] = (fpu[FPU.FSW] & ~FSW_CC) | x87CompareConditionCodes(relation);
  if (raiseFlags(cpu, flags)) for (let i = 0; i < pops; i++) popTop(fpu);
}

/** Stack underflow of a compare: unordered, and the pops only when IE is masked. */
function underflowCompare(cpu: X86Cpu, pops: number): void {
  const fpu = cpu.fpu;
  const masked = stackUnderflow(cpu);
  fpu[FPU.FSW] |= FSW_C3 | FSW_C2 | FSW_C0;
  if (masked) for (let i = 0; i < pops; i++) popTop(fpu);
}

/** FCOM/FUCOM ST(0) with ST(i), with `mode` as CompareMode says. */
export function x87CompareRegisters(cpu: X86Cpu, i: number, mode: number): void {
  const fpu = cpu.fpu;
  const pops = mode >> CompareMode.POP_SHIFT;
  const a = stPhysical(fpu, 0);
  const b = stPhysical(fpu, i);
  if (isEmpty(fpu, a) || isEmpty(fpu, b)) {
    underflowCompare(cpu, pops);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, a, x.a);
  readRegister(cpu.fpregs, b, x.b);
  const relation = floatx80Compare(x.a, x.b, x.status, (mode & CompareMode.QUIET) !== 0);
  finishCompare(cpu, relation, x.status.flags, pops);
}

/** FCOM/FCOMP m32fp (`pops` 0 or 1). */
export function x87CompareFloat32(cpu: X86Cpu, value: number, pops: number): void {
  const fpu = cpu.fpu;
  const a = stPhysical(fpu, 0);
  if (isEmpty(fpu, a)) {
    underflowCompare(cpu, pops);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, a, x.a);
  const relation = floatx80CompareFloat32(x.a, value >>> 0, x.status);
  finishCompare(cpu, relation, x.status.flags, pops);
}

/** FCOM/FCOMP m64fp. */
export function x87CompareFloat64(cpu: X86Cpu, lo: number, hi: number, pops: number): void {
  const fpu = cpu.fpu;
  const a = stPhysical(fpu, 0);
  if (isEmpty(fpu, a)) {
    underflowCompare(cpu, pops);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, a, x.a);
  x.word.lo = lo >>> 0;
  x.word.hi = hi >>> 0;
  const relation = floatx80CompareFloat64(x.a, x.word, x.status);
  finishCompare(cpu, relation, x.status.flags, pops);
}

/** FICOM/FICOMP m16int/m32int (sign-extended), and FTST (value 0). Signalling. */
export function x87CompareInteger(cpu: X86Cpu, value: number, pops: number): void {
  const fpu = cpu.fpu;
  const a = stPhysical(fpu, 0);
  if (isEmpty(fpu, a)) {
    underflowCompare(cpu, pops);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, a, x.a);
  int32ToFloatx80(value, x.status, x.b);
  const relation = floatx80Compare(x.a, x.b, x.status, false);
  finishCompare(cpu, relation, x.status.flags, pops);
}

/**
 * FCOMI/FUCOMI ST(0), ST(i) (and the popping forms): returns the new arithmetic EFLAGS,
 * ZF PF CF from the relation with OF SF AF cleared (host-checked). EFLAGS are written
 * even when an unmasked IE stops the pop; C1 is left alone, as the host leaves it.
 */
export function x87CompareEflags(cpu: X86Cpu, i: number, mode: number): number {
  const fpu = cpu.fpu;
  const pops = mode >> CompareMode.POP_SHIFT;
  const a = stPhysical(fpu, 0);
  const b = stPhysical(fpu, i);
  if (isEmpty(fpu, a) || isEmpty(fpu, b)) {
    if (stackUnderflow(cpu)) for (let k = 0; k < pops; k++) popTop(fpu);
    return compareEflags(FloatRelation.Unordered);
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, a, x.a);
  readRegister(cpu.fpregs, b, x.b);
  const relation = floatx80Compare(x.a, x.b, x.status, (mode & CompareMode.QUIET) !== 0);
  if (raiseFlags(cpu, x.status.flags)) for (let k = 0; k < pops; k++) popTop(fpu);
  return compareEflags(relation);
}

/** FXAM: the class of ST(0) in C3 C2 C0 and its sign in C1; an empty ST(0) is "empty". */
export function x87Examine(cpu: X86Cpu): void {
  const fpu = cpu.fpu;
  const phys = stPhysical(fpu, 0);
  const value = readRegister(cpu.fpregs, phys, x87Context(cpu).a);
  fpu[FPU.FSW] = (fpu[FPU.FSW] & ~FSW_CC) | floatx80Examine(value, isEmpty(fpu, phys));
}

// ---- IR helpers ---------------------------------------------------------------------------

export const helperX87CompareRegisters = defineHelper({
  name: 'x87_com_st',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87CompareRegisters,
});

export const helperX87CompareFloat32 = defineHelper({
  name: 'x87_com_m32fp',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87CompareFloat32,
});

export const helperX87CompareFloat64 = defineHelper({
  name: 'x87_com_m64fp',
  nArgs: 3,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87CompareFloat64,
});

export const helperX87CompareInteger = defineHelper({
  name: 'x87_com_mint',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87CompareInteger,
});

export const helperX87CompareEflags = defineHelper({
  name: 'x87_comi',
  nArgs: 2,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87CompareEflags,
});

export const helperX87Examine = defineHelper({
  name: 'x87_fxam',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87Examine,
});
