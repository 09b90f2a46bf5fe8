/**
 * Region-level access: what QEMU's memory_region_dispatch_read/write do once the FlatView
 * has picked a leaf region. Checks the access against `valid`, then fits it to the
 * implemented sizes (`impl`): splitting wide or unaligned accesses into naturally aligned
 * pieces, widening narrow ones to `impl.minAccessSize`, and byte-swapping for big-endian
 * devices. Values of up to 4 bytes are plain Numbers; an 8-byte value travels as two
 * 32-bit halves (`low` returned, `high` left in `result.high`).
 */
import type { LogSink } from './log.js';
import { GUEST_ERRORS } from './log.js';
import type { AccessSize, NormalizedOps } from './ops.js';
import type { MemoryRegion } from './region.js';
import { hexUpper } from './units.js';

/** Where 8-byte results and failure flags go, so the access path never allocates. */
export interface AccessResult {
  /** High 32 bits of an 8-byte read. */
  high: number;
  /** Set when some part of the access was rejected (MEMTX_DECODE_ERROR). */
  failed: boolean;
}

/** All ones of `size` bytes, the value of an access nothing answers. */
export function allOnes(size: number): number {
  return size >= 4 ? 0xffffffff : (1 << (size * 8)) - 1;
}

export function bswap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

export function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function mask(v: number, size: number): number {
  return size === 4 ? v >>> 0 : size === 2 ? v & 0xffff : v & 0xff;
}

/** QEMU's memory_region_access_valid; returns the rejection reason, or undefined. */
function invalidReason(ops: NormalizedOps, offset: number, size: number, isWrite: boolean) {
  if (isWrite ? !ops.canWrite : !ops.canRead) return 'rejected';
  if (ops.hasAccepts && !ops.source.valid?.accepts?.(offset, size as AccessSize, isWrite)) {
    return 'rejected';
  }
  if (!ops.validUnaligned && offset % size !== 0) return 'unaligned';
  if (ops.validMax !== 0 && (size > ops.validMax || size < ops.validMin)) {
    return `invalid size (min:${ops.validMin} max:${ops.validMax})`;
  }
  return undefined;
}

export function logInvalid(
  log: LogSink,
  isWrite: boolean,
  addr: number,
  size: number,
  where: string,
  reason: string,
): void {
  if (log.enabled(GUEST_ERRORS)) {
    log.write(
      GUEST_ERRORS,
      `Invalid ${isWrite ? 'write' : 'read'} at addr 0x${hexUpper(addr)}, size ${size}, ${where}, reason: ${reason}\n`,
    );
  }
}

function regionWhere(mr: MemoryRegion, offset: number): string {
  return `region '${mr.name}' offset 0x${hexUpper(offset)}`;
}

/**
 * Reads `size` (1, 2, 4 or 8) bytes at `offset` of an I/O (or ROM-device) region.
 * `addr` is the address-space address, used only in guest-error messages.
 */
export function regionRead(
  mr: MemoryRegion,
  offset: number,
  size: number,
  addr: number,
  result: AccessResult,
  log: LogSink,
): number {
  const ops = mr.ops as NormalizedOps;
  // The common case: an aligned access the device accepts and implements as it is.
  if ((ops.directReadSizes & size) !== 0 && (offset & (size - 1)) === 0) {
    const v = (ops.source.read as (o: number, s: 1 | 2 | 4) => number)(offset, size as 1 | 2 | 4);
    if (!ops.bigEndian || size === 1) return mask(v, size);
    return size === 2 ? bswap16(v) : bswap32(v);
  }
  const reason = invalidReason(ops, offset, size, false);
  if (reason !== undefined) {
    logInvalid(log, false, addr, size, regionWhere(mr, offset), reason);
    result.failed = true;
    result.high = 0xffffffff;
    return allOnes(size);
  }
  return splitRead(mr, ops, offset, size, result);
}

/** Largest naturally aligned piece at `p` (aligned unless the device handles unaligned). */
function pieceSize(ops: NormalizedOps, p: number, remaining: number): number {
  let c = ops.implMax;
  while (c > remaining) c >>= 1;
  if (!ops.implUnaligned) while (p % c !== 0) c >>= 1;
  return c;
}

