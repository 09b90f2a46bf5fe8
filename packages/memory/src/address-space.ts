import type { MemoryCore } from './core.js';
import type { DirtyMemory } from './dirty-memory.js';
import { AccessMode, type DispatchEntry, DispatchTable } from './dispatch.js';
import type { FlatRange, FlatView } from './flatview.js';
import {
  insertByPriority,
  type MemoryListener,
  sectionOf,
  updateTopologyPass,
} from './listener.js';
import type { LogSink } from './log.js';
import type { NormalizedOps, Uint64Halves } from './ops.js';
import type { MemoryRegion } from './region.js';
import {
  type AccessResult,
  allOnes,
  logInvalid,
  regionRead,
  regionWrite,
} from './region-access.js';
import { type AddressLike, hexUpper, TARGET_PAGE_SIZE, toAddress } from './units.js';

/** Outcome of a bulk access (QEMU's MemTxResult). */
export const MemTxResult = {
  OK: 0,
  /** Some part hit nothing, read-only memory, or an access the device rejected. */
  DECODE_ERROR: 2,
} as const;
export type MemTxResult = (typeof MemTxResult)[keyof typeof MemTxResult];

/** Bytes of guest RAM (or ROM) backing one page, for a TLB's inline fast path. */
export interface RamPage {
  /** The RAM block's whole backing store. */
  bytes: Uint8Array;
  /** Index in `bytes` of the first byte of the requested page. */
  offset: number;
  /** The page's address in the global ram_addr space (what the dirty log is indexed by). */
  ramAddr: number;
  /** A DataView over the same block (index with `offset` too); shared, never reallocated. */
  view: DataView;
}

const INV_PAGE_SIZE = 1 / TARGET_PAGE_SIZE;

function byteAt(low: number, high: number, pos: number): number {
  return pos < 4 ? (low >>> (pos * 8)) & 0xff : (high >>> ((pos - 4) * 8)) & 0xff;
}

/**
 * A view of a region tree as seen by a CPU or a device (QEMU's AddressSpace): the system
 * memory space, the I/O port space, or a bus-master DMA space.
 *
 * Accesses are little-endian and take Number addresses (integers below 2^53). Single
 * accesses never allocate: the current FlatView is precompiled into a sorted DispatchTable,
 * the last hit entry is remembered, and RAM is read straight from its DataView.
 */
export class AddressSpace {
  readonly core: MemoryCore;
  readonly name: string;
  readonly root: MemoryRegion;
  private view: FlatView;
  private table: DispatchTable;
  /** The entry of the last lookup: most accesses hit the same RAM or device again. */
  private mru: DispatchEntry;
  /**
   * The RAM windows the last direct read and write hit, as unboxed doubles: guest physical
   * addresses reach 2^32, beyond V8's small integers, and doubles in object fields would be
   * boxed. [readStart, readEnd, readDelta, writeStart, writeEnd, writeRamDelta, writeDelta]
   * (an empty window is [0, 0)).
   */
  private readonly hot = new Float64Array(7);
  private readView: DataView;
  private readBytes_: Uint8Array;
  private writeView: DataView;
  private writeBytes_: Uint8Array;
  private writeMask = 0;
  private readonly result: AccessResult = { high: 0, failed: false };
  private readonly dirty: DirtyMemory;
  private readonly log: LogSink;
  private readonly listeners: MemoryListener[] = [];
  private topologyListeners: readonly (() => void)[] = [];
  private destroyed = false;

  /** @internal Use `core.addressSpace(name, root)`. */
  constructor(core: MemoryCore, name: string, root: MemoryRegion, view: FlatView) {
    this.core = core;
    this.name = name;
    this.root = root;
    this.dirty = core.dirty;
    this.log = core.log;
    this.view = view;
    this.table = new DispatchTable(view);
    this.mru = this.table.entries[0];
    this.readView = this.mru.view;
    this.readBytes_ = this.mru.bytes;
    this.writeView = this.mru.view;
    this.writeBytes_ = this.mru.bytes;
  }

