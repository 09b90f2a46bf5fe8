import { CC_A, CC_C, CC_MASK, CC_O, CC_P, CC_S, CC_Z } from './constants.js';

/**
 * Lazy condition codes (QEMU's CC_OP scheme, target/i386/cc_helper.c).
 *
 * The last flag-setting operation leaves its kind in cc_op and its operands in
 * cc_dst / cc_src / cc_src2; the six arithmetic flags are computed only when something
 * reads them. Per kind:
 *
 * | cc_op  | cc_dst  | cc_src                      | cc_src2     |
 * |--------|---------|-----------------------------|-------------|
 * | EFLAGS | -       | the flags themselves        | -           |
 * | MUL    | result  | overflow: non-zero when CF=OF=1 (not truncated) | - |
 * | ADD    | result  | second operand              | -           |
 * | ADC    | result  | second operand              | carry in    |
 * | SUB    | result  | second operand              | -           |
 * | SBB    | result  | second operand              | borrow in   |
 * | LOGIC  | result  | -                           | -           |
 * | INC/DEC| result  | CF before (0/1)             | -           |
 * | SHL    | result  | operand shifted by count-1  | -           |
 * | SAR    | result  | operand shifted by count-1  | -           |
 * | CLR    | -       | -                           | -           |
 *
 * Each kind except EFLAGS and CLR comes in byte, word and dword sizes (family + 0/1/2).
 */
export const CC_OP_DYNAMIC = -1; // translation time only: read cc_op from the CPU state
export const CC_OP_EFLAGS = 0;
export const CC_OP_CLR = 1;
export const CC_OP_MULB = 2;
export const CC_OP_ADDB = 5;
export const CC_OP_ADCB = 8;
export const CC_OP_SUBB = 11;
export const CC_OP_SBBB = 14;
export const CC_OP_LOGICB = 17;
export const CC_OP_INCB = 20;
export const CC_OP_DECB = 23;
export const CC_OP_SHLB = 26;
export const CC_OP_SARB = 29;
export const CC_OP_NB = 32;

const FAMILY_NAMES = ['MUL', 'ADD', 'ADC', 'SUB', 'SBB', 'LOGIC', 'INC', 'DEC', 'SHL', 'SAR'];
const SIZE_SUFFIX = ['B', 'W', 'L'];

/** QEMU's name of a cc_op (`SUBL`, `EFLAGS`...), for `info registers` and logs. */
export function ccOpName(op: number): string {
  if (op === CC_OP_DYNAMIC) return 'DYNAMIC';
  if (op === CC_OP_EFLAGS) return 'EFLAGS';
  if (op === CC_OP_CLR) return 'CLR';
  if (op >= CC_OP_MULB && op < CC_OP_NB) {
    const k = op - CC_OP_MULB;
    return `${FAMILY_NAMES[Math.floor(k / 3)]}${SIZE_SUFFIX[k % 3]}`;
  }
  return `[${op}]`;
}

/** log2 of an operand size in bytes: 1 -> 0, 2 -> 1, 4 -> 2. */
export function sizeIndex(size: number): number {
  return size === 1 ? 0 : size === 2 ? 1 : 2;
}

/** The cc_op of family `base` (a ..B value) for an operand of `size` bytes. */
export function ccOpFor(base: number, size: number): number {
  return base + sizeIndex(size);
}

/** The family (..B value) of a sized cc_op, or the op itself for EFLAGS/CLR. */
export function ccOpBase(op: number): number {
  if (op < CC_OP_MULB) return op;
  return op - ((op - CC_OP_MULB) % 3);
}

/** Operand size in bytes of a sized cc_op. */
export function ccOpSize(op: number): number {
  return 1 << ((op - CC_OP_MULB) % 3);
}

/** PF for each byte value: CC_P when the number of set bits is even. */
export const PARITY_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let n = 0;
    for (let b = i; b !== 0; b >>= 1) n += b & 1;
    t[i] = n % 2 === 0 ? CC_P : 0;
  }
  return t;
})();

function mask(size: number): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

/** Shift `x` left by `n` (right when negative), as QEMU's lshift. */
function lshift(x: number, n: number): number {
  return n >= 0 ? x << n : x >>> -n;
}

