/**
 * Register-to-register moves and stack management: FLD ST(i), FST/FSTP ST(i), FXCH,
 * FCMOVcc, FFREE/FFREEP, FDECSTP/FINCSTP, and the constants FLD1 FLDL2T FLDL2E FLDPI
 * FLDLG2 FLDLN2 FLDZ.
 *
 * C1 as the host leaves it: cleared by FLD, FST, FXCH, FFREE, FDECSTP/FINCSTP and the
 * constants (even when the rounding control rounded the constant up), untouched by
 * FCMOVcc; set by a stack overflow, cleared by an underflow.
 */
import { defineHelper } from '../../core/ir/helper.js';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { pushRoom } from './load-store.js';
import { stackUnderflow } from './x87-exceptions.js';
import {
  copyRegister,
  FCW_RC_SHIFT,
  FSW_C1,
  isEmpty,
  popTop,
  pushTop,
  stPhysical,
  writeIndefinite,
} from './x87-state.js';

function clearC1(fpu: Int32Array): void {
  fpu[FPU.FSW] &= ~FSW_C1;
}

/** FLD ST(i): pushes a copy of ST(i). */
export function x87LoadRegister(cpu: X86Cpu, i: number): void {
  const fpu = cpu.fpu;
  const src = stPhysical(fpu, i);
  // An empty source is reported before a full stack (host-checked).
  if (isEmpty(fpu, src)) {
    if (stackUnderflow(cpu)) writeIndefinite(fpu, cpu.fpregs, pushTop(fpu));
    return;
  }
  if (!pushRoom(cpu)) return;
  clearC1(fpu);
  copyRegister(fpu, cpu.fpregs, src, pushTop(fpu));
}

/**
 * FST ST(i) (`pop` 0), FSTP ST(i) (`pop` 1), and the alias FSTP1 (D9 D8+i, `pop` 2),
 * which from an empty ST(0) only clears C1 and pops: no stack fault, ST(i) untouched (host-checked;
 * the aliases DF D0+i and DF D8+i behave as FSTP).
 */
export function x87StoreRegister(cpu: X86Cpu, i: number, pop: number): void {
  const fpu = cpu.fpu;
  const src = stPhysical(fpu, 0);
  const dst = stPhysical(fpu, i);
  if (isEmpty(fpu, src) && pop === 2) {
    clearC1(fpu);
    popTop(fpu);
    return;
  }
  if (isEmpty(fpu, src)) {
    if (stackUnderflow(cpu)) {
      writeIndefinite(fpu, cpu.fpregs, dst);
      if (pop) popTop(fpu);
    }
    return;
  }
  clearC1(fpu);
  copyRegister(fpu, cpu.fpregs, src, dst);
  if (pop) popTop(fpu);
}

/** Swaps two physical registers' contents and empty tags. */
function swapRegisters(fpu: Int32Array, fpregs: Int32Array, a: number, b: number): void {
  for (let k = 0; k < 3; k++) {
    const t = fpregs[(a << 2) + k];
    fpregs[(a << 2) + k] = fpregs[(b << 2) + k];
    fpregs[(b << 2) + k] = t;
  }
  const tags = fpu[FPU.FTAGS_EMPTY];
  const ta = (tags >> a) & 1;
  const tb = (tags >> b) & 1;
  fpu[FPU.FTAGS_EMPTY] = (tags & ~((1 << a) | (1 << b))) | (ta << b) | (tb << a);
}

/** FXCH ST(i). An empty operand is replaced by the indefinite first (masked underflow). */
export function x87Exchange(cpu: X86Cpu, i: number): void {
  const fpu = cpu.fpu;
  const fpregs = cpu.fpregs;
  const a = stPhysical(fpu, 0);
  const b = stPhysical(fpu, i);
  if (isEmpty(fpu, a) || isEmpty(fpu, b)) {
    if (!stackUnderflow(cpu)) return;
    if (isEmpty(fpu, a)) writeIndefinite(fpu, fpregs, a);
    if (isEmpty(fpu, b)) writeIndefinite(fpu, fpregs, b);
  } else {
    clearC1(fpu);
  }
  swapRegisters(fpu, fpregs, a, b);
}

/**
 * FCMOVcc ST(0), ST(i): `condition` was evaluated from EFLAGS by the generated code. Both
 * registers are checked whether or not the move happens (host-checked).
 */
