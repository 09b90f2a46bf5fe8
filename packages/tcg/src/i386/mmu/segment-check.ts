/**
 * Segment limit and type checks of ordinary data accesses, as pure functions over a
 * segment cache (see descriptor.ts for the `flags`/`limit` format).
 *
 * The checks are precomputed per segment register whenever its cache or the CPU mode
 * changes, so that an access needs one subtraction and one unsigned comparison: for each
 * kind of access (read or write, 1/2/4 bytes) a window `[lo, lo + span)` of valid start
 * offsets. A window with span 0 rejects everything (a null selector, a write to a code or
 * read-only segment, a read of an execute-only code segment).
 */
import { Desc } from './descriptor.js';

/** Access sizes with a window, in slot order. */
export const SEGMENT_CHECK_SIZES = [1, 2, 4] as const;

/**
 * The valid start offsets of a `size`-byte access to a segment: `[lo, lo + span)`, where
 * span may reach 2^32 (every offset valid).
 */
export interface SegmentWindow {
  lo: number;
  span: number;
}

/**
 * What a segment allows, from its cache. In protected mode: a non-present cache (a null
 * selector) allows nothing; code is never writable and readable only with R; data is
 * readable, writable with W, and expand-down with E (upper bound 0xffff, or 0xffffffff with
 * B). In real and virtual-8086 mode only the limit counts; a cache left unusable by a null
 * selector load in protected mode counts as 64 KiB (the value any real-mode segment load
 * on hardware would leave), so that firmware returning to real mode keeps working.
 */
export interface SegmentRights {
  readable: boolean;
  writable: boolean;
  expandDown: boolean;
  /** Limit in bytes. */
  limit: number;
  /** Highest offset of an expand-down segment. */
  upper: number;
}

export function segmentRights(
  flags: number,
  limitIn: number,
  protectedMode: boolean,
  out: SegmentRights,
): SegmentRights {
  let limit = limitIn >>> 0;
  let readable = true;
  let writable = true;
  let expandDown = false;
  const present = (flags & Desc.P) !== 0;
  const code = (flags & Desc.CS) !== 0;
  if (protectedMode) {
    if (!present || !(flags & Desc.S)) {
      readable = false;
      writable = false;
    } else if (code) {
      writable = false;
      readable = (flags & Desc.R) !== 0;
    } else {
      writable = (flags & Desc.W) !== 0;
      expandDown = (flags & Desc.E) !== 0;
    }
  } else if (!present) {
    limit = 0xffff;
  } else if (!code) {
    expandDown = (flags & Desc.E) !== 0;
  }
  out.readable = readable;
  out.writable = writable;
  out.expandDown = expandDown;
  out.limit = limit;
  out.upper = flags & Desc.B ? 0xffffffff : 0xffff;
  return out;
}

/** The window of `size`-byte accesses (reads or writes) that `r` allows. */
export function segmentWindow(
  r: SegmentRights,
  write: boolean,
  size: number,
  out: SegmentWindow,
): SegmentWindow {
  out.lo = 0;
  out.span = 0;
  if (!(write ? r.writable : r.readable)) return out;
  if (r.expandDown) {
    // Valid offsets: limit+1 .. upper, with the whole access below the upper bound.
    const lo = r.limit + 1;
    const last = r.upper - (size - 1);
    if (last >= lo) {
      out.lo = lo;
      out.span = last - lo + 1;
    }
  } else if (r.limit >= size - 1) {
    // Valid offsets: 0 .. limit - (size - 1): the last byte of the access within the limit.
    out.span = r.limit - (size - 1) + 1;
  }
  return out;
}

/** True when every access of every size is allowed: no check is needed. */
export function segmentIsFlat(r: SegmentRights): boolean {
  return r.readable && r.writable && !r.expandDown && r.limit === 0xffffffff;
}

/** Does the window allow an access at `offset`? (span may be 2^32.) */
export function windowAllows(w: SegmentWindow, offset: number): boolean {
  return (offset - w.lo) >>> 0 < w.span;
}
