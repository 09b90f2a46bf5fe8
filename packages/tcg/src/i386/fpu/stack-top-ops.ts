/**
 * The operand-less D9 E0-FF group, which works on the top of the stack: FCHS FABS FTST
 * FXAM, the constants, F2XM1 FYL2X FPTAN FPATAN FXTRACT FPREM1 FDECSTP FINCSTP, FPREM
 * FYL2XP1 FSQRT FSINCOS FRNDINT FSCALE FSIN FCOS. One helper takes the ModRM byte and
 * dispatches (these are rare enough that a switch costs nothing that matters).
 *
 * Condition codes, as the host sets them: C1 is the rounding direction of the result
 * (the quotient's bit 0 for FPREM/FPREM1); the trigonometric instructions clear C2, or set
 * it and leave ST(0) alone when |x| >= 2^63; C0 and C3 keep their values except after
 * FPREM/FPREM1 (quotient bits) and FXAM/FTST.
 */
import {
  type Floatx80,
  floatx80Abs,
  floatx80Atan2,
  floatx80Cos,
  floatx80Exp2m1,
  floatx80Extract,
  floatx80Negate,
  floatx80Remainder,
  floatx80RoundToInt,
  floatx80Scale,
  floatx80Sin,
  floatx80SinCos,
  floatx80Sqrt,
  floatx80Tan,
  floatx80Yl2x,
  floatx80Yl2xp1,
} from '@tsemu/softfloat';
import { defineHelper } from '../../core/ir/helper.js';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { x87CompareInteger, x87Examine } from './compare.js';
import { pushValue } from './load-store.js';
import { x87LoadConstant, x87MoveTop } from './register-ops.js';
import { beginOperation, type X87Context } from './x87-context.js';
import { completeOperation, stackOverflow, stackUnderflow } from './x87-exceptions.js';
import {
  FSW_C0,
  FSW_C1,
  FSW_C2,
  FSW_C3,
  isEmpty,
  popTop,
  pushTop,
  readRegister,
  stPhysical,
  writeIndefinite,
  writeRegister,
} from './x87-state.js';

/** A NaN (quiet or signalling; the pseudo-NaNs count too). */
function isNaNValue(v: Floatx80): boolean {
  return (v.signExp & 0x7fff) === 0x7fff && ((v.high & 0x7fffffff) | v.low) !== 0;
}

// ---- ST(0) = f(ST(0)) ---------------------------------------------------------------------

/** Reads ST(0) into x.a, or applies the stack-underflow response and returns null. */
function readSt0(cpu: X86Cpu): X87Context | null {
  const fpu = cpu.fpu;
  const phys = stPhysical(fpu, 0);
  if (isEmpty(fpu, phys)) {
    if (stackUnderflow(cpu)) writeIndefinite(fpu, cpu.fpregs, phys);
    return null;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, phys, x.a);
  return x;
}

/** ST(0) = x.result unless an unmasked exception stops it. */
function deliverSt0(cpu: X86Cpu, x: X87Context): boolean {
  const st = x.status;
  if (!completeOperation(cpu, st.flags, st.roundedUp)) return false;
  writeRegister(cpu.fpu, cpu.fpregs, stPhysical(cpu.fpu, 0), x.result);
  return true;
}

function signOp(cpu: X86Cpu, abs: boolean): void {
  const fpu = cpu.fpu;
  const x = readSt0(cpu);
  if (x === null) return;
  if (abs) floatx80Abs(x.a, x.result);
  else floatx80Negate(x.a, x.result);
  fpu[FPU.FSW] &= ~FSW_C1;
  writeRegister(fpu, cpu.fpregs, stPhysical(fpu, 0), x.result);
}

type UnaryOp = (a: Floatx80, st: X87Context['status'], out: Floatx80) => unknown;

function unary(cpu: X86Cpu, op: UnaryOp): void {
  const x = readSt0(cpu);
  if (x === null) return;
  op(x.a, x.status, x.result);
  deliverSt0(cpu, x);
}

