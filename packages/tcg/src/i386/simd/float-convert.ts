/**
 * CVT*: conversions between int32, float32 and float64 in every SSE/SSE2 form, including
 * the MMX ones (CVTPI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI) and the truncating CVTT* forms.
 * An invalid float-to-integer conversion gives the integer indefinite 0x80000000 with IE.
 */
import {
  type FloatStatus,
  float32ToFloat64,
  float32ToInt32,
  float64ToFloat32,
  float64ToInt32,
  int32ToFloat32,
  int32ToFloat64,
} from '@tsemu/softfloat';
import type { HelperInfo } from '../../core/ir/helper.js';
import type { SimdEnv } from './env.js';
import { scalarResultHelper, vectorHelper } from './helper-shapes.js';
import { unmaskedLaneFlags } from './unmasked.js';

/** Lane i of env.b as float64 → int32. */
function f64ToInt(env: SimdEnv, i: number, status: FloatStatus, truncate: boolean): number {
  const w = env.wb;
  w.lo = env.b.u32[2 * i];
  w.hi = env.b.u32[2 * i + 1];
  return float64ToInt32(w, status, truncate);
}

/**
 * Lane i of env.b as float64 → float32 bits. The lane's flags are added to status.flags
 * (with PE as the hardware reports it when OE/UE is unmasked).
 */
function f64ToF32(env: SimdEnv, i: number, status: FloatStatus, mxcsr: number): number {
  const w = env.wb;
  w.lo = env.b.u32[2 * i];
  w.hi = env.b.u32[2 * i + 1];
  const before = status.flags;
  status.flags = 0;
  const result = float64ToFloat32(w, status);
  status.flags = before | unmaskedLaneFlags(status.flags, mxcsr, 'convert', w.hi, w.lo, 0, 0, true);
  return result;
}

/** Writes a float64 into lane i of env.r. */
function putF64(env: SimdEnv, i: number): void {
  env.r.u32[2 * i] = env.wr.lo;
  env.r.u32[2 * i + 1] = env.wr.hi;
}

function intsToSingles(name: string, lanes: number): HelperInfo {
  return vectorHelper(
    name,
    (env, status) => {
      for (let i = 0; i < lanes; i++) env.r.u32[i] = int32ToFloat32(env.b.i32[i], status);
    },
    { float: true },
  );
}

function intsToDoubles(name: string, lanes: number): HelperInfo {
  return vectorHelper(
    name,
    (env, status) => {
      int32ToFloat64(env.b.i32[0], status, env.wr);
      putF64(env, 0);
      if (lanes === 2) {
        int32ToFloat64(env.b.i32[1], status, env.wr);
        putF64(env, 1);
      }
    },
    { float: true },
  );
}

function singlesToInts(name: string, lanes: number, truncate: boolean): HelperInfo {
  return vectorHelper(
    name,
    (env, status) => {
      for (let i = 0; i < lanes; i++) env.r.u32[i] = float32ToInt32(env.b.u32[i], status, truncate);
    },
    { float: true },
  );
}

/** CVT(T)PD2PI (to MMX) and CVT(T)PD2DQ (upper half of the XMM destination cleared). */
function doublesToInts(name: string, truncate: boolean, clearHigh: boolean): HelperInfo {
  return vectorHelper(
    name,
    (env, status) => {
      env.r.u32[0] = f64ToInt(env, 0, status, truncate);
      env.r.u32[1] = f64ToInt(env, 1, status, truncate);
      if (clearHigh) {
        env.r.u32[2] = 0;
        env.r.u32[3] = 0;
      }
    },
    { float: true },
  );
}

function singlesToDoubles(name: string, lanes: number): HelperInfo {
  return vectorHelper(
    name,
    (env, status) => {
      float32ToFloat64(env.b.u32[0], status, env.wr);
      putF64(env, 0);
      if (lanes === 2) {
        float32ToFloat64(env.b.u32[1], status, env.wr);
        putF64(env, 1);
      }
    },
    { float: true },
  );
}

function doublesToSingles(name: string, lanes: number): HelperInfo {
  return vectorHelper(
    name,
    (env, status, _imm, _bytes, mxcsr) => {
      env.r.u32[0] = f64ToF32(env, 0, status, mxcsr);
      if (lanes === 2) {
        // CVTPD2PS clears the upper half.
        env.r.u32[1] = f64ToF32(env, 1, status, mxcsr);
        env.r.u32[2] = 0;
        env.r.u32[3] = 0;
      }
    },
    { float: true },
  );
}

function singleToInt(name: string, truncate: boolean): HelperInfo {
  return scalarResultHelper(name, (env, status) => float32ToInt32(env.b.u32[0], status, truncate));
}

function doubleToInt(name: string, truncate: boolean): HelperInfo {
  return scalarResultHelper(name, (env, status) => f64ToInt(env, 0, status, truncate));
}

/** The conversion helpers by mnemonic. */
export const CONVERT_HELPERS: ReadonlyMap<string, HelperInfo> = new Map([
  ['cvtpi2ps', intsToSingles('cvtpi2ps', 2)],
  ['cvtsi2ss', intsToSingles('cvtsi2ss', 1)],
  ['cvtdq2ps', intsToSingles('cvtdq2ps', 4)],
  ['cvtpi2pd', intsToDoubles('cvtpi2pd', 2)],
  ['cvtdq2pd', intsToDoubles('cvtdq2pd', 2)],
  ['cvtsi2sd', intsToDoubles('cvtsi2sd', 1)],
  ['cvtps2pi', singlesToInts('cvtps2pi', 2, false)],
  ['cvttps2pi', singlesToInts('cvttps2pi', 2, true)],
  ['cvtps2dq', singlesToInts('cvtps2dq', 4, false)],
  ['cvttps2dq', singlesToInts('cvttps2dq', 4, true)],
  ['cvtpd2pi', doublesToInts('cvtpd2pi', false, false)],
  ['cvttpd2pi', doublesToInts('cvttpd2pi', true, false)],
  ['cvtpd2dq', doublesToInts('cvtpd2dq', false, true)],
  ['cvttpd2dq', doublesToInts('cvttpd2dq', true, true)],
  ['cvtps2pd', singlesToDoubles('cvtps2pd', 2)],
  ['cvtss2sd', singlesToDoubles('cvtss2sd', 1)],
  ['cvtpd2ps', doublesToSingles('cvtpd2ps', 2)],
  ['cvtsd2ss', doublesToSingles('cvtsd2ss', 1)],
  ['cvtss2si', singleToInt('cvtss2si', false)],
  ['cvttss2si', singleToInt('cvttss2si', true)],
  ['cvtsd2si', doubleToInt('cvtsd2si', false)],
  ['cvttsd2si', doubleToInt('cvttsd2si', true)],
]);