  /** The current FlatView (replaced, never mutated, on each commit that changes it). */
  get flatView(): FlatView {
    return this.view;
  }

  // ---- CPU-style accesses ------------------------------------------------------------

  /** Reads 1, 2 or 4 bytes, little-endian, unsigned. Unassigned reads give all ones. */
  read(addr: number, size: 1 | 2 | 4): number {
    // Kept tiny so that it inlines into callers: RAM inside the window of the last read.
    const hot = this.hot;
    if (addr >= hot[0] && addr + size <= hot[1]) {
      const i = addr - hot[2];
      if (size === 4) return this.readView.getUint32(i, true);
      if (size === 1) return this.readBytes_[i];
      return this.readView.getUint16(i, true);
    }
    return this.readLookup(addr, size);
  }

  /**
   * Writes 1, 2 or 4 bytes, little-endian. RAM writes mark the page dirty for the clients
   * logging it and notify the JIT if the page held code; writes to ROM are dropped.
   */
  write(addr: number, size: 1 | 2 | 4, value: number): void {
    const hot = this.hot;
    if (addr >= hot[3] && addr + size <= hot[4]) {
      const ramAddr = addr - hot[5];
      const m = this.writeMask;
      const flags = this.dirty.flags;
      // Nothing to log when every logging client has the page(s) dirty already. Page
      // numbers come from multiplying by 1/4096: exact for a power of two, cheaper than /.
      if (
        (flags[(ramAddr * INV_PAGE_SIZE) | 0] & m) === m &&
        (flags[((ramAddr + size - 1) * INV_PAGE_SIZE) | 0] & m) === m
      ) {
        const i = addr - hot[6];
        if (size === 4) this.writeView.setUint32(i, value, true);
        else if (size === 1) this.writeBytes_[i] = value;
        else this.writeView.setUint16(i, value, true);
        return;
      }
    }
    this.writeLookup(addr, size, value);
  }

  private readLookup(addr: number, size: number): number {
    let e = this.mru;
    if (addr < e.start || addr + size > e.end) {
      if (!(addr >= 0)) return this.unassignedRead(addr, size);
      e = this.table.lookup(addr);
      if (addr + size > e.end) return this.readSplit(addr, size);
      this.mru = e;
    }
    const mode = e.readMode;
    if (mode === AccessMode.Direct) {
      this.setReadWindow(e);
      const i = addr - e.regionDelta;
      if (size === 4) return e.view.getUint32(i, true);
      if (size === 1) return e.bytes[i];
      return e.view.getUint16(i, true);
    }
    if (mode === AccessMode.Ops) {
      return regionRead(
        e.region as MemoryRegion,
        addr - e.regionDelta,
        size,
        addr,
        this.result,
        this.log,
      );
    }
    return this.unassignedRead(addr, size);
  }

  private setReadWindow(e: DispatchEntry): void {
    const hot = this.hot;
    hot[0] = e.start;
    hot[1] = e.end;
    hot[2] = e.regionDelta;
    this.readView = e.view;
    this.readBytes_ = e.bytes;
  }

  private setWriteWindow(e: DispatchEntry): void {
    const hot = this.hot;
    hot[3] = e.start;
    hot[4] = e.end;
    hot[5] = e.ramDelta;
    hot[6] = e.regionDelta;
    this.writeView = e.view;
    this.writeBytes_ = e.bytes;
    this.writeMask = e.dirtyLogMask;
  }