/** FSIN/FCOS: C2 and nothing else out of range, C2 cleared otherwise. */
function trig(cpu: X86Cpu, cos: boolean): void {
  const fpu = cpu.fpu;
  fpu[FPU.FSW] &= ~FSW_C2;
  const x = readSt0(cpu);
  if (x === null) return;
  const cc = cos ? floatx80Cos(x.a, x.status, x.result) : floatx80Sin(x.a, x.status, x.result);
  if (cc & FSW_C2) fpu[FPU.FSW] |= FSW_C2;
  else deliverSt0(cpu, x);
}

// ---- ST(0) = f(ST(0), ST(1)) or ST(1) = f(ST(1), ST(0)) and pop ---------------------------

/** Reads ST(0) into x.a and ST(1) into x.b, or applies the underflow response. */
function readSt0St1(cpu: X86Cpu, dst: 0 | 1, pop: boolean): X87Context | null {
  const fpu = cpu.fpu;
  const p0 = stPhysical(fpu, 0);
  const p1 = stPhysical(fpu, 1);
  if (isEmpty(fpu, p0) || isEmpty(fpu, p1)) {
    if (stackUnderflow(cpu)) {
      writeIndefinite(fpu, cpu.fpregs, dst === 0 ? p0 : p1);
      if (pop) popTop(fpu);
    }
    return null;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, p0, x.a);
  readRegister(cpu.fpregs, p1, x.b);
  return x;
}

/** FPATAN, FYL2X, FYL2XP1: ST(1) = f(ST(1), ST(0)), then pop. */
function st1Op(
  cpu: X86Cpu,
  op: (y: Floatx80, x: Floatx80, st: X87Context['status'], out: Floatx80) => unknown,
): void {
  const fpu = cpu.fpu;
  const x = readSt0St1(cpu, 1, true);
  if (x === null) return;
  op(x.b, x.a, x.status, x.result);
  const st = x.status;
  if (completeOperation(cpu, st.flags, st.roundedUp)) {
    writeRegister(fpu, cpu.fpregs, stPhysical(fpu, 1), x.result);
    popTop(fpu);
  }
}

function fscale(cpu: X86Cpu): void {
  const x = readSt0St1(cpu, 0, false);
  if (x === null) return;
  floatx80Scale(x.a, x.b, x.status, x.result);
  deliverSt0(cpu, x);
}

/**
 * FPREM (`ieee` false) and FPREM1: C0 C3 C1 = quotient bits 2 1 0, C2 = incomplete. C2 is
 * cleared first; a NaN result (or an unmasked exception) leaves C0 and C3 as they were.
 */
function fprem(cpu: X86Cpu, ieee: boolean): void {
  const fpu = cpu.fpu;
  fpu[FPU.FSW] &= ~FSW_C2;
  const x = readSt0St1(cpu, 0, false);
  if (x === null) return;
  const cc = floatx80Remainder(x.a, x.b, x.status, x.result, ieee);
  if (!completeOperation(cpu, x.status.flags, false)) return;
  writeRegister(fpu, cpu.fpregs, stPhysical(fpu, 0), x.result);
  if (!isNaNValue(x.result)) fpu[FPU.FSW] = (fpu[FPU.FSW] & ~(FSW_C0 | FSW_C1 | FSW_C3)) | cc;
}

// ---- ST(0) = a, then push b ---------------------------------------------------------------

/**
 * Checks ST(0) and room for a push. On a fault, the masked response replaces ST(0) with
 * the indefinite and pushes another (host-checked), and null is returned.
 */
function readSt0ForPush(cpu: X86Cpu): X87Context | null {
  const fpu = cpu.fpu;
  const fpregs = cpu.fpregs;
  const p0 = stPhysical(fpu, 0);
  const empty = isEmpty(fpu, p0);
  if (empty || !isEmpty(fpu, (p0 - 1) & 7)) {
    // An empty ST(0) is reported before a full stack (host-checked).
    const masked = empty ? stackUnderflow(cpu) : stackOverflow(cpu);
    if (masked) {
      writeIndefinite(fpu, fpregs, p0);
      writeIndefinite(fpu, fpregs, pushTop(fpu));
    }
    return null;
  }
  const x = beginOperation(cpu);
  readRegister(fpregs, p0, x.a);
  return x;
}

