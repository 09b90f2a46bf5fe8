/**
 * FADD FMUL FSUB FSUBR FDIV FDIVR in all their operand forms: ST(0) with ST(i), ST(i)
 * with ST(0) (and the popping FxxxP), ST(0) with an m32fp, m64fp, m16int or m32int.
 *
 * Operations are numbered as ModRM.reg numbers them in D8 (softfloat's X87Arith): 0 add,
 * 1 mul, 4 sub, 5 reversed sub, 6 div, 7 reversed div; "a op b" with a the destination.
 * The DC/DE register forms name their subtractions the other way round (DC E0+i is FSUBR
 * ST(i), ST(0) = ST(0) - ST(i)), which is the same table with reg 4-7 XOR 1.
 */
import {
  type FloatStatus,
  type Floatx80,
  floatx80Add,
  floatx80ArithFloat32,
  floatx80ArithFloat64,
  floatx80Div,
  floatx80Mul,
  floatx80Sub,
  int32ToFloatx80,
  X87Arith,
} from '@tsemu/softfloat';
import { defineHelper } from '../../core/ir/helper.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { beginOperation, type X87Context } from './x87-context.js';
import { completeOperation, stackUnderflow } from './x87-exceptions.js';
import {
  isEmpty,
  popTop,
  readRegister,
  stPhysical,
  writeIndefinite,
  writeRegister,
} from './x87-state.js';

/** a op b into out (op: X87Arith). */
function arithmetic(op: number, a: Floatx80, b: Floatx80, st: FloatStatus, out: Floatx80): void {
  switch (op) {
    case X87Arith.Add:
      floatx80Add(a, b, st, out);
      return;
    case X87Arith.Mul:
      floatx80Mul(a, b, st, out);
      return;
    case X87Arith.Sub:
      floatx80Sub(a, b, st, out);
      return;
    case X87Arith.SubReversed:
      floatx80Sub(b, a, st, out);
      return;
    case X87Arith.Div:
      floatx80Div(a, b, st, out);
      return;
    default:
      floatx80Div(b, a, st, out);
  }
}

/** Writes the operation's result to physical register `phys` unless an exception stops it. */
function deliver(cpu: X86Cpu, x: X87Context, phys: number, pop: boolean): void {
  const st = x.status;
  if (completeOperation(cpu, st.flags, st.roundedUp)) {
    writeRegister(cpu.fpu, cpu.fpregs, phys, x.result);
    if (pop) popTop(cpu.fpu);
  }
}

/** An empty operand: the masked response is the indefinite in the destination. */
function underflow(cpu: X86Cpu, phys: number, pop: boolean): void {
  if (stackUnderflow(cpu)) {
    writeIndefinite(cpu.fpu, cpu.fpregs, phys);
    if (pop) popTop(cpu.fpu);
  }
}

/** ST(dst) = ST(dst) op ST(src), then a pop when `pop` is 1. */
export function x87ArithRegisters(
  cpu: X86Cpu,
  op: number,
  dst: number,
  src: number,
  pop: number,
): void {
  const fpu = cpu.fpu;
  const d = stPhysical(fpu, dst);
  const s = stPhysical(fpu, src);
  if (isEmpty(fpu, d) || isEmpty(fpu, s)) {
    underflow(cpu, d, pop !== 0);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, d, x.a);
  readRegister(cpu.fpregs, s, x.b);
  arithmetic(op, x.a, x.b, x.status, x.result);
  deliver(cpu, x, d, pop !== 0);
}

/** ST(0) = ST(0) op m32fp (the memory operand is not widened first: see softfloat). */
export function x87ArithFloat32(cpu: X86Cpu, op: number, value: number): void {
  const fpu = cpu.fpu;
  const d = stPhysical(fpu, 0);
  if (isEmpty(fpu, d)) {
    underflow(cpu, d, false);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, d, x.a);
  floatx80ArithFloat32(op as X87Arith, x.a, value >>> 0, x.status, x.result);
  deliver(cpu, x, d, false);
}

/** ST(0) = ST(0) op m64fp (`lo`, `hi`: the two dwords). */
export function x87ArithFloat64(cpu: X86Cpu, op: number, lo: number, hi: number): void {
  const fpu = cpu.fpu;
  const d = stPhysical(fpu, 0);
  if (isEmpty(fpu, d)) {
    underflow(cpu, d, false);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, d, x.a);
  x.word.lo = lo >>> 0;
  x.word.hi = hi >>> 0;
  floatx80ArithFloat64(op as X87Arith, x.a, x.word, x.status, x.result);
  deliver(cpu, x, d, false);
}

/** ST(0) = ST(0) op m16int/m32int (`value` sign-extended; the conversion is exact). */
export function x87ArithInteger(cpu: X86Cpu, op: number, value: number): void {
  const fpu = cpu.fpu;
  const d = stPhysical(fpu, 0);
  if (isEmpty(fpu, d)) {
    underflow(cpu, d, false);
    return;
  }
  const x = beginOperation(cpu);
  readRegister(cpu.fpregs, d, x.a);
  int32ToFloatx80(value, x.status, x.b);
  arithmetic(op, x.a, x.b, x.status, x.result);
  deliver(cpu, x, d, false);
}

// ---- IR helpers -----------------------------------------------------------------------------
// They touch only the x87 state arrays (no IR globals) and never raise: a pending
// exception is checked in generated code before them.

export const helperX87ArithRegisters = defineHelper({
  name: 'x87_arith_st',
  nArgs: 4,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87ArithRegisters,
});

export const helperX87ArithFloat32 = defineHelper({
  name: 'x87_arith_m32fp',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87ArithFloat32,
});

export const helperX87ArithFloat64 = defineHelper({
  name: 'x87_arith_m64fp',
  nArgs: 3,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87ArithFloat64,
});

export const helperX87ArithInteger = defineHelper({
  name: 'x87_arith_mint',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: x87ArithInteger,
});