  private writeLookup(addr: number, size: number, value: number): void {
    let e = this.mru;
    if (addr < e.start || addr + size > e.end) {
      if (!(addr >= 0)) {
        this.unassignedWrite(addr, size);
        return;
      }
      e = this.table.lookup(addr);
      if (addr + size > e.end) {
        this.writeSplit(addr, size, value, 0);
        return;
      }
      this.mru = e;
    }
    if (e.writeMode === AccessMode.Direct) {
      this.setWriteWindow(e);
      // Dirty-log bookkeeping (and the JIT's code-write notice) before the bytes change.
      this.dirty.markWritten(addr - e.ramDelta, size, e.dirtyLogMask);
      const i = addr - e.regionDelta;
      if (size === 4) e.view.setUint32(i, value, true);
      else if (size === 1) e.bytes[i] = value;
      else e.view.setUint16(i, value, true);
      return;
    }
    this.writeSlow(e, addr, size, value, 0);
  }

  /** Reads 8 bytes into `out` as two 32-bit halves; returns `out`. */
  read64(addr: number, out: Uint64Halves): Uint64Halves {
    let e = this.mru;
    if (addr < e.start || addr + 8 > e.end) {
      if (!(addr >= 0)) {
        out.low = this.unassignedRead(addr, 8);
        out.high = 0xffffffff;
        return out;
      }
      e = this.table.lookup(addr);
      if (addr + 8 > e.end) {
        out.low = this.readSplit(addr, 8);
        out.high = this.result.high;
        return out;
      }
      this.mru = e;
    }
    const mode = e.readMode;
    if (mode === AccessMode.Direct) {
      const i = addr - e.regionDelta;
      out.low = e.view.getUint32(i, true);
      out.high = e.view.getUint32(i + 4, true);
    } else if (mode === AccessMode.Ops) {
      out.low = regionRead(
        e.region as MemoryRegion,
        addr - e.regionDelta,
        8,
        addr,
        this.result,
        this.log,
      );
      out.high = this.result.high;
    } else {
      out.low = this.unassignedRead(addr, 8);
      out.high = 0xffffffff;
    }
    return out;
  }

  /** Writes 8 bytes given as two 32-bit halves. */
  write64(addr: number, low: number, high: number): void {
    let e = this.mru;
    if (addr < e.start || addr + 8 > e.end) {
      if (!(addr >= 0)) {
        this.unassignedWrite(addr, 8);
        return;
      }
      e = this.table.lookup(addr);
      if (addr + 8 > e.end) {
        this.writeSplit(addr, 8, low, high);
        return;
      }
      this.mru = e;
    }
    if (e.writeMode === AccessMode.Direct) {
      const ramAddr = addr - e.ramDelta;
      this.dirty.markWritten(ramAddr, 8, e.dirtyLogMask);
      const i = addr - e.regionDelta;
      e.view.setUint32(i, low, true);
      e.view.setUint32(i + 4, high, true);
      return;
    }
    this.writeSlow(e, addr, 8, low, high);
  }

  // ---- Bulk (DMA) accesses -----------------------------------------------------------

  /**
   * Copies between `buf` and guest memory at `addr`, across any number of regions
   * (QEMU's address_space_rw). Device regions are accessed in the largest pieces they
   * accept; RAM is copied directly and marked dirty.
   */
  rw(addr: number, buf: Uint8Array, isWrite: boolean): MemTxResult {
    const n = buf.length;
    if (n === 0) return MemTxResult.OK;
    if (!Number.isSafeInteger(addr) || addr < 0) {
      this.unassignedAccess(addr, n, isWrite);
      if (!isWrite) buf.fill(0xff);
      return MemTxResult.DECODE_ERROR;
    }
    // A fresh result: a device callback below may itself start a DMA on this space.
    const result: AccessResult = { high: 0, failed: false };
    let p = addr;
    let i = 0;
    while (i < n) {
      const e = this.table.lookup(p);
      const len = Math.min(n - i, e.end - p);
      const mode = isWrite ? e.writeMode : e.readMode;
      if (mode === AccessMode.Direct) {
        const off = p - e.regionDelta;
        if (isWrite) {
          this.dirty.markWritten(p - e.ramDelta, len, e.dirtyLogMask);
          e.bytes.set(buf.subarray(i, i + len), off);
        } else {
          buf.set(e.bytes.subarray(off, off + len), i);
        }
      } else if (mode === AccessMode.Ops) {
        this.rwDevice(e, p, buf, i, len, isWrite, result);
      } else {
        result.failed = true;
        if (mode === AccessMode.Discard) this.discardedWrite(e, p, len);
        else this.unassignedAccess(p, len, isWrite);
        if (!isWrite) buf.fill(0xff, i, i + len);
      }
      p += len;
      i += len;
    }
    return result.failed ? MemTxResult.DECODE_ERROR : MemTxResult.OK;
  }

