import { TARGET_PAGE_SIZE } from './units.js';

/**
 * Dirty-memory clients (QEMU's DIRTY_MEMORY_*). Each has its own bitmap over ram_addr pages:
 * - VGA: the display redraws pages written since it last looked (enabled per region).
 * - CODE: the JIT; a clear bit means the page holds translated code, so a write must
 *   invalidate it. Always logged for RAM-backed regions.
 * - MIGRATION: pages to copy again; logged everywhere while global dirty logging runs.
 */
export const DirtyClient = { VGA: 0, CODE: 1, MIGRATION: 2 } as const;
export type DirtyClient = (typeof DirtyClient)[keyof typeof DirtyClient];

const CODE_BIT = 1 << DirtyClient.CODE;
/** Every client's bit: new RAM starts dirty for everyone, as in QEMU. */
export const DIRTY_CLIENTS_ALL = 0b111;

export type CodeWriteHandler = (ramAddr: number, length: number) => void;
export type DirtyResetListener = (ramAddr: number, length: number) => void;

function pageOf(ramAddr: number): number {
  // ram_addr stays far below 2^43, so the truncating OR is exact.
  return (ramAddr / TARGET_PAGE_SIZE) | 0;
}

/**
 * The dirty log of one MemoryCore. The three per-client bitmaps are stored interleaved,
 * one byte per page with bit `1 << client`, so a write checks all clients with one load.
 */
export class DirtyMemory {
  /** Per page: bit `1 << client` set when the page is dirty for that client. */
  flags = new Uint8Array(0);
  /** Per page: bit `1 << client` set when that client logs the page. */
  logMask = new Uint8Array(0);
  private allocatedBytes = 0;
  private codeWriteHandler: CodeWriteHandler | undefined;
  private resetListeners: readonly DirtyResetListener[] = [];

  /** Reserves `length` bytes of ram_addr space (page aligned), all pages dirty. */
  allocate(length: number, logMask: number): number {
    const ramAddr = this.allocatedBytes;
    const pages = Math.ceil(length / TARGET_PAGE_SIZE);
    const first = this.flags.length;
    const flags = new Uint8Array(first + pages);
    flags.set(this.flags);
    flags.fill(DIRTY_CLIENTS_ALL, first);
    const mask = new Uint8Array(first + pages);
    mask.set(this.logMask);
    mask.fill(logMask, first);
    this.flags = flags;
    this.logMask = mask;
    this.allocatedBytes += pages * TARGET_PAGE_SIZE;
    return ramAddr;
  }

  /** Sets which clients log the pages of [ramAddr, ramAddr + length). */
  setLogMask(ramAddr: number, length: number, mask: number): void {
    if (length <= 0) return;
    this.logMask.fill(mask, pageOf(ramAddr), pageOf(ramAddr + length - 1) + 1);
  }

  /**
   * A write is about to land on [ramAddr, ramAddr + length): QEMU's invalidate_and_set_dirty.
   * Marks the pages dirty for the clients in `mask`, and if any page's CODE bit was clear
   * (it holds translated code) tells the JIT before the bytes change.
   */
  markWritten(ramAddr: number, length: number, mask: number): void {
    if (length <= 0) return;
    const flags = this.flags;
    const last = pageOf(ramAddr + length - 1);
    let codeWasClean = false;
    for (let p = pageOf(ramAddr); p <= last; p++) {
      const f = flags[p];
      if ((f & CODE_BIT) === 0 && (mask & CODE_BIT) !== 0) codeWasClean = true;
      flags[p] = f | mask;
    }
    if (codeWasClean && this.codeWriteHandler) this.codeWriteHandler(ramAddr, length);
  }

  /** True when writes to this page need not be seen: every client logging it has it dirty. */
  isWriteFast(ramAddr: number): boolean {
    const p = pageOf(ramAddr);
    if (!(ramAddr >= 0) || p >= this.flags.length) return false;
    const m = this.logMask[p];
    return (this.flags[p] & m) === m;
  }

  /** Is any page of the range dirty for `client`? */
  get(ramAddr: number, length: number, client: DirtyClient): boolean {
    if (length <= 0) return false;
    const bit = 1 << client;
    const last = pageOf(ramAddr + length - 1);
    for (let p = pageOf(ramAddr); p <= last; p++) {
      if ((this.flags[p] & bit) !== 0) return true;
    }
    return false;
  }

  /** Clears `client`'s bits over the range; returns whether any was set. */
  testAndClear(ramAddr: number, length: number, client: DirtyClient): boolean {
    if (length <= 0) return false;
    const bit = 1 << client;
    const flags = this.flags;
    const first = pageOf(ramAddr);
    const last = pageOf(ramAddr + length - 1);
    let wasDirty = false;
    for (let p = first; p <= last; p++) {
      if ((flags[p] & bit) !== 0) {
        wasDirty = true;
        flags[p] &= ~bit;
      }
    }
    if (wasDirty) {
      // Pages that went clean must go back to the TLB's slow write path (tlb_reset_dirty).
      const start = first * TARGET_PAGE_SIZE;
      const size = (last - first + 1) * TARGET_PAGE_SIZE;
      for (const listener of this.resetListeners) listener(start, size);
    }
    return wasDirty;
  }

  /** QEMU's tlb_protect_code: the page now holds translated code. */
  protectCode(ramAddr: number): void {
    if (!(ramAddr >= 0) || pageOf(ramAddr) >= this.flags.length) return;
    this.testAndClear(ramAddr, 1, DirtyClient.CODE);
  }

  setCodeWriteHandler(handler: CodeWriteHandler | undefined): void {
    this.codeWriteHandler = handler;
  }

  onReset(listener: DirtyResetListener): () => void {
    // Copy on change, so a listener may unsubscribe while the list is being walked.
    this.resetListeners = [...this.resetListeners, listener];
    return () => {
      this.resetListeners = this.resetListeners.filter((l) => l !== listener);
    };
  }
}
