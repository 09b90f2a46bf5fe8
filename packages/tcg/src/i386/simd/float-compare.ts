/**
 * CMPPS/CMPPD/CMPSS/CMPSD with the eight legacy predicates, COMISS/UCOMISS/COMISD/UCOMISD
 * (EFLAGS), and the RCP/RSQRT approximations.
 */
import {
  compareEflags,
  FloatRelation,
  type FloatStatus,
  float32Compare,
  float64Compare,
} from '@tsemu/softfloat';
import type { HelperInfo } from '../../core/ir/helper.js';
import type { SimdEnv } from './env.js';
import { scalarResultHelper, vectorHelper } from './helper-shapes.js';

/**
 * imm8 bits 2..0 (the legacy SSE encodings ignore the rest): EQ LT LE UNORD NEQ NLT NLE ORD.
 * LT LE NLT NLE signal invalid on any NaN; the others only on a signalling NaN.
 */
function predicateHolds(predicate: number, relation: FloatRelation): boolean {
  switch (predicate) {
    case 0:
      return relation === FloatRelation.Equal;
    case 1:
      return relation === FloatRelation.Less;
    case 2:
      return relation === FloatRelation.Less || relation === FloatRelation.Equal;
    case 3:
      return relation === FloatRelation.Unordered;
    case 4:
      return relation !== FloatRelation.Equal;
    case 5:
      return relation !== FloatRelation.Less;
    case 6:
      return relation !== FloatRelation.Less && relation !== FloatRelation.Equal;
    default:
      return relation !== FloatRelation.Unordered;
  }
}

/** EQ, UNORD, NEQ and ORD are quiet predicates. */
function quietPredicate(predicate: number): boolean {
  return (predicate & 3) === 0 || (predicate & 3) === 3;
}

function compare32(env: SimdEnv, status: FloatStatus, lanes: number, predicate: number): void {
  const a = env.a.u32;
  const b = env.b.u32;
  const r = env.r.i32;
  const quiet = quietPredicate(predicate);
  for (let i = 0; i < lanes; i++) {
    const relation = float32Compare(a[i], b[i], status, quiet);
    r[i] = predicateHolds(predicate, relation) ? -1 : 0;
  }
}

function compare64(env: SimdEnv, status: FloatStatus, lanes: number, predicate: number): void {
  const a = env.a.u32;
  const b = env.b.u32;
  const r = env.r.i32;
  const { wa, wb } = env;
  const quiet = quietPredicate(predicate);
  for (let i = 0; i < lanes; i++) {
    wa.lo = a[2 * i];
    wa.hi = a[2 * i + 1];
    wb.lo = b[2 * i];
    wb.hi = b[2 * i + 1];
    const mask = predicateHolds(predicate, float64Compare(wa, wb, status, quiet)) ? -1 : 0;
    r[2 * i] = mask;
    r[2 * i + 1] = mask;
  }
}

export const helperCmpps = vectorHelper('cmpps', (env, st, imm) => compare32(env, st, 4, imm & 7), {
  float: true,
});
export const helperCmpss = vectorHelper('cmpss', (env, st, imm) => compare32(env, st, 1, imm & 7), {
  float: true,
});
export const helperCmppd = vectorHelper('cmppd', (env, st, imm) => compare64(env, st, 2, imm & 7), {
  float: true,
});
export const helperCmpsd = vectorHelper('cmpsd', (env, st, imm) => compare64(env, st, 1, imm & 7), {
  float: true,
});

/** COMISS/UCOMISS: ZF PF CF of the comparison of lane 0 (the other flags cleared). */
function comiss(quiet: boolean): HelperInfo {
  return scalarResultHelper(quiet ? 'ucomiss' : 'comiss', (env, status) =>
    compareEflags(float32Compare(env.a.u32[0], env.b.u32[0], status, quiet)),
  );
}

function comisd(quiet: boolean): HelperInfo {
  return scalarResultHelper(quiet ? 'ucomisd' : 'comisd', (env, status) => {
    const { wa, wb } = env;
    wa.lo = env.a.u32[0];
    wa.hi = env.a.u32[1];
    wb.lo = env.b.u32[0];
    wb.hi = env.b.u32[1];
    return compareEflags(float64Compare(wa, wb, status, quiet));
  });
}

export const helperComiss = comiss(false);
export const helperUcomiss = comiss(true);
export const helperComisd = comisd(false);
export const helperUcomisd = comisd(true);

// ---- RCP and RSQRT --------------------------------------------------------------------

const F32_QUIET = 0x00400000;
const F32_DEFAULT_NAN = 0xffc00000;
const F32_INFINITY = 0x7f800000;
/** |x| from which RCP's result is flushed to zero: 2^126 (see rcpLane). */
const RCP_TINY_FROM = 0x7e800000;

/** The float32 bits of a double (rounded to nearest). */
function bits32(env: SimdEnv, value: number): number {
  env.t.f32[0] = value;
  return env.t.u32[0];
}

/** The value of float32 bits. */
function value32(env: SimdEnv, bits: number): number {
  env.t.u32[0] = bits;
  return env.t.f32[0];
}

/**
 * RCPSS on one lane. The SDM only bounds the error (|relative error| <= 1.5 * 2^-12) and
 * Intel's table is not published, so this returns the correctly rounded 1/x (as QEMU
 * does), which is within that bound. Like the hardware it ignores MXCSR (no flags, no
 * rounding control, no DAZ/FTZ), reads denormals as zeros and flushes tiny results.
 */
function rcpLane(env: SimdEnv, x: number): number {
  const exp = x & F32_INFINITY;
  const sign = x & 0x80000000;
  if (exp === F32_INFINITY) {
    if (x & 0x007fffff) return (x | F32_QUIET) >>> 0;
    return sign >>> 0;
  }
  if (exp === 0) return (sign | F32_INFINITY) >>> 0;
  // Results below 2^-126 are flushed. Where that starts depends on the CPU's table: the
  // SDM says Intel flushes from 1.11111111110100000000000b * 2^125 on; the AMD host of the
  // differential test from 2^126 (0x7e7ffe01 gives 2^-126 there). This follows the host.
  if ((x & 0x7fffffff) >= RCP_TINY_FROM) return sign >>> 0;
  return bits32(env, 1 / value32(env, x));
}

/**
 * RSQRTSS on one lane: 1/sqrt(x) in double precision rounded to single (an error far
 * below the SDM's bound), with the hardware's special cases.
 */
function rsqrtLane(env: SimdEnv, x: number): number {
  const exp = x & F32_INFINITY;
  const sign = x & 0x80000000;
  if (exp === F32_INFINITY && x & 0x007fffff) return (x | F32_QUIET) >>> 0;
  if (exp === 0) return (sign | F32_INFINITY) >>> 0;
  if (sign) return F32_DEFAULT_NAN;
  if (exp === F32_INFINITY) return 0;
  return bits32(env, 1 / Math.sqrt(value32(env, x)));
}

function approximation(
  name: string,
  lane: (env: SimdEnv, x: number) => number,
  lanes: number,
): HelperInfo {
  return vectorHelper(name, (env) => {
    const b = env.b.u32;
    const r = env.r.u32;
    for (let i = 0; i < lanes; i++) r[i] = lane(env, b[i]);
  });
}

export const helperRcpps = approximation('rcpps', rcpLane, 4);
export const helperRcpss = approximation('rcpss', rcpLane, 1);
export const helperRsqrtps = approximation('rsqrtps', rsqrtLane, 4);
export const helperRsqrtss = approximation('rsqrtss', rsqrtLane, 1);
