/**
 * The integer MMX/SSE2 operations that run as helpers (QEMU's ops_sse.h integer part):
 * multiplies, packs and unpacks, compares for greater-than, shifts, min/max/average,
 * PSADBW and the word shuffles. Logic, add/subtract (wrapping and saturating), compare
 * for equality and the moves are inline IR in the translator instead.
 *
 * Every body sees the destination in env.a, the source in env.b, writes env.r, and works
 * on `bytes` bytes: 8 for MMX registers, 16 for XMM registers.
 */
import type { HelperInfo } from '../../core/ir/helper.js';
import type { SimdEnv } from './env.js';
import { vectorHelper } from './helper-shapes.js';

function sat8s(v: number): number {
  return Math.min(127, Math.max(-128, v));
}
function sat8u(v: number): number {
  return Math.min(255, Math.max(0, v));
}
function sat16s(v: number): number {
  return Math.min(32767, Math.max(-32768, v));
}

type IntBody = (env: SimdEnv, bytes: 8 | 16, imm: number) => void;

function intHelper(name: string, body: IntBody): HelperInfo {
  return vectorHelper(name, (env, _status, imm, bytes) => body(env, bytes, imm));
}

// ---- element-wise ----------------------------------------------------------------------

type Lane = (x: number, y: number) => number;
type LaneView = 'i8' | 'u8' | 'i16' | 'u16' | 'i32';
const VIEW_BYTES: Record<LaneView, number> = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4 };

function laneHelper(name: string, view: LaneView, lane: Lane): HelperInfo {
  const size = VIEW_BYTES[view];
  return intHelper(name, (env, bytes) => {
    const a = env.a[view];
    const b = env.b[view];
    const r = env.r[view];
    for (let i = 0, n = bytes / size; i < n; i++) r[i] = lane(a[i], b[i]);
  });
}

const mask = (c: boolean): number => (c ? -1 : 0);

const LANE_OPS: [string, LaneView, Lane][] = [
  ['pcmpgtb', 'i8', (x, y) => mask(x > y)],
  ['pcmpgtw', 'i16', (x, y) => mask(x > y)],
  ['pcmpgtd', 'i32', (x, y) => mask(x > y)],
  ['pminub', 'u8', Math.min],
  ['pmaxub', 'u8', Math.max],
  ['pminsw', 'i16', Math.min],
  ['pmaxsw', 'i16', Math.max],
  ['pavgb', 'u8', (x, y) => (x + y + 1) >> 1],
  ['pavgw', 'u16', (x, y) => (x + y + 1) >> 1],
  ['pmullw', 'i16', (x, y) => Math.imul(x, y)],
  ['pmulhw', 'i16', (x, y) => (x * y) >> 16],
  ['pmulhuw', 'u16', (x, y) => (x * y) >>> 16],
];

// ---- multiplies that change the lane width ---------------------------------------------

/** PMADDWD: pairs of signed word products summed into dwords (wrapping: 0x8000^2 * 2). */
const pmaddwd = intHelper('pmaddwd', (env, bytes) => {
  const a = env.a.i16;
  const b = env.b.i16;
  const r = env.r.i32;
  for (let i = 0, n = bytes / 4; i < n; i++)
    r[i] = (a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1]) | 0;
});

/** PMULUDQ: the unsigned products of dwords 0 (and 2) as quadwords. */
const pmuludq = intHelper('pmuludq', (env, bytes) => {
  const a = env.a.u32;
  const b = env.b.u32;
  const r = env.r.u32;
  for (let q = 0, n = bytes / 8; q < n; q++) {
    const x = a[2 * q];
    const y = b[2 * q];
    // 32x32 -> 64 from 16-bit halves (each partial product is exact in a double).
    const xl = x & 0xffff;
    const xh = x >>> 16;
    const yl = y & 0xffff;
    const yh = y >>> 16;
    const lo = xl * yl;
    const mid = xh * yl + xl * yh;
    const low = lo + (mid % 65536) * 65536;
    r[2 * q] = low % 4294967296;
    r[2 * q + 1] = xh * yh + Math.floor(mid / 65536) + Math.floor(low / 4294967296);
  }
});