/**
 * The general case (QEMU's access_with_adjusted_size): walk the access in pieces the
 * device implements, widening any piece narrower than impl.minAccessSize to an aligned
 * access of that size. Bytes are moved one by one: this path is rare and must be exact.
 */
function splitRead(
  mr: MemoryRegion,
  ops: NormalizedOps,
  offset: number,
  size: number,
  result: AccessResult,
): number {
  const source = ops.source;
  let lo = 0;
  let hi = 0;
  const end = offset + size;
  let p = offset;
  while (p < end) {
    let width = pieceSize(ops, p, end - p);
    let base = p;
    if (width < ops.implMin) {
      width = ops.implMin;
      base = p - (p % width);
    }
    let vlo: number;
    let vhi = 0;
    if (width === 8) {
      const r = mr.scratch64;
      (source.read64 as NonNullable<typeof source.read64>)(base, r);
      vlo = r.low;
      vhi = r.high;
    } else {
      vlo = (source.read as (o: number, s: 1 | 2 | 4) => number)(base, width as 1 | 2 | 4);
    }
    const take = Math.min(end, base + width) - p;
    for (let j = 0; j < take; j++) {
      const k = p - base + j;
      const byteIndex = ops.bigEndian ? width - 1 - k : k;
      const byte =
        byteIndex < 4 ? (vlo >>> (byteIndex * 8)) & 0xff : (vhi >>> ((byteIndex - 4) * 8)) & 0xff;
      const pos = p - offset + j;
      if (pos < 4) lo |= byte << (pos * 8);
      else hi |= byte << ((pos - 4) * 8);
    }
    p += take;
  }
  result.high = hi >>> 0;
  return lo >>> 0;
}

/** Writes `size` bytes (`low`, and `high` for 8) at `offset` of an I/O or ROM-device region. */
export function regionWrite(
  mr: MemoryRegion,
  offset: number,
  size: number,
  low: number,
  high: number,
  addr: number,
  result: AccessResult,
  log: LogSink,
): void {
  const ops = mr.ops as NormalizedOps;
  if ((ops.directWriteSizes & size) !== 0 && (offset & (size - 1)) === 0) {
    let v = mask(low, size);
    if (ops.bigEndian && size !== 1) v = size === 2 ? bswap16(v) : bswap32(v);
    (ops.source.write as (o: number, v: number, s: 1 | 2 | 4) => void)(
      offset,
      v,
      size as 1 | 2 | 4,
    );
    return;
  }
  const reason = invalidReason(ops, offset, size, true);
  if (reason !== undefined) {
    logInvalid(log, true, addr, size, regionWhere(mr, offset), reason);
    result.failed = true;
    return;
  }
  splitWrite(ops, offset, size, low, high);
}

/**
 * Writes in implemented pieces. A piece narrower than impl.minAccessSize is widened to an
 * aligned access whose other bytes are zero, as QEMU does (no read-modify-write: reading a
 * device register can have side effects).
 */
function splitWrite(ops: NormalizedOps, offset: number, size: number, low: number, high: number) {
  const source = ops.source;
  const end = offset + size;
  let p = offset;
  while (p < end) {
    let width = pieceSize(ops, p, end - p);
    let base = p;
    if (width < ops.implMin) {
      width = ops.implMin;
      base = p - (p % width);
    }
    const take = Math.min(end, base + width) - p;
    let clo = 0;
    let chi = 0;
    for (let j = 0; j < take; j++) {
      const pos = p - offset + j;
      const byte = pos < 4 ? (low >>> (pos * 8)) & 0xff : (high >>> ((pos - 4) * 8)) & 0xff;
      const k = p - base + j;
      const byteIndex = ops.bigEndian ? width - 1 - k : k;
      if (byteIndex < 4) clo |= byte << (byteIndex * 8);
      else chi |= byte << ((byteIndex - 4) * 8);
    }
    if (width === 8) {
      (source.write64 as NonNullable<typeof source.write64>)(base, clo >>> 0, chi >>> 0);
    } else {
      (source.write as (o: number, v: number, s: 1 | 2 | 4) => void)(
        base,
        clo >>> 0,
        width as 1 | 2 | 4,
      );
    }
    p += take;
  }
}