export function x87ConditionalMove(cpu: X86Cpu, i: number, condition: number): void {
  const fpu = cpu.fpu;
  const dst = stPhysical(fpu, 0);
  const src = stPhysical(fpu, i);
  if (isEmpty(fpu, dst) || isEmpty(fpu, src)) {
    if (stackUnderflow(cpu)) writeIndefinite(fpu, cpu.fpregs, dst);
    return;
  }
  if (condition) copyRegister(fpu, cpu.fpregs, src, dst);
}

/** FFREE ST(i) (`pop` 0) and FFREEP ST(i) (`pop` 1): tags ST(i) empty. */
export function x87Free(cpu: X86Cpu, i: number, pop: number): void {
  const fpu = cpu.fpu;
  clearC1(fpu);
  fpu[FPU.FTAGS_EMPTY] |= 1 << stPhysical(fpu, i);
  if (pop) popTop(fpu);
}

/** FINCSTP (`delta` 1) and FDECSTP (`delta` -1): TOP moves, tags stay. */
export function x87MoveTop(cpu: X86Cpu, delta: number): void {
  const fpu = cpu.fpu;
  clearC1(fpu);
  fpu[FPU.FTOP] = (fpu[FPU.FTOP] + delta) & 7;
}

/**
 * The constants, by D9 E8+n: FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ. Each is the
 * value rounded toward zero (sign/exponent, high, low) and the rounding of the CPU's
 * 66-bit internal constant to nearest: +1 ulp or not. Rounding up adds one ulp to the
 * inexact ones; toward zero and down keep the truncated value (host-checked).
 */
const CONSTANTS: readonly (readonly [number, number, number, boolean, boolean])[] = [
  // [signExp, high, low, inexact, nearest rounds up]
  [0x3fff, 0x80000000, 0x00000000, false, false], // 1.0
  [0x4000, 0xd49a784b, 0xcd1b8afe, true, false], // log2(10)
  [0x3fff, 0xb8aa3b29, 0x5c17f0bb, true, true], // log2(e)
  [0x4000, 0xc90fdaa2, 0x2168c234, true, true], // pi
  [0x3ffd, 0x9a209a84, 0xfbcff798, true, true], // log10(2)
  [0x3ffe, 0xb17217f7, 0xd1cf79ab, true, true], // ln(2)
  [0x0000, 0x00000000, 0x00000000, false, false], // +0.0
];

/** FLD1 ... FLDZ (`which` = ModRM.rm of D9 E8-EE). */
export function x87LoadConstant(cpu: X86Cpu, which: number): void {
  const fpu = cpu.fpu;
  const fpregs = cpu.fpregs;
  if (!pushRoom(cpu)) return;
  const [signExp, high, low, inexact, nearestUp] = CONSTANTS[which];
  const rc = (fpu[FPU.FCW] >> FCW_RC_SHIFT) & 3;
  const up = inexact && (rc === 2 || (rc === 0 && nearestUp));
  clearC1(fpu);
  const w = pushTop(fpu) << 2;
  fpregs[w] = up ? low + 1 : low;
  fpregs[w + 1] = high;
  fpregs[w + 2] = signExp;
  fpu[FPU.FTAGS_EMPTY] &= ~(1 << (w >> 2));
}

// ---- IR helpers -----------------------------------------------------------------------------

const common = { reads: 'none', writes: 'none', canRaise: false } as const;

export const helperX87LoadRegister = defineHelper({
  name: 'x87_fld_st',
  nArgs: 1,
  ...common,
  fn: x87LoadRegister,
});

export const helperX87StoreRegister = defineHelper({
  name: 'x87_fst_st',
  nArgs: 2,
  ...common,
  fn: x87StoreRegister,
});

export const helperX87Exchange = defineHelper({
  name: 'x87_fxch',
  nArgs: 1,
  ...common,
  fn: x87Exchange,
});

export const helperX87ConditionalMove = defineHelper({
  name: 'x87_fcmov',
  nArgs: 2,
  ...common,
  fn: x87ConditionalMove,
});

export const helperX87Free = defineHelper({
  name: 'x87_ffree',
  nArgs: 2,
  ...common,
  fn: x87Free,
});

export const helperX87MoveTop = defineHelper({
  name: 'x87_move_top',
  nArgs: 1,
  ...common,
  fn: x87MoveTop,
});

export const helperX87LoadConstant = defineHelper({
  name: 'x87_fld_const',
  nArgs: 1,
  ...common,
  fn: x87LoadConstant,
});
