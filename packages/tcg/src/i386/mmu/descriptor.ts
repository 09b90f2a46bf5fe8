/**
 * Segment descriptors and selectors: pure functions over the two dwords of a
 * descriptor (`low` = bytes 0-3, `high` = bytes 4-7 of the GDT/LDT entry).
 *
 * A segment register's hidden part is kept as QEMU keeps it: `base`, `limit`
 * (in bytes, granularity applied) and `flags` (the descriptor's high dword
 * with the base and limit bits cleared), so the DESC bits below test it
 * directly.
 */

/** Bits of `flags` (the descriptor's high dword). */
export const Desc = {
  /** Type field, bits 8-11. */
  TYPE_SHIFT: 8,
  TYPE_MASK: 0xf << 8,
  /** Accessed (code and data segments). */
  A: 1 << 8,
  /** Data: writable. Code: readable. */
  W: 1 << 9,
  R: 1 << 9,
  /** Data: expand-down. Code: conforming. */
  E: 1 << 10,
  C: 1 << 10,
  /** Code (with S set). */
  CS: 1 << 11,
  /** Code or data segment (clear: a system descriptor). */
  S: 1 << 12,
  DPL_SHIFT: 13,
  DPL_MASK: 3 << 13,
  /** Present. */
  P: 1 << 15,
  /** Available to software. */
  AVL: 1 << 20,
  /** 64-bit code segment (long mode only; reserved here). */
  L: 1 << 21,
  /** Default operation size / big: 32-bit code, 32-bit stack, 4 GiB expand-down upper bound. */
  B: 1 << 22,
  /** Granularity: the limit counts 4 KiB pages. */
  G: 1 << 23,
} as const;

/** System descriptor types (S clear). */
export enum SystemType {
  Tss16Available = 1,
  Ldt = 2,
  Tss16Busy = 3,
  CallGate16 = 4,
  TaskGate = 5,
  InterruptGate16 = 6,
  TrapGate16 = 7,
  Tss32Available = 9,
  Tss32Busy = 11,
  CallGate32 = 12,
  InterruptGate32 = 14,
  TrapGate32 = 15,
}

/** The hidden part of a segment register. */
export interface SegmentCache {
  selector: number;
  base: number;
  /** Limit in bytes (granularity applied). */
  limit: number;
  /** Descriptor high dword without base and limit bits (see Desc). */
  flags: number;
}

/** Base address (32 bits) of a descriptor. */
export function descriptorBase(low: number, high: number): number {
  return ((low >>> 16) | ((high & 0xff) << 16) | (high & 0xff000000)) >>> 0;
}