  /** Reads `length` bytes starting at `addr` (unassigned bytes read as 0xff). */
  readBytes(addr: number, length: number): Uint8Array {
    const buf = new Uint8Array(length);
    this.rw(addr, buf, false);
    return buf;
  }

  writeBytes(addr: number, data: Uint8Array): MemTxResult {
    return this.rw(addr, data, true);
  }

  /** Copies `length` bytes from `src` to `dest` (both guest addresses; overlap is safe). */
  copy(dest: number, src: number, length: number): MemTxResult {
    const tmp = new Uint8Array(length);
    const r1 = this.rw(src, tmp, false);
    const r2 = this.rw(dest, tmp, true);
    return r1 === MemTxResult.OK ? r2 : r1;
  }

  /**
   * Writes into RAM and ROM alike, skipping device and unassigned ranges (QEMU's
   * address_space_write_rom): how firmware loaders fill ROMs after the map is built.
   */
  writeRom(addr: AddressLike, data: Uint8Array): void {
    let p = Number(toAddress(addr));
    let i = 0;
    while (i < data.length) {
      const e = this.table.lookup(p);
      const len = Math.min(data.length - i, e.end - p);
      const block = e.region?.ramBlock;
      if (block) {
        this.dirty.markWritten(p - e.ramDelta, len, e.region?.dirtyLogMask ?? 0);
        block.bytes.set(data.subarray(i, i + len), p - e.regionDelta);
      }
      p += len;
      i += len;
    }
  }

  // ---- The TLB's interface (PhysicalMemory) ------------------------------------------

  /**
   * If the whole 4 KiB page containing `addr` is backed by one RAM block (RAM, or for
   * reads also ROM and ROM devices in ROMD mode), its bytes; otherwise undefined.
   */
  ramPage(addr: number, forWrite: boolean): RamPage | undefined {
    if (!(addr >= 0)) return undefined;
    const pageStart = addr - (addr % TARGET_PAGE_SIZE);
    const e = this.table.lookup(pageStart);
    if (e.end < pageStart + TARGET_PAGE_SIZE) return undefined;
    if ((forWrite ? e.writeMode : e.readMode) !== AccessMode.Direct) return undefined;
    const offset = pageStart - e.regionDelta;
    // A page must map to one dirty-log page; an alias at an unaligned offset stays slow.
    if (offset % TARGET_PAGE_SIZE !== 0) return undefined;
    return { bytes: e.bytes, offset, ramAddr: pageStart - e.ramDelta, view: e.view };
  }

  /** True when writes to this RAM page may bypass the memory API (every logging client has it dirty). */
  isRamPageWriteFast(ramAddr: number): boolean {
    return this.dirty.isWriteFast(ramAddr);
  }

  /** QEMU's tlb_protect_code: the page holds translated code; the next write is reported. */
  protectCodePage(ramAddr: number): void {
    this.dirty.protectCode(ramAddr);
  }

  /**
   * Registers the JIT's code-write handler. It is shared by every address space of the
   * MemoryCore, since CODE dirty bits live in the shared ram_addr space.
   */
  setCodeWriteHandler(handler: ((ramAddr: number, length: number) => void) | undefined): void {
    this.dirty.setCodeWriteHandler(handler);
  }

  /** Called when any client clears dirty bits (pages go back to the slow write path). */
  onDirtyReset(listener: (ramAddr: number, length: number) => void): () => void {
    return this.dirty.onReset(listener);
  }

