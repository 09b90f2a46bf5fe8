import type { AddressSpace } from './address-space.js';
import type { FlatRange, FlatView } from './flatview.js';
import type { MemoryRegion } from './region.js';

/**
 * A piece of an address space as listeners see it (QEMU's MemoryRegionSection): a range of
 * a leaf region mapped at `offsetWithinAddressSpace`. For the I/O address space these are
 * port ranges. Exact BigInts, since a section may reach 2^64.
 */
export interface MemoryRegionSection {
  readonly addressSpace: AddressSpace;
  readonly region: MemoryRegion;
  readonly offsetWithinRegion: bigint;
  readonly offsetWithinAddressSpace: bigint;
  readonly size: bigint;
  readonly readonly: boolean;
}

/**
 * Follows an address space's FlatView (QEMU's MemoryListener). Callbacks come after a
 * transaction commits, bracketed by `begin`/`commit`: deletions first (listeners in reverse
 * priority order), then additions (priority order). A TLB flushes in `commit`; an
 * accelerator maps RAM slots in `regionAdd`/`regionDel`.
 */
export interface MemoryListener {
  /** Lower runs first for additions and last for deletions. Default 0. */
  readonly priority?: number;
  /** A commit starts (called for every listener of every address space). */
  begin?(): void;
  /** A commit ends. */
  commit?(): void;
  /** A range appeared (or changed: it is deleted, then added again). */
  regionAdd?(section: MemoryRegionSection): void;
  /** A range went away. */
  regionDel?(section: MemoryRegionSection): void;
  /** A range is unchanged. */
  regionNop?(section: MemoryRegionSection): void;
  /** Dirty logging started for some clients on an unchanged range (masks: bit `1 << DirtyClient`). */
  logStart?(section: MemoryRegionSection, oldMask: number, newMask: number): void;
  /** Dirty logging stopped for some clients on an unchanged range. */
  logStop?(section: MemoryRegionSection, oldMask: number, newMask: number): void;
  /** Global (migration) dirty logging started. */
  logGlobalStart?(): void;
  /** Global (migration) dirty logging stopped. */
  logGlobalStop?(): void;
}

export function sectionOf(as: AddressSpace, fr: FlatRange): MemoryRegionSection {
  return {
    addressSpace: as,
    region: fr.region,
    offsetWithinRegion: fr.offsetInRegion,
    offsetWithinAddressSpace: fr.start,
    size: fr.size,
    readonly: fr.readonly,
  };
}

/** Sorts by priority, keeping registration order among equals (QEMU inserts after equals). */
export function insertByPriority(list: MemoryListener[], listener: MemoryListener): void {
  const p = listener.priority ?? 0;
  let i = list.length;
  while (i > 0 && (list[i - 1].priority ?? 0) > p) i--;
  list.splice(i, 0, listener);
}

/**
 * One pass over the symmetric difference of two FlatViews (QEMU's
 * address_space_update_topology_pass): the deleting pass reports ranges that vanished or
 * changed; the adding pass reports new ones and logging changes on unchanged ones.
 */
export function updateTopologyPass(
  as: AddressSpace,
  listeners: readonly MemoryListener[],
  oldView: FlatView,
  newView: FlatView,
  adding: boolean,
): void {
  const olds = oldView.ranges;
  const news = newView.ranges;
  let iold = 0;
  let inew = 0;
  while (iold < olds.length || inew < news.length) {
    const frold = iold < olds.length ? olds[iold] : undefined;
    const frnew = inew < news.length ? news[inew] : undefined;
    if (
      frold &&
      (!frnew ||
        frold.start < frnew.start ||
        (frold.start === frnew.start && !frold.sameMapping(frnew)))
    ) {
      if (!adding) {
        const s = sectionOf(as, frold);
        for (let i = listeners.length - 1; i >= 0; i--) listeners[i].regionDel?.(s);
      }
      iold++;
    } else if (frold && frnew && frold.sameMapping(frnew)) {
      if (adding) {
        const s = sectionOf(as, frnew);
        for (const l of listeners) l.regionNop?.(s);
        if (frnew.dirtyLogMask & ~frold.dirtyLogMask) {
          for (const l of listeners) l.logStart?.(s, frold.dirtyLogMask, frnew.dirtyLogMask);
        }
        if (frold.dirtyLogMask & ~frnew.dirtyLogMask) {
          for (let i = listeners.length - 1; i >= 0; i--) {
            listeners[i].logStop?.(s, frold.dirtyLogMask, frnew.dirtyLogMask);
          }
        }
      }
      iold++;
      inew++;
    } else if (frnew) {
      if (adding) {
        const s = sectionOf(as, frnew);
        for (const l of listeners) l.regionAdd?.(s);
      }
      inew++;
    }
  }
}