/** PSADBW: sums of absolute byte differences per quadword, in its low word. */
const psadbw = intHelper('psadbw', (env, bytes) => {
  const a = env.a.u8;
  const b = env.b.u8;
  const r = env.r.u32;
  for (let q = 0, n = bytes / 8; q < n; q++) {
    let sum = 0;
    for (let i = 8 * q; i < 8 * q + 8; i++) sum += Math.abs(a[i] - b[i]);
    r[2 * q] = sum;
    r[2 * q + 1] = 0;
  }
});

// ---- packs and unpacks ------------------------------------------------------------------

const packsswb = intHelper('packsswb', (env, bytes) => {
  const n = bytes / 2;
  for (let i = 0; i < n; i++) {
    env.r.i8[i] = sat8s(env.a.i16[i]);
    env.r.i8[n + i] = sat8s(env.b.i16[i]);
  }
});

const packuswb = intHelper('packuswb', (env, bytes) => {
  const n = bytes / 2;
  for (let i = 0; i < n; i++) {
    env.r.u8[i] = sat8u(env.a.i16[i]);
    env.r.u8[n + i] = sat8u(env.b.i16[i]);
  }
});

const packssdw = intHelper('packssdw', (env, bytes) => {
  const n = bytes / 4;
  for (let i = 0; i < n; i++) {
    env.r.i16[i] = sat16s(env.a.i32[i]);
    env.r.i16[n + i] = sat16s(env.b.i32[i]);
  }
});

/**
 * PUNPCKL/PUNPCKH of `size`-byte elements: elements of the low (or high) halves of the
 * destination and source, interleaved (destination first).
 */
function unpack(name: string, size: number, high: boolean): HelperInfo {
  return intHelper(name, (env, bytes) => {
    const a = env.a.u8;
    const b = env.b.u8;
    const r = env.r.u8;
    const half = bytes / 2;
    const from = high ? half : 0;
    for (let e = 0; e < half / size; e++) {
      for (let k = 0; k < size; k++) {
        r[2 * e * size + k] = a[from + e * size + k];
        r[(2 * e + 1) * size + k] = b[from + e * size + k];
      }
    }
  });
}

// ---- shifts -----------------------------------------------------------------------------

/**
 * A shift of every `size`-byte lane by a count: the immediate (imm forms) or the low
 * quadword of the source (register forms). Counts past the lane width give 0 (logical)
 * or the sign fill (arithmetic).
 */
function shift(name: string, size: 2 | 4 | 8, kind: 'l' | 'rl' | 'ra', byImm: boolean) {
  const bits = size * 8;
  return intHelper(name, (env, bytes, imm) => {
    let count: number;
    if (byImm) count = imm & 0xff;
    else count = env.b.u32[1] !== 0 || env.b.u32[0] >= bits ? bits : env.b.u32[0];
    const r = env.r;
    if (size === 8) {
      const w = r.u32;
      for (let q = 0; q < bytes / 8; q++) {
        const lo = w[2 * q];
        const hi = w[2 * q + 1];
        if (count >= 64) {
          w[2 * q] = 0;
          w[2 * q + 1] = 0;
        } else if (count >= 32) {
          w[2 * q] = kind === 'l' ? 0 : hi >>> (count - 32);
          w[2 * q + 1] = kind === 'l' ? lo << (count - 32) : 0;
        } else if (count > 0) {
          w[2 * q] = kind === 'l' ? lo << count : (lo >>> count) | (hi << (32 - count));
          w[2 * q + 1] = kind === 'l' ? (hi << count) | (lo >>> (32 - count)) : hi >>> count;
        }
      }
      return;
    }
    const lanes = size === 2 ? (kind === 'ra' ? r.i16 : r.u16) : kind === 'ra' ? r.i32 : r.u32;
    const c = count >= bits ? bits - 1 : count;
    for (let i = 0; i < bytes / size; i++) {
      const v = lanes[i];
      if (kind === 'ra') lanes[i] = v >> c;
      else if (count >= bits) lanes[i] = 0;
      else lanes[i] = kind === 'l' ? v << count : v >>> count;
    }
  });
}