/** Compute O S Z A P C from a lazy state (QEMU's cc_compute_all). */
export function ccComputeAll(op: number, dst: number, src: number, src2: number): number {
  if (op === CC_OP_EFLAGS) return src & CC_MASK;
  if (op === CC_OP_CLR) return CC_Z | CC_P;
  if (op < CC_OP_MULB || op >= CC_OP_NB) return 0;
  const base = ccOpBase(op);
  const size = ccOpSize(op);
  const m = mask(size);
  const bits = size * 8;
  const d = (dst & m) >>> 0;
  const pf = PARITY_TABLE[d & 0xff];
  const zf = d === 0 ? CC_Z : 0;
  const sf = lshift(d, 8 - bits) & CC_S;
  let cf = 0;
  let af = 0;
  let of = 0;
  switch (base) {
    case CC_OP_MULB: {
      // cc_src is not truncated to the size: it holds the high half, or (IMUL) the
      // difference between the full product and the sign-extended low half.
      cf = src !== 0 ? 1 : 0;
      of = cf << 11;
      break;
    }
    case CC_OP_ADDB: {
      const s1 = (src & m) >>> 0;
      const s2 = ((d - s1) & m) >>> 0;
      cf = d < s1 ? 1 : 0;
      af = (d ^ s1 ^ s2) & CC_A;
      of = lshift(((s1 ^ s2 ^ -1) & (s1 ^ d)) >>> 0, 12 - bits) & CC_O;
      break;
    }
    case CC_OP_ADCB: {
      const s1 = (src & m) >>> 0;
      const c = src2 & 1;
      const s2 = ((d - s1 - c) & m) >>> 0;
      cf = c ? (d <= s1 ? 1 : 0) : d < s1 ? 1 : 0;
      af = (d ^ s1 ^ s2) & CC_A;
      of = lshift(((s1 ^ s2 ^ -1) & (s1 ^ d)) >>> 0, 12 - bits) & CC_O;
      break;
    }
    case CC_OP_SUBB: {
      const s2 = (src & m) >>> 0;
      const s1 = ((d + s2) & m) >>> 0;
      cf = s1 < s2 ? 1 : 0;
      af = (d ^ s1 ^ s2) & CC_A;
      of = lshift(((s1 ^ s2) & (s1 ^ d)) >>> 0, 12 - bits) & CC_O;
      break;
    }
    case CC_OP_SBBB: {
      const s2 = (src & m) >>> 0;
      const c = src2 & 1;
      const s1 = ((d + s2 + c) & m) >>> 0;
      cf = c ? (s1 <= s2 ? 1 : 0) : s1 < s2 ? 1 : 0;
      af = (d ^ s1 ^ s2) & CC_A;
      of = lshift(((s1 ^ s2) & (s1 ^ d)) >>> 0, 12 - bits) & CC_O;
      break;
    }
    case CC_OP_LOGICB:
      break;
    case CC_OP_INCB: {
      cf = src & 1;
      const s1 = ((d - 1) & m) >>> 0;
      af = (d ^ s1 ^ 1) & CC_A;
      of = d === (1 << (bits - 1)) >>> 0 ? CC_O : 0;
      break;
    }
    case CC_OP_DECB: {
      cf = src & 1;
      const s1 = ((d + 1) & m) >>> 0;
      af = (d ^ s1 ^ 1) & CC_A;
      of = d === ((1 << (bits - 1)) >>> 0) - 1 ? CC_O : 0;
      break;
    }
    case CC_OP_SHLB: {
      const s = (src & m) >>> 0;
      cf = (s >>> (bits - 1)) & 1;
      of = lshift((s ^ d) >>> 0, 12 - bits) & CC_O;
      break;
    }
    case CC_OP_SARB: {
      const s = (src & m) >>> 0;
      cf = s & 1;
      of = lshift((s ^ d) >>> 0, 12 - bits) & CC_O;
      break;
    }
  }
  return cf | pf | af | zf | sf | of;
}

/** Just CF (QEMU's cc_compute_c). */
export function ccComputeC(op: number, dst: number, src: number, src2: number): number {
  if (op === CC_OP_EFLAGS) return src & CC_C;
  if (op < CC_OP_MULB || op >= CC_OP_NB) return 0;
  const base = ccOpBase(op);
  const size = ccOpSize(op);
  const m = mask(size);
  switch (base) {
    case CC_OP_MULB:
      return src !== 0 ? 1 : 0;
    case CC_OP_ADDB:
      return (dst & m) >>> 0 < (src & m) >>> 0 ? 1 : 0;
    case CC_OP_SUBB: {
      const s2 = (src & m) >>> 0;
      return ((dst + src) & m) >>> 0 < s2 ? 1 : 0;
    }
    case CC_OP_INCB:
    case CC_OP_DECB:
      return src & 1;
    case CC_OP_SHLB:
      return ((src & m) >>> (size * 8 - 1)) & 1;
    case CC_OP_SARB:
      return src & 1;
    case CC_OP_LOGICB:
      return 0;
    default:
      return ccComputeAll(op, dst, src, src2) & CC_C;
  }
}
