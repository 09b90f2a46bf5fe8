/**
 * Conversions between the host-facing address/size types (Number or BigInt) and the exact
 * BigInt form used while building FlatViews. Only configuration code calls these; the
 * access path works on Numbers.
 */

/** 2^64: the size of a region that covers the whole 64-bit address space. */
export const SIZE_2_64 = 1n << 64n;
/** UINT64_MAX: QEMU lets callers write this for "2^64", and so do we. */
export const UINT64_MAX = SIZE_2_64 - 1n;
/** Addresses at or above this are not exact as Numbers; the Number access path stops here. */
export const NUMBER_ADDRESS_LIMIT = 2 ** 53;

/** The guest page size the dirty log and the RAM fast path work in (x86: 4 KiB). */
export const TARGET_PAGE_SIZE = 4096;

/** A size or address given by a library user: a Number (exact integer) or a BigInt. */
export type AddressLike = number | bigint;

function toBigIntChecked(value: AddressLike, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isInteger(value)) {
    throw new Error(`${what} must be an integer, got ${value}`);
  }
  if (!Number.isSafeInteger(value) && value !== 2 ** 64) {
    // 2^64 is exact as a double; other large Numbers may already have lost bits.
    throw new Error(`${what} ${value} is not exact as a Number; pass a BigInt`);
  }
  return BigInt(value);
}

/** A region size in [0, 2^64]; UINT64_MAX means 2^64, as in QEMU. */
export function toSize(value: AddressLike, what = 'size'): bigint {
  const v = toBigIntChecked(value, what);
  if (v === UINT64_MAX) return SIZE_2_64;
  if (v < 0n || v > SIZE_2_64) {
    throw new Error(`${what} ${value} is outside [0, 2^64]`);
  }
  return v;
}

/** An address or offset in [0, 2^64). */
export function toAddress(value: AddressLike, what = 'address'): bigint {
  const v = toBigIntChecked(value, what);
  if (v < 0n || v >= SIZE_2_64) {
    throw new Error(`${what} ${value} is outside [0, 2^64)`);
  }
  return v;
}

/** A BigInt as a Number, clamped to the range the Number access path can address. */
export function clampToNumber(v: bigint): number {
  if (v >= BigInt(NUMBER_ADDRESS_LIMIT)) return NUMBER_ADDRESS_LIMIT;
  if (v <= -BigInt(NUMBER_ADDRESS_LIMIT)) return -NUMBER_ADDRESS_LIMIT;
  return Number(v);
}

/** QEMU's HWADDR_FMT_plx: 16 lower-case hex digits, wrapped to 64 bits. */
export function hex64(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** Upper-case hex without padding, as QEMU's guest-error messages print addresses. */
export function hexUpper(v: number): string {
  return v.toString(16).toUpperCase();
}