/** PSLLDQ/PSRLDQ: the whole register shifted by imm bytes (16 or more clears it). */
function byteShift(name: string, left: boolean): HelperInfo {
  return intHelper(name, (env, _bytes, imm) => {
    const n = imm & 0xff;
    const a = env.a.u8;
    const r = env.r.u8;
    for (let i = 0; i < 16; i++) {
      const from = left ? i - n : i + n;
      r[i] = from >= 0 && from < 16 ? a[from] : 0;
    }
  });
}

// ---- shuffles ------------------------------------------------------------------------------

/** PSHUFW (MMX): word i of the destination = word imm[2i+1:2i] of the source. */
const pshufw = intHelper('pshufw', (env, _bytes, imm) => {
  for (let i = 0; i < 4; i++) env.r.u16[i] = env.b.u16[(imm >> (2 * i)) & 3];
});

/** PSHUFLW/PSHUFHW: the same on the low (or high) four words; the other half is copied. */
function shuffleHalf(name: string, high: boolean): HelperInfo {
  return intHelper(name, (env, _bytes, imm) => {
    const base = high ? 4 : 0;
    const keep = high ? 0 : 4;
    for (let i = 0; i < 4; i++) {
      env.r.u16[base + i] = env.b.u16[base + ((imm >> (2 * i)) & 3)];
      env.r.u16[keep + i] = env.b.u16[keep + i];
    }
  });
}

/** The integer helpers by mnemonic. */
export const INTEGER_HELPERS: ReadonlyMap<string, HelperInfo> = new Map<string, HelperInfo>([
  ...LANE_OPS.map(([name, view, lane]): [string, HelperInfo] => [
    name,
    laneHelper(name, view, lane),
  ]),
  ['pmaddwd', pmaddwd],
  ['pmuludq', pmuludq],
  ['psadbw', psadbw],
  ['packsswb', packsswb],
  ['packuswb', packuswb],
  ['packssdw', packssdw],
  ['punpcklbw', unpack('punpcklbw', 1, false)],
  ['punpcklwd', unpack('punpcklwd', 2, false)],
  ['punpckhbw', unpack('punpckhbw', 1, true)],
  ['punpckhwd', unpack('punpckhwd', 2, true)],
  ['psrlw', shift('psrlw', 2, 'rl', false)],
  ['psrld', shift('psrld', 4, 'rl', false)],
  ['psrlq', shift('psrlq', 8, 'rl', false)],
  ['psraw', shift('psraw', 2, 'ra', false)],
  ['psrad', shift('psrad', 4, 'ra', false)],
  ['psllw', shift('psllw', 2, 'l', false)],
  ['pslld', shift('pslld', 4, 'l', false)],
  ['psllq', shift('psllq', 8, 'l', false)],
  ['psrlw_imm', shift('psrlw_imm', 2, 'rl', true)],
  ['psrld_imm', shift('psrld_imm', 4, 'rl', true)],
  ['psrlq_imm', shift('psrlq_imm', 8, 'rl', true)],
  ['psraw_imm', shift('psraw_imm', 2, 'ra', true)],
  ['psrad_imm', shift('psrad_imm', 4, 'ra', true)],
  ['psllw_imm', shift('psllw_imm', 2, 'l', true)],
  ['pslld_imm', shift('pslld_imm', 4, 'l', true)],
  ['psllq_imm', shift('psllq_imm', 8, 'l', true)],
  ['psrldq', byteShift('psrldq', false)],
  ['pslldq', byteShift('pslldq', true)],
  ['pshufw', pshufw],
  ['pshuflw', shuffleHalf('pshuflw', false)],
  ['pshufhw', shuffleHalf('pshufhw', true)],
]);
