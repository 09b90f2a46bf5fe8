/**
 * What the JIT needs from the guest's physical address space.
 *
 * `@tsemu/memory`'s AddressSpace implements this structurally (same names, same
 * semantics); the JIT never imports that package, so either side can be built and tested
 * alone. All addresses are guest physical addresses, Numbers in [0, 2^32) for the i386;
 * nothing here assumes more than 2^53.
 */

/** Bytes of guest RAM (or ROM) backing one page, for the TLB's inline fast path. */
export interface RamPage {
  /** The RAM block's whole backing store. */
  bytes: Uint8Array;
  /** Index in `bytes` of the first byte of the requested page. */
  offset: number;
  /** The page's address in the global ram_addr space (what the dirty log is indexed by). */
  ramAddr: number;
}

export interface PhysicalMemory {
  /** Read 1, 2 or 4 bytes, little-endian, unsigned result. Unassigned reads give all ones. */
  read(addr: number, size: 1 | 2 | 4): number;
  /**
   * Write 1, 2 or 4 bytes, little-endian. Marks dirty pages and fires code-write
   * notification (below) exactly as a DMA write would. Writes to ROM are ignored.
   */
  write(addr: number, size: 1 | 2 | 4, value: number): void;
  /**
   * If the whole 4 KiB page containing `addr` is backed directly by one RAM block
   * (RAM, or ROM / rom-device in ROMD mode when !forWrite) return its bytes, else
   * undefined (MMIO, unassigned, ROM for writes, page split across regions).
   * `addr` need not be page aligned; the result describes the page start.
   */
  ramPage(addr: number, forWrite: boolean): RamPage | undefined;
  /**
   * True when a write to this RAM page can go straight to the bytes without the memory
   * API seeing it: every dirty-log client that is logging this page (VGA, MIGRATION, and
   * CODE once the page holds translated code) already has the page marked dirty.
   * When false, the TLB must send writes to this page through `write`, which marks the
   * page dirty (and notifies code writes).
   */
  isRamPageWriteFast(ramAddr: number): boolean;
  /**
   * QEMU's tlb_protect_code: clear the CODE dirty bit of the page (it now holds TBs), so
   * that the next write to it through `write` calls the code-write handler.
   */
  protectCodePage(ramAddr: number): void;
  /**
   * The JIT registers one handler: called (before the write lands is fine, or after,
   * but within the same `write`/DMA call) with the ram_addr range written, for writes to
   * pages whose CODE bit was clear; the memory API then sets the CODE bit again.
   */
  setCodeWriteHandler(handler: ((ramAddr: number, length: number) => void) | undefined): void;
  /**
   * Called whenever dirty bits are cleared for some range by any client (VGA's
   * testAndClearDirty, protectCodePage, ...), so the TLB can put those pages back on
   * the slow write path (QEMU's tlb_reset_dirty). Returns an unsubscribe function.
   */
  onDirtyReset(listener: (ramAddr: number, length: number) => void): () => void;
  /**
   * Called after every committed change to the address space's FlatView (a MemoryListener
   * commit), so the TLB flushes. Returns an unsubscribe function.
   */
  onTopologyChange(listener: () => void): () => void;
}
