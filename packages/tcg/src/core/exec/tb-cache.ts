import { PAGE_SIZE } from '../softmmu/tlb.js';
import type { TranslationBlock } from './translation-block.js';

export interface TbCacheStatistics {
  /** TBs translated since start. */
  translated: number;
  /** TBs invalidated (code overwritten). */
  invalidated: number;
  /** Full flushes (cache full, RAM block change, explicit). */
  flushes: number;
  /** Code-write notifications received from the memory API. */
  codeWrites: number;
  /** Guest instructions translated since start. */
  insnsTranslated: number;
}

/**
 * The TranslationBlock cache (QEMU's TBContext with its page descriptors): a hash table
 * keyed by physical PC, the list of TBs on each guest physical page, invalidation with
 * unlinking of chained jumps, and full flush.
 *
 * Physical addresses here are ram_addrs, as in QEMU's system mode: what the memory API's
 * dirty log and code-write notifications are indexed by.
 */
export class TbCache {
  private readonly hash = new Map<number, TranslationBlock>();
  private readonly pages = new Map<number, TranslationBlock[]>();
  /** Pages that still hold TBs after a code write: protect them again once it is over. */
  private readonly pendingProtect = new Set<number>();
  private live = 0;

  readonly stats: TbCacheStatistics = {
    translated: 0,
    invalidated: 0,
    flushes: 0,
    codeWrites: 0,
    insnsTranslated: 0,
  };

  /** Called for each invalidated TB (the engine drops it from the jump cache). */
  onInvalidate: ((tb: TranslationBlock) => void) | null = null;
  /** Called after a full flush. */
  onFlush: (() => void) | null = null;

  constructor(
    /** Clear the CODE dirty bit of a page (memory.protectCodePage + TLB reset). */
    private readonly protectPage: (ramAddr: number) => void,
  ) {}

  /** Live TBs. */
  get count(): number {
    return this.live;
  }

  /** Number of pages holding code. */
  get codePages(): number {
    return this.pages.size;
  }

  /** The cached TB for this key, checking the second page's mapping with `page1Of`. */
  find(
    physPc: number,
    pc: number,
    csBase: number,
    flags: number,
    cflags: number,
    page1Of: (tb: TranslationBlock) => number,
  ): TranslationBlock | null {
    for (let tb = this.hash.get(physPc) ?? null; tb !== null; tb = tb.hashNext) {
      if (tb.pc === pc && tb.csBase === csBase && tb.flags === flags && tb.cflags === cflags) {
        if (tb.pageAddr[1] === -1 || page1Of(tb) === tb.pageAddr[1]) return tb;
      }
    }
    return null;
  }

  /** Add a translated TB: hash it, list it on its pages, protect newly used pages. */
  insert(tb: TranslationBlock): void {
    tb.hashNext = this.hash.get(tb.physPc) ?? null;
    this.hash.set(tb.physPc, tb);
    for (const page of tb.pageAddr) {
      if (page < 0) continue;
      const key = page / PAGE_SIZE;
      let list = this.pages.get(key);
      if (list === undefined) {
        list = [];
        this.pages.set(key, list);
        this.protectPage(page);
      }
      list.push(tb);
    }
    this.live++;
  }

  /** Link `src`'s chaining slot to `dest` (QEMU's tb_add_jump). */
  link(src: TranslationBlock, slot: number, dest: TranslationBlock): void {
    if (src.jmpDest[slot] !== null || src.invalid || dest.invalid) return;
    src.jmpDest[slot] = dest;
    dest.incomingTb.push(src);
    dest.incomingSlot.push(slot);
  }

  /** True when a page holds translated code. */
  pageHasCode(ramAddr: number): boolean {
    return this.pages.has(Math.floor(ramAddr / PAGE_SIZE));
  }

  /** Invalidate one TB (QEMU's tb_phys_invalidate). */
  invalidate(tb: TranslationBlock): void {
    if (tb.invalid) return;
    tb.invalid = true;
    // Out of the hash chain.
    let head = this.hash.get(tb.physPc) ?? null;
    if (head === tb) {
      if (tb.hashNext === null) this.hash.delete(tb.physPc);
      else this.hash.set(tb.physPc, tb.hashNext);
    } else {
      while (head !== null && head.hashNext !== tb) head = head.hashNext;
      if (head !== null) head.hashNext = tb.hashNext;
    }
    tb.hashNext = null;
    // Off its pages.
    for (const page of tb.pageAddr) {
      if (page < 0) continue;
      const key = page / PAGE_SIZE;
      const list = this.pages.get(key);
      if (list === undefined) continue;
      const i = list.indexOf(tb);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.pages.delete(key);
    }
    // Unlink jumps into it and out of it.
    for (let i = 0; i < tb.incomingTb.length; i++) {
      const src = tb.incomingTb[i];
      if (src.jmpDest[tb.incomingSlot[i]] === tb) src.jmpDest[tb.incomingSlot[i]] = null;
    }
    tb.incomingTb.length = 0;
    tb.incomingSlot.length = 0;
    for (let slot = 0; slot < 2; slot++) {
      const dest = tb.jmpDest[slot];
      if (dest === null) continue;
      tb.jmpDest[slot] = null;
      for (let i = dest.incomingTb.length - 1; i >= 0; i--) {
        if (dest.incomingTb[i] === tb && dest.incomingSlot[i] === slot) {
          dest.incomingTb.splice(i, 1);
          dest.incomingSlot.splice(i, 1);
        }
      }
    }
    this.live--;
    this.stats.invalidated++;
    this.onInvalidate?.(tb);
  }

  /**
   * Invalidate every TB whose code overlaps the ram_addr range [start, end) (QEMU's
   * tb_invalidate_phys_range). Returns how many were invalidated.
   */
  invalidatePhysRange(start: number, end: number): number {
    let n = 0;
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor((end - 1) / PAGE_SIZE);
    for (let key = first; key <= last; key++) {
      const list = this.pages.get(key);
      if (list === undefined) continue;
      for (const tb of list.slice()) {
        if (tb.overlapsRam(start, end)) {
          this.invalidate(tb);
          n++;
        }
      }
      if (this.pages.has(key)) this.pendingProtect.add(key);
    }
    return n;
  }

  /** The memory API's code-write notification. */
  codeWritten(ramAddr: number, length: number): void {
    this.stats.codeWrites++;
    this.invalidatePhysRange(ramAddr, ramAddr + Math.max(length, 1));
  }

  /**
   * Protect again the pages that still hold code after a code write (the memory API set
   * their CODE bit when the write finished). Runs between TBs and around slow writes.
   */
  syncProtection(): void {
    if (this.pendingProtect.size === 0) return;
    for (const key of this.pendingProtect) {
      if (this.pages.has(key)) this.protectPage(key * PAGE_SIZE);
    }
    this.pendingProtect.clear();
  }

  /** Drop every TB (QEMU's tb_flush). */
  flush(): void {
    for (const first of this.hash.values()) {
      let head: TranslationBlock | null = first;
      while (head !== null) {
        const next: TranslationBlock | null = head.hashNext;
        head.invalid = true;
        head.jmpDest[0] = null;
        head.jmpDest[1] = null;
        head.incomingTb.length = 0;
        head.incomingSlot.length = 0;
        head.hashNext = null;
        head = next;
      }
    }
    this.hash.clear();
    this.pages.clear();
    this.pendingProtect.clear();
    this.live = 0;
    this.stats.flushes++;
    this.onFlush?.();
  }
}
