/**
 * ADD SUB MUL DIV SQRT MIN MAX in their PS, PD, SS and SD forms (QEMU's ops_sse.h
 * SSE_HELPER_S), on @tsemu/softfloat, with a fast path in JS doubles.
 *
 * The fast path: in round-to-nearest, with PE masked and already set in MXCSR, an
 * operation on normal (or zero) operands whose result is normal (or an exact zero) raises
 * nothing that MXCSR does not already show, and the JS double operation gives the IEEE
 * result bit for bit. float32 lanes compute in double and round once with Math.fround,
 * which is exact for + - * / and sqrt (53 >= 2*24 + 2). Any other lane (NaN, infinity,
 * denormal, overflow, underflow, division by zero, a negative square root) sends the whole
 * instruction down the softfloat path, which handles DAZ, FTZ and the flags.
 */
import {
  type FloatStatus,
  float32Add,
  float32Div,
  float32Max,
  float32Min,
  float32Mul,
  float32Sqrt,
  float32Sub,
  float64Add,
  float64Div,
  float64Max,
  float64Min,
  float64Mul,
  float64Sqrt,
  float64Sub,
  type Word64,
} from '@tsemu/softfloat';
import type { HelperInfo } from '../../core/ir/helper.js';
import type { SimdEnv } from './env.js';
import { vectorHelper } from './helper-shapes.js';
import { fastPathAllowed } from './mxcsr.js';
import { type UnboundedOp, unmaskedLaneFlags } from './unmasked.js';

