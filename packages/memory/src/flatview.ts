import type { MemoryRegion } from './region.js';
import { SIZE_2_64 } from './units.js';

/**
 * One piece of a FlatView: addresses [start, start + size) of the address space map to
 * `region` (always a leaf: RAM, ROM device or I/O) from `offsetInRegion` on.
 * Exact BigInt addresses; the access path uses the Number copy in DispatchTable.
 */
export class FlatRange {
  constructor(
    readonly region: MemoryRegion,
    readonly start: bigint,
    readonly size: bigint,
    readonly offsetInRegion: bigint,
    /** Writes are dropped: the region or an alias/container above it is read-only. */
    readonly readonly: boolean,
    /** For ROM devices: reads come straight from RAM. */
    readonly romdMode: boolean,
    /** Dirty-log clients logging writes to this range (bit `1 << DirtyClient`). */
    readonly dirtyLogMask: number,
  ) {}

  get end(): bigint {
    return this.start + this.size;
  }

  /** Same mapping and attributes; the dirty log mask is compared separately (QEMU's flatrange_equal). */
  sameMapping(other: FlatRange): boolean {
    return (
      this.region === other.region &&
      this.start === other.start &&
      this.size === other.size &&
      this.offsetInRegion === other.offsetInRegion &&
      this.readonly === other.readonly &&
      this.romdMode === other.romdMode
    );
  }
}

/** A region tree flattened into sorted, non-overlapping ranges (QEMU's FlatView). */
export class FlatView {
  constructor(
    /** The region the view was rendered from (undefined: an empty view). */
    readonly root: MemoryRegion | undefined,
    readonly ranges: readonly FlatRange[],
  ) {}

  /** The range containing `addr`, by binary search; undefined where nothing is mapped. */
  lookup(addr: bigint): FlatRange | undefined {
    const ranges = this.ranges;
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = ranges[mid];
      if (addr < r.start) hi = mid - 1;
      else if (addr >= r.start + r.size) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  /** Identical ranges, attributes and dirty masks: nothing for listeners or the TLB to do. */
  equals(other: FlatView): boolean {
    if (this.ranges.length !== other.ranges.length) return false;
    for (let i = 0; i < this.ranges.length; i++) {
      const a = this.ranges[i];
      const b = other.ranges[i];
      if (!a.sameMapping(b) || a.dirtyLogMask !== b.dirtyLogMask) return false;
    }
    return true;
  }
}

/**
 * Renders a region tree into a FlatView (QEMU's generate_memory_topology).
 *
 * Regions are visited highest priority first; each leaf fills only the gaps left by what
 * was already rendered, so a higher-priority container or alias hides lower ones only where
 * it maps something (memory.rst, "Overlapping regions and priority"). Adjacent pieces of
 * one region are then merged.
 */
export function renderFlatView(root: MemoryRegion | undefined): FlatView {
  const ranges: FlatRange[] = [];
  if (root) {
    const renderer = new Renderer(ranges);
    renderer.render(root, 0n, 0n, SIZE_2_64, false);
  }
  return new FlatView(root, simplify(ranges));
}

class Renderer {
  /** Regions on the current path: seeing one again means an alias or containment cycle. */
  private readonly path = new Set<MemoryRegion>();

  constructor(private readonly ranges: FlatRange[]) {}

  /**
   * Renders `mr` whose container starts at absolute address `base`, clipped to
   * [clipStart, clipEnd). `readonly` accumulates read-only flags on the way down.
   */
  render(mr: MemoryRegion, base: bigint, clipStart: bigint, clipEnd: bigint, readonly: boolean) {
    if (!mr.enabled) return;
    const start = base + mr.addr;
    const end = start + mr.size;
    const from = start > clipStart ? start : clipStart;
    const to = end < clipEnd ? end : clipEnd;
    if (from >= to) return;
    if (this.path.has(mr)) {
      throw new Error(`memory region "${mr.name}" contains itself (alias or subregion cycle)`);
    }
    readonly ||= mr.readonly;
    this.path.add(mr);
    const target = mr.aliasTarget;
    if (target) {
      // Place the target so that alias offset `aliasOffset` lands at this alias's start.
      this.render(target, start - mr.aliasOffset - target.addr, from, to, readonly);
    } else {
      for (const sub of mr.subregions) this.render(sub, start, from, to, readonly);
      if (mr.terminates) this.fillGaps(mr, start, from, to, readonly);
    }
    this.path.delete(mr);
  }

  /** Inserts pieces of leaf `mr` (which starts at `start`) into the holes of [from, to). */
  private fillGaps(mr: MemoryRegion, start: bigint, from: bigint, to: bigint, readonly: boolean) {
    const ranges = this.ranges;
    const romd = mr.kind === 'romDevice' ? mr.romdMode : false;
    const mask = mr.dirtyLogMask;
    // First existing range that ends after `from`.
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid].end <= from) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    let pos = from;
    while (pos < to) {
      if (i < ranges.length && ranges[i].start <= pos) {
        // Already covered by something of higher priority: skip past it.
        const e = ranges[i].end;
        if (e > pos) pos = e;
        i++;
        continue;
      }
      const next = i < ranges.length ? ranges[i].start : to;
      const gapEnd = next < to ? next : to;
      ranges.splice(i, 0, new FlatRange(mr, pos, gapEnd - pos, pos - start, readonly, romd, mask));
      i++;
      pos = gapEnd;
    }
  }
}

/** Merges neighbours that continue the same region with the same attributes (flatview_simplify). */
function simplify(ranges: FlatRange[]): FlatRange[] {
  const out: FlatRange[] = [];
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.region === r.region &&
      prev.end === r.start &&
      prev.offsetInRegion + prev.size === r.offsetInRegion &&
      prev.readonly === r.readonly &&
      prev.romdMode === r.romdMode &&
      prev.dirtyLogMask === r.dirtyLogMask
    ) {
      out[out.length - 1] = new FlatRange(
        prev.region,
        prev.start,
        prev.size + r.size,
        prev.offsetInRegion,
        prev.readonly,
        prev.romdMode,
        prev.dirtyLogMask,
      );
    } else {
      out.push(r);
    }
  }
  return out;
}