/** ST(0) = x.result, push x.result2, unless an unmasked exception stops it. */
function deliverAndPush(cpu: X86Cpu, x: X87Context): boolean {
  const st = x.status;
  if (!completeOperation(cpu, st.flags, st.roundedUp)) return false;
  writeRegister(cpu.fpu, cpu.fpregs, stPhysical(cpu.fpu, 0), x.result);
  pushValue(cpu, x.result2);
  return true;
}

/** FXTRACT: ST(0) = exponent, then push the significand. */
function fxtract(cpu: X86Cpu): void {
  const x = readSt0ForPush(cpu);
  if (x === null) return;
  floatx80Extract(x.a, x.status, x.result2, x.result);
  deliverAndPush(cpu, x);
}

/** FPTAN: ST(0) = tan, then push 1.0. */
function fptan(cpu: X86Cpu): void {
  const fpu = cpu.fpu;
  fpu[FPU.FSW] &= ~FSW_C2;
  const x = readSt0ForPush(cpu);
  if (x === null) return;
  if (floatx80Tan(x.a, x.status, x.result) & FSW_C2) {
    fpu[FPU.FSW] |= FSW_C2;
    return;
  }
  // A NaN result (a NaN or invalid operand) is pushed in place of 1.0 (host-checked).
  if (isNaNValue(x.result)) x.result2.set(x.result);
  else {
    x.result2.signExp = 0x3fff;
    x.result2.high = 0x80000000;
    x.result2.low = 0;
  }
  deliverAndPush(cpu, x);
}

/** FSINCOS: ST(0) = sin, then push cos. */
function fsincos(cpu: X86Cpu): void {
  const fpu = cpu.fpu;
  fpu[FPU.FSW] &= ~FSW_C2;
  const x = readSt0ForPush(cpu);
  if (x === null) return;
  if (floatx80SinCos(x.a, x.status, x.result, x.result2) & FSW_C2) fpu[FPU.FSW] |= FSW_C2;
  else deliverAndPush(cpu, x);
}

// ---- the dispatcher -----------------------------------------------------------------------

/** D9 E0-FF (`modrm` is the second opcode byte). The decoder has rejected the holes. */
export function x87StackTopOperation(cpu: X86Cpu, modrm: number): void {
  switch (modrm) {
    case 0xe0:
      signOp(cpu, false);
      return;
    case 0xe1:
      signOp(cpu, true);
      return;
    case 0xe4:
      x87CompareInteger(cpu, 0, 0);
      return;
    case 0xe5:
      x87Examine(cpu);
      return;
    case 0xf0:
      unary(cpu, floatx80Exp2m1);
      return;
    case 0xf1:
      st1Op(cpu, floatx80Yl2x);
      return;
    case 0xf2:
      fptan(cpu);
      return;
    case 0xf3:
      st1Op(cpu, floatx80Atan2);
      return;
    case 0xf4:
      fxtract(cpu);
      return;
    case 0xf5:
      fprem(cpu, true);
      return;
    case 0xf6:
      x87MoveTop(cpu, -1);
      return;
    case 0xf7:
      x87MoveTop(cpu, 1);
      return;
    case 0xf8:
      fprem(cpu, false);
      return;
    case 0xf9:
      st1Op(cpu, floatx80Yl2xp1);
      return;
    case 0xfa:
      unary(cpu, floatx80Sqrt);
      return;
    case 0xfb:
      fsincos(cpu);
      return;
    case 0xfc:
      unary(cpu, floatx80RoundToInt);
      return;
    case 0xfd:
      fscale(cpu);
      return;
    case 0xfe:
      trig(cpu, false);
      return;
    case 0xff:
      trig(cpu, true);
      return;
    default:
      if (modrm >= 0xe8 && modrm <= 0xee) {
        x87LoadConstant(cpu, modrm - 0xe8);
        return;
      }
      throw new Error(`x87: D9 ${modrm.toString(16)} is not an operation of the D9 E0-FF group`);
  }
}

export const helperX87StackTopOperation = defineHelper({
  name: 'x87_d9_group',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87StackTopOperation,
});
