import type { FlatView } from './flatview.js';
import type { MemoryRegion } from './region.js';
import { clampToNumber, NUMBER_ADDRESS_LIMIT } from './units.js';

/** How an access reaches its target. */
export const enum AccessMode {
  /** Nothing mapped: reads give all ones, writes are dropped (guest error). */
  Unassigned = 0,
  /** Straight to the RAM block's bytes. */
  Direct = 1,
  /** Through the region's MemoryRegionOps. */
  Ops = 2,
  /** Writes only: read-only memory, the write is dropped (guest error). */
  Discard = 3,
}

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY_BYTES.buffer);

/**
 * One entry of the dispatch table: a FlatRange in Number form, with everything the access
 * path needs precomputed. All entries have the same shape, so the access path stays
 * monomorphic. Gaps between ranges are entries too (Unassigned), so a lookup always hits.
 */
export class DispatchEntry {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly readMode: AccessMode,
    readonly writeMode: AccessMode,
    /** The leaf region, or undefined for a gap. */
    readonly region: MemoryRegion | undefined,
    /** `addr - regionDelta` is the offset in the region (and in its RAM block). */
    readonly regionDelta: number,
    readonly bytes: Uint8Array,
    readonly view: DataView,
    /** `addr - ramDelta` is the ram_addr of the byte (RAM-backed entries). */
    readonly ramDelta: number,
    readonly dirtyLogMask: number,
  ) {}
}

export function unassignedEntry(start: number, end: number): DispatchEntry {
  return new DispatchEntry(
    start,
    end,
    AccessMode.Unassigned,
    AccessMode.Unassigned,
    undefined,
    0,
    EMPTY_BYTES,
    EMPTY_VIEW,
    0,
    0,
  );
}

/**
 * The Number-addressed lookup structure built from a FlatView once per commit: entries
 * covering [0, +Infinity) in order, and their start addresses in a Float64Array for a
 * cache-friendly binary search.
 */
export class DispatchTable {
  readonly entries: readonly DispatchEntry[];
  readonly starts: Float64Array;

  constructor(view: FlatView) {
    const entries: DispatchEntry[] = [];
    let cursor = 0;
    for (const fr of view.ranges) {
      const start = clampToNumber(fr.start);
      if (start >= NUMBER_ADDRESS_LIMIT) break;
      const end = clampToNumber(fr.end);
      if (start > cursor) entries.push(unassignedEntry(cursor, start));
      entries.push(entryFor(fr.region, start, end, fr.offsetInRegion, fr));
      cursor = end;
    }
    entries.push(unassignedEntry(cursor, Number.POSITIVE_INFINITY));
    this.entries = entries;
    this.starts = Float64Array.from(entries, (e) => e.start);
  }

  /** The entry containing `addr`; callers pass integers in [0, 2^53). */
  lookup(addr: number): DispatchEntry {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= addr) lo = mid;
      else hi = mid - 1;
    }
    return this.entries[lo];
  }
}

function entryFor(
  mr: MemoryRegion,
  start: number,
  end: number,
  offsetInRegion: bigint,
  fr: { readonly: boolean; romdMode: boolean; dirtyLogMask: number },
): DispatchEntry {
  const regionDelta = start - clampToNumber(offsetInRegion);
  const block = mr.ramBlock;
  let readMode: AccessMode;
  let writeMode: AccessMode;
  switch (mr.kind) {
    case 'ram':
      readMode = AccessMode.Direct;
      writeMode = fr.readonly ? AccessMode.Discard : AccessMode.Direct;
      break;
    case 'romDevice':
      readMode = fr.romdMode ? AccessMode.Direct : AccessMode.Ops;
      writeMode = fr.readonly ? AccessMode.Discard : AccessMode.Ops;
      break;
    default:
      readMode = AccessMode.Ops;
      writeMode = fr.readonly ? AccessMode.Discard : AccessMode.Ops;
  }
  return new DispatchEntry(
    start,
    end,
    readMode,
    writeMode,
    mr,
    regionDelta,
    block ? block.bytes : EMPTY_BYTES,
    block ? block.view : EMPTY_VIEW,
    block ? regionDelta - block.ramAddr : 0,
    fr.dirtyLogMask,
  );
}