/** Limit in bytes: the 20-bit limit, scaled to 4 KiB pages (low 12 bits set) when G is set. */
export function descriptorLimit(low: number, high: number): number {
  const raw = (low & 0xffff) | (high & 0xf0000);
  return high & Desc.G ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

/** The attribute bits of the high dword (base and limit bits cleared). */
export function descriptorFlags(high: number): number {
  return (high & 0x00f0ff00) >>> 0;
}

/** Fills a segment cache from a selector and the descriptor it names. */
export function loadSegmentCache(
  cache: SegmentCache,
  selector: number,
  low: number,
  high: number,
): void {
  cache.selector = selector & 0xffff;
  cache.base = descriptorBase(low, high);
  cache.limit = descriptorLimit(low, high);
  cache.flags = descriptorFlags(high);
}

/** Real-mode segment: base = selector * 16, limit and attributes kept (QEMU keeps them too, for "unreal mode"). */
export function loadRealModeSegment(cache: SegmentCache, selector: number): void {
  cache.selector = selector & 0xffff;
  cache.base = (selector & 0xffff) << 4;
}

/**
 * Virtual-8086 segment: base = selector * 16, 64 KiB limit, a present,
 * writable, accessed data segment at DPL 3.
 */
export function loadVm86Segment(cache: SegmentCache, selector: number): void {
  cache.selector = selector & 0xffff;
  cache.base = (selector & 0xffff) << 4;
  cache.limit = 0xffff;
  cache.flags = Desc.P | Desc.S | Desc.W | Desc.A | (3 << Desc.DPL_SHIFT);
}

export const isPresent = (flags: number): boolean => (flags & Desc.P) !== 0;
export const isSystem = (flags: number): boolean => (flags & Desc.S) === 0;
export const isCode = (flags: number): boolean =>
  (flags & (Desc.S | Desc.CS)) === (Desc.S | Desc.CS);
export const isData = (flags: number): boolean => (flags & (Desc.S | Desc.CS)) === Desc.S;
/** Data segments are always readable; code segments when R is set. */
export const isReadable = (flags: number): boolean =>
  isData(flags) || (isCode(flags) && (flags & Desc.R) !== 0);
export const isWritable = (flags: number): boolean => isData(flags) && (flags & Desc.W) !== 0;
export const isExpandDown = (flags: number): boolean => isData(flags) && (flags & Desc.E) !== 0;
export const isConforming = (flags: number): boolean => isCode(flags) && (flags & Desc.C) !== 0;
export const is32Bit = (flags: number): boolean => (flags & Desc.B) !== 0;
export const descriptorDpl = (flags: number): number => (flags >> Desc.DPL_SHIFT) & 3;
/** The 4-bit type field (a SystemType when the descriptor is a system one). */
export const descriptorType = (flags: number): number => (flags >> Desc.TYPE_SHIFT) & 0xf;

/**
 * Whether `size` bytes at `offset` lie within the segment. Expand-up:
 * offset .. offset+size-1 within 0 .. limit. Expand-down: within
 * limit+1 .. 0xffff, or 0xffffffff when B is set.
 */
export function withinLimit(flags: number, limit: number, offset: number, size: number): boolean {
  const first = offset >>> 0;
  const last = first + size - 1;
  if (isExpandDown(flags)) {
    const upper = flags & Desc.B ? 0xffffffff : 0xffff;
    return first > limit && last <= upper;
  }
  return last <= limit;
}

/** Selector fields. */
export const selectorIndex = (selector: number): number => (selector >> 3) & 0x1fff;
/** Table indicator: 1 = LDT, 0 = GDT. */
export const selectorTi = (selector: number): number => (selector >> 2) & 1;
export const selectorRpl = (selector: number): number => selector & 3;
/** The null selector (index 0 in the GDT, any RPL). */
export const isNullSelector = (selector: number): boolean => (selector & 0xfffc) === 0;

/**
 * Linear address of the descriptor a selector names in a table at `base`
 * with `limit` (the GDTR/LDTR limit), or -1 when the entry's 8 bytes are not
 * all within the limit (#GP/#TS with the selector as error code).
 */
export function descriptorAddress(tableBase: number, tableLimit: number, selector: number): number {
  const offset = selector & 0xfff8;
  if (offset + 7 > tableLimit) return -1;
  return (tableBase + offset) >>> 0;
}

/** A call, interrupt, trap or task gate. */
export interface Gate {
  selector: number;
  /** Entry point (not used by task gates). */
  offset: number;
  /** Dwords (32-bit gate) or words (16-bit gate) to copy on a call through a call gate. */
  paramCount: number;
  type: number;
  dpl: number;
  present: boolean;
}

/** Decodes a gate descriptor; 16-bit gates keep only the low 16 bits of the offset. */
export function parseGate(low: number, high: number): Gate {
  const type = (high >> 8) & 0xf;
  const wide =
    type === SystemType.CallGate32 ||
    type === SystemType.InterruptGate32 ||
    type === SystemType.TrapGate32;
  return {
    selector: low >>> 16,
    offset: wide ? ((high & 0xffff0000) | (low & 0xffff)) >>> 0 : low & 0xffff,
    paramCount: high & 0x1f,
    type,
    dpl: (high >> 13) & 3,
    present: (high & Desc.P) !== 0,
  };
}

/**
 * Builds the two dwords of a code/data or system descriptor (for tests and
 * firmware tables). `limit` is in bytes, switched to pages (and G set) when
 * it needs more than 20 bits; with G already in `flags` it is taken as pages.
 */
export function makeDescriptor(base: number, limit: number, flags: number): [number, number] {
  let raw = limit >>> 0;
  let f = flags;
  if (raw > 0xfffff) {
    // Needs page granularity; the low 12 bits are implied ones.
    raw >>>= 12;
    f |= Desc.G;
  }
  const low = (((base & 0xffff) << 16) | (raw & 0xffff)) >>> 0;
  const high =
    ((base & 0xff000000) | (f & 0x00f0ff00) | (raw & 0xf0000) | ((base >>> 16) & 0xff)) >>> 0;
  return [low, high];
}