  /** Called after each commit that changed this address space's FlatView. */
  onTopologyChange(listener: () => void): () => void {
    this.topologyListeners = [...this.topologyListeners, listener];
    return () => {
      this.topologyListeners = this.topologyListeners.filter((l) => l !== listener);
    };
  }

  // ---- Listeners and introspection ---------------------------------------------------

  /**
   * Registers a MemoryListener (QEMU's memory_listener_register): it is told about every
   * existing range at once, then about changes after each commit. Returns the unregister.
   */
  addListener(listener: MemoryListener): () => void {
    if (this.destroyed) throw new Error(`address space "${this.name}" was destroyed`);
    if (this.listeners.includes(listener)) {
      throw new Error(`listener already registered on address space "${this.name}"`);
    }
    insertByPriority(this.listeners, listener);
    this.core.registerListener(listener);
    listener.begin?.();
    if (this.core.globalDirtyLogging) listener.logGlobalStart?.();
    for (const fr of this.view.ranges) {
      const s = sectionOf(this, fr);
      listener.regionAdd?.(s);
      if (fr.dirtyLogMask) listener.logStart?.(s, 0, fr.dirtyLogMask);
    }
    listener.commit?.();
    return () => this.removeListener(listener);
  }

  private removeListener(listener: MemoryListener): void {
    const i = this.listeners.indexOf(listener);
    if (i < 0) return;
    listener.begin?.();
    for (const fr of this.view.ranges) {
      const s = sectionOf(this, fr);
      if (fr.dirtyLogMask) listener.logStop?.(s, fr.dirtyLogMask, 0);
      listener.regionDel?.(s);
    }
    listener.commit?.();
    this.listeners.splice(i, 1);
    this.core.unregisterListener(listener);
  }

  /** The FlatRange containing `addr` (QEMU's memory_region_find), or undefined. */
  findRange(addr: AddressLike): FlatRange | undefined {
    return this.view.lookup(toAddress(addr));
  }

  /** Detaches from the core: no more updates; listeners are told everything went away. */
  destroy(): void {
    for (const l of [...this.listeners]) this.removeListener(l);
    this.destroyed = true;
    this.core.removeAddressSpace(this);
  }

  /** @internal Installs a freshly rendered view; returns whether anything changed. */
  setFlatView(view: FlatView): boolean {
    const old = this.view;
    if (old === view || old.equals(view)) return false;
    if (this.listeners.length > 0) {
      updateTopologyPass(this, this.listeners, old, view, false);
      updateTopologyPass(this, this.listeners, old, view, true);
    }
    this.view = view;
    this.table = new DispatchTable(view);
    this.mru = this.table.entries[0];
    this.hot.fill(0); // empty windows: the next access looks its range up again
    return true;
  }

  /** @internal */
  notifyTopologyChange(): void {
    for (const l of this.topologyListeners) l();
  }

  // ---- Slow paths --------------------------------------------------------------------

  private writeSlow(e: DispatchEntry, addr: number, size: number, low: number, high: number) {
    const mode = e.writeMode;
    if (mode === AccessMode.Ops) {
      regionWrite(
        e.region as MemoryRegion,
        addr - e.regionDelta,
        size,
        low,
        high,
        addr,
        this.result,
        this.log,
      );
    } else if (mode === AccessMode.Discard) {
      this.discardedWrite(e, addr, size);
    } else {
      this.unassignedWrite(addr, size);
    }
  }

  /** An access that straddles ranges: done in naturally aligned pieces of at most 4 bytes. */
  private readSplit(addr: number, size: number): number {
    let lo = 0;
    let hi = 0;
    const end = addr + size;
    let p = addr;
    while (p < end) {
      const e = this.table.lookup(p);
      const pieceEnd = Math.min(end, e.end);
      while (p < pieceEnd) {
        let c = 4;
        while (c > pieceEnd - p) c >>= 1;
        while (p % c !== 0) c >>= 1;
        const v = this.readPiece(e, p, c);
        for (let j = 0; j < c; j++) {
          const pos = p - addr + j;
          const byte = (v >>> (j * 8)) & 0xff;
          if (pos < 4) lo |= byte << (pos * 8);
          else hi |= byte << ((pos - 4) * 8);
        }
        p += c;
      }
    }
    this.result.high = hi >>> 0;
    return lo >>> 0;
  }