/** Operations with a fast path, by kind. */
const Kind = { Add: 0, Sub: 1, Mul: 2, Div: 3, Sqrt: 4, Min: 5, Max: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const fastAllowed = fastPathAllowed;

const F64_MIN_NORMAL = 2.2250738585072014e-308;
const F64_MAX = 1.7976931348623157e308;
const F32_MIN_NORMAL = 1.1754943508222875e-38;
const F32_MAX = 3.4028234663852886e38;

/** Zero, or a finite normal number (not NaN, infinity or denormal). */
function ordinary(x: number, minNormal: number, max: number): boolean {
  const ax = Math.abs(x);
  return (ax >= minNormal && ax <= max) || x === 0;
}

/** The fast result of one lane, or NaN when the lane needs softfloat. */
function fastLane(kind: Kind, x: number, y: number, single: boolean): number {
  const minNormal = single ? F32_MIN_NORMAL : F64_MIN_NORMAL;
  const max = single ? F32_MAX : F64_MAX;
  if (!ordinary(y, minNormal, max)) return Number.NaN;
  if (kind !== Kind.Sqrt && !ordinary(x, minNormal, max)) return Number.NaN;
  let r: number;
  switch (kind) {
    case Kind.Add:
      r = x + y;
      break;
    case Kind.Sub:
      r = x - y;
      break;
    case Kind.Mul:
      r = x * y;
      break;
    case Kind.Div:
      if (y === 0) return Number.NaN;
      r = x / y;
      break;
    case Kind.Sqrt:
      if (y < 0) return Number.NaN;
      r = Math.sqrt(y);
      break;
    case Kind.Min:
      // MIN returns the second operand unless the first is less (also for two zeros, where
      // Math.min would prefer -0): not Math.min.
      // biome-ignore lint/complexity/useMathMinMax: the operand order is the semantics.
      return x < y ? x : y;
    default:
      // biome-ignore lint/complexity/useMathMinMax: as above.
      return x > y ? x : y;
  }
  if (single) r = Math.fround(r);
  // A zero from a product or quotient of non-zero values is an underflow (add and
  // subtract give zero only by exact cancellation); so is a tiny non-zero result.
  if (r === 0 && (kind === Kind.Mul || kind === Kind.Div) && x !== 0 && y !== 0) return Number.NaN;
  return ordinary(r, minNormal, max) ? r : Number.NaN;
}

/** Runs the fast path over `lanes` lanes into env.r; false when softfloat must redo it. */
function tryFast(env: SimdEnv, kind: Kind, single: boolean, lanes: number, mxcsr: number): boolean {
  // MIN/MAX never round: they need no MXCSR condition.
  if (kind !== Kind.Min && kind !== Kind.Max && !fastAllowed(mxcsr)) return false;
  const a = single ? env.a.f32 : env.a.f64;
  const b = single ? env.b.f32 : env.b.f64;
  const r = single ? env.r.f32 : env.r.f64;
  for (let i = 0; i < lanes; i++) {
    const v = fastLane(kind, a[i], b[i], single);
    if (Number.isNaN(v)) {
      env.r.i32.set(env.a.i32);
      return false;
    }
    r[i] = v;
  }
  return true;
}

type F32Op = (a: number, b: number, s: FloatStatus) => number;
type F64Op = (a: Word64, b: Word64, s: FloatStatus, out: Word64) => Word64;

/** The operations that can overflow or underflow, for unmaskedLaneFlags. */
const UNBOUNDED: Partial<Record<Kind, UnboundedOp>> = {
  [Kind.Add]: 'add',
  [Kind.Sub]: 'sub',
  [Kind.Mul]: 'mul',
  [Kind.Div]: 'div',
};

function singleHelper(name: string, kind: Kind, op: F32Op, lanes: 1 | 4): HelperInfo {
  const unbounded = UNBOUNDED[kind];
  return vectorHelper(
    name,
    (env, status, _imm, _bytes, mxcsr) => {
      if (tryFast(env, kind, true, lanes, mxcsr)) return;
      const a = env.a.u32;
      const b = env.b.u32;
      const r = env.r.u32;
      let flags = 0;
      for (let i = 0; i < lanes; i++) {
        status.flags = 0;
        r[i] = op(a[i], b[i], status);
        flags |= unbounded
          ? unmaskedLaneFlags(status.flags, mxcsr, unbounded, 0, a[i], 0, b[i], false)
          : status.flags;
      }
      status.flags = flags;
    },
    { float: true },
  );
}

function doubleHelper(name: string, kind: Kind, op: F64Op, lanes: 1 | 2): HelperInfo {
  const unbounded = UNBOUNDED[kind];
  return vectorHelper(
    name,
    (env, status, _imm, _bytes, mxcsr) => {
      if (tryFast(env, kind, false, lanes, mxcsr)) return;
      const a = env.a.u32;
      const b = env.b.u32;
      const r = env.r.u32;
      const { wa, wb, wr } = env;
      let flags = 0;
      for (let i = 0; i < lanes; i++) {
        wa.lo = a[2 * i];
        wa.hi = a[2 * i + 1];
        wb.lo = b[2 * i];
        wb.hi = b[2 * i + 1];
        status.flags = 0;
        op(wa, wb, status, wr);
        r[2 * i] = wr.lo;
        r[2 * i + 1] = wr.hi;
        flags |= unbounded
          ? unmaskedLaneFlags(status.flags, mxcsr, unbounded, wa.hi, wa.lo, wb.hi, wb.lo, true)
          : status.flags;
      }
      status.flags = flags;
    },
    { float: true },
  );
}

const sqrt32: F32Op = (_a, b, s) => float32Sqrt(b, s);
const sqrt64: F64Op = (_a, b, s, out) => float64Sqrt(b, s, out);

const OPS: [string, Kind, F32Op, F64Op][] = [
  ['add', Kind.Add, float32Add, float64Add],
  ['sub', Kind.Sub, float32Sub, float64Sub],
  ['mul', Kind.Mul, float32Mul, float64Mul],
  ['div', Kind.Div, float32Div, float64Div],
  ['sqrt', Kind.Sqrt, sqrt32, sqrt64],
  ['min', Kind.Min, float32Min, float64Min],
  ['max', Kind.Max, float32Max, float64Max],
];

/** The arithmetic helpers by mnemonic (addps, addpd, addss, addsd, sqrtps, ...). */
export const FLOAT_ARITH_HELPERS: ReadonlyMap<string, HelperInfo> = new Map(
  OPS.flatMap(([name, kind, f32, f64]): [string, HelperInfo][] => [
    [`${name}ps`, singleHelper(`${name}ps`, kind, f32, 4)],
    [`${name}ss`, singleHelper(`${name}ss`, kind, f32, 1)],
    [`${name}pd`, doubleHelper(`${name}pd`, kind, f64, 2)],
    [`${name}sd`, doubleHelper(`${name}sd`, kind, f64, 1)],
  ]),
);