  private readPiece(e: DispatchEntry, p: number, c: number): number {
    if (e.readMode === AccessMode.Direct) {
      const i = p - e.regionDelta;
      let v = 0;
      for (let j = c - 1; j >= 0; j--) v = (v << 8) | e.bytes[i + j];
      return v >>> 0;
    }
    if (e.readMode === AccessMode.Ops) {
      return regionRead(e.region as MemoryRegion, p - e.regionDelta, c, p, this.result, this.log);
    }
    return this.unassignedRead(p, c);
  }

  private writeSplit(addr: number, size: number, low: number, high: number): void {
    const end = addr + size;
    let p = addr;
    while (p < end) {
      const e = this.table.lookup(p);
      const pieceEnd = Math.min(end, e.end);
      while (p < pieceEnd) {
        let c = 4;
        while (c > pieceEnd - p) c >>= 1;
        while (p % c !== 0) c >>= 1;
        let v = 0;
        for (let j = c - 1; j >= 0; j--) v = (v << 8) | byteAt(low, high, p - addr + j);
        this.writePiece(e, p, c, v >>> 0);
        p += c;
      }
    }
  }

  private writePiece(e: DispatchEntry, p: number, c: number, v: number): void {
    if (e.writeMode === AccessMode.Direct) {
      this.dirty.markWritten(p - e.ramDelta, c, e.dirtyLogMask);
      const i = p - e.regionDelta;
      for (let j = 0; j < c; j++) e.bytes[i + j] = v >>> (j * 8);
      return;
    }
    this.writeSlow(e, p, c, v, 0);
  }

  /** Device part of a bulk access, in QEMU's memory_access_size pieces. */
  private rwDevice(
    e: DispatchEntry,
    p: number,
    buf: Uint8Array,
    i: number,
    len: number,
    isWrite: boolean,
    result: AccessResult,
  ): void {
    const mr = e.region as MemoryRegion;
    const ops = mr.ops as NormalizedOps;
    let q = 0;
    while (q < len) {
      const offset = p + q - e.regionDelta;
      let c = ops.validMax || 4;
      while (c > len - q) c >>= 1;
      if (!ops.implUnaligned) while (offset % c !== 0) c >>= 1;
      const at = i + q;
      if (isWrite) {
        let low = 0;
        let high = 0;
        for (let j = 0; j < c; j++) {
          if (j < 4) low |= buf[at + j] << (j * 8);
          else high |= buf[at + j] << ((j - 4) * 8);
        }
        regionWrite(mr, offset, c, low >>> 0, high >>> 0, p + q, result, this.log);
      } else {
        const low = regionRead(mr, offset, c, p + q, result, this.log);
        const high = result.high;
        for (let j = 0; j < c; j++) buf[at + j] = byteAt(low, high, j);
      }
      q += c;
    }
  }

  private unassignedRead(addr: number, size: number): number {
    this.unassignedAccess(addr, size, false);
    return allOnes(size);
  }

  private unassignedWrite(addr: number, size: number): void {
    this.unassignedAccess(addr, size, true);
  }

  private unassignedAccess(addr: number, size: number, isWrite: boolean): void {
    logInvalid(this.log, isWrite, addr, size, `address space '${this.name}'`, 'unassigned');
  }

  private discardedWrite(e: DispatchEntry, addr: number, size: number): void {
    const mr = e.region as MemoryRegion;
    logInvalid(
      this.log,
      true,
      addr,
      size,
      `region '${mr.name}' offset 0x${hexUpper(addr - e.regionDelta)}`,
      'read-only',
    );
  }
}
