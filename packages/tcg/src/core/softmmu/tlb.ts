import { type MemOp, MO_ALIGN, MO_SIGN, MO_SIZE } from '../ir/opcodes.js';
import type { PhysicalMemory, RamPage } from './physical-memory.js';

export const PAGE_BITS = 12;
export const PAGE_SIZE = 1 << PAGE_BITS;
/** ~(PAGE_SIZE - 1) as a signed 32-bit integer. */
export const PAGE_MASK = -PAGE_SIZE;

/** Page protection bits given to `SoftTlb.setPage`. */
export const PAGE_READ = 1;
export const PAGE_WRITE = 2;
export const PAGE_EXEC = 4;

/** Kind of access that missed the TLB (QEMU's MMUAccessType). */
export enum MMUAccessType {
  Load = 0,
  Store = 1,
  Fetch = 2,
}

/*
 * A tag is the page's virtual address with flag bits in its low 12 bits. The inline fast
 * path compares `(addr & (PAGE_MASK | (size - 1))) === tag`, so any flag, and any
 * misalignment, makes it miss and call the slow path. An empty entry holds -1.
 */
/** The write must go through the memory API (a dirty-log client or CODE wants to see it). */
export const TLB_NOTDIRTY = 0x10;
/** Not RAM: MMIO, unassigned, or ROM for writes. */
export const TLB_MMIO = 0x20;
/** RAM, but not in the block the generated code reads directly. */
export const TLB_SLOWRAM = 0x40;
/**
 * The page holds a watchpoint (an x86 data breakpoint): every access goes through the slow
 * path, which calls `watchpointCheck` first (QEMU's TLB_WATCHPOINT). Set by the frontend's
 * tlbFill with `markWatchpoint`.
 */
export const TLB_WATCHPOINT = 0x80;
/** Entry unusable for this kind of access. */
export const TLB_INVALID = 0x800;

/**
 * Called on a TLB miss (QEMU's tlb_fill): walk the guest page tables for `vaddr` and call
 * `tlb.setPage(...)`, or raise the guest fault (set the exception and cpuLoopExitRestore).
 * With `probe` set it must not raise (nor change guest-visible state such as CR2): return
 * false instead. Return true once an entry is installed.
 */
export type TlbFillFn = (
  vaddr: number,
  size: number,
  access: MMUAccessType,
  mmuIdx: number,
  probe: boolean,
) => boolean;

/** Views of the RAM block that generated code reads and writes directly. */
export class FastRam {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly dv: DataView;
  /** Aligned 16/32-bit views; null when the block's byteOffset is not 4-aligned. */
  readonly u16: Uint16Array | null;
  readonly i16: Int16Array | null;
  readonly i32: Int32Array | null;

  constructor(readonly bytes: Uint8Array) {
    const { buffer, byteOffset, byteLength } = bytes;
    this.u8 = bytes;
    this.i8 = new Int8Array(buffer, byteOffset, byteLength);
    this.dv = new DataView(buffer, byteOffset, byteLength);
    const aligned = byteOffset % 4 === 0 && littleEndianHost();
    this.u16 = aligned ? new Uint16Array(buffer, byteOffset, byteLength >> 1) : null;
    this.i16 = aligned ? new Int16Array(buffer, byteOffset, byteLength >> 1) : null;
    this.i32 = aligned ? new Int32Array(buffer, byteOffset, byteLength >> 2) : null;
  }
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

export interface SoftTlbOptions {
  /** Number of MMU indexes (x86: kernel, user, no-paging, ...). */
  nbMmuModes: number;
  /** log2 of the entries per MMU index. Default 8 (256 entries). */
  bits?: number;
}

export interface TlbStatistics {
  fills: number;
  flushes: number;
  pageFlushes: number;
}

/**
 * The softmmu TLB (QEMU's CPUTLB): direct-mapped, one table per MMU index, with separate
 * read, write and code tags and one host addend per entry. Generated code inlines the hit
 * path for aligned RAM accesses (`readTag`, `writeTag`, `addend` and the FastRam views);
 * everything else comes here through `loadSlow` / `storeSlow`.
 */
export class SoftTlb {
  readonly nbMmuModes: number;
  readonly bits: number;
  /** Entries per MMU index. */
  readonly size: number;
  readonly readTag: Int32Array;
  readonly writeTag: Int32Array;
  readonly codeTag: Int32Array;
  /** host index in the fast RAM block = (vaddr + addend) | 0. */
  readonly addend: Int32Array;
  private readonly physPage: Float64Array;
  private readonly ramRead: (RamPage | undefined)[];
  private readonly ramWrite: (RamPage | undefined)[];
  private readonly largePageAddr: Float64Array;
  private readonly largePageSpan: Float64Array;
  private readonly indexMask: number;

  fastRam: FastRam | null = null;
  /** A bigger RAM block seen by setPage; adopted by `adoptPendingFastRam` between TBs. */
  pendingFastRam: Uint8Array | null = null;

  /** The page walk. The engine installs the frontend's. */
  fill: TlbFillFn = () => {
    throw new Error('SoftTlb: no tlbFill installed');
  };
  /** Raise the frontend's alignment fault for an MO_ALIGN access. Must not return. */
  unalignedAccess: (vaddr: number, access: MMUAccessType, mmuIdx: number) => void = () => {
    throw new Error('SoftTlb: MO_ALIGN access with no unalignedAccess hook');
  };
  /**
   * Called before a guest write lands on a page that may hold translated code: the engine
   * checks whether it modifies the running TB (precise self-modifying code) and may
   * unwind to cpu_exec instead of letting the write happen now.
   */
  beforeCodeWrite: ((ramAddr: number, size: number) => void) | null = null;
  /** Called before the TLB asks the memory API about dirty state (pending CODE re-protects). */
  syncCodeProtection: (() => void) | null = null;
  /** Called on every flush: a page's virtual address, or -1 for everything. */
  flushListener: ((vaddr: number) => void) | null = null;
  /**
   * Called before an access to a page marked TLB_WATCHPOINT (QEMU's cpu_check_watchpoint).
   * It may record a hit, or unwind to cpu_exec like a fault (the access is then not done).
   */
  watchpointCheck:
    | ((vaddr: number, size: number, access: MMUAccessType, mmuIdx: number) => void)
    | null = null;

  readonly stats: TlbStatistics = { fills: 0, flushes: 0, pageFlushes: 0 };

  constructor(
    readonly memory: PhysicalMemory,
    options: SoftTlbOptions,
  ) {
    const { nbMmuModes } = options;
    const bits = options.bits ?? 8;
    if (!Number.isInteger(nbMmuModes) || nbMmuModes < 1 || nbMmuModes > 16) {
      throw new Error('SoftTlb: nbMmuModes must be an integer from 1 to 16');
    }
    if (!Number.isInteger(bits) || bits < 4 || bits > 16) {
      throw new Error('SoftTlb: bits must be an integer from 4 to 16');
    }
    this.nbMmuModes = nbMmuModes;
    this.bits = bits;
    this.size = 1 << bits;
    this.indexMask = this.size - 1;
    const total = this.size * nbMmuModes;
    this.readTag = new Int32Array(total).fill(-1);
    this.writeTag = new Int32Array(total).fill(-1);
    this.codeTag = new Int32Array(total).fill(-1);
    this.addend = new Int32Array(total);
    this.physPage = new Float64Array(total);
    this.ramRead = new Array(total).fill(undefined);
    this.ramWrite = new Array(total).fill(undefined);
    this.largePageAddr = new Float64Array(nbMmuModes).fill(-1);
    this.largePageSpan = new Float64Array(nbMmuModes);
  }

  /** Entry index of `vaddr` for `mmuIdx`. */
  index(vaddr: number, mmuIdx: number): number {
    return ((vaddr >>> PAGE_BITS) & this.indexMask) + (mmuIdx << this.bits);
  }

  // ---- filling and flushing ------------------------------------------------------------

  /**
   * Install a translation (QEMU's tlb_set_page): virtual page of `vaddr` -> physical page of
   * `paddr`, with PAGE_READ/WRITE/EXEC protection. `size` > 4096 marks a large page so that
   * a later flushPage inside it flushes the whole MMU index.
   */
  setPage(vaddr: number, paddr: number, prot: number, mmuIdx: number, size = PAGE_SIZE): void {
    this.checkMmuIdx(mmuIdx);
    if (!Number.isFinite(paddr) || paddr < 0)
      throw new Error(`SoftTlb: bad physical address ${paddr}`);
    this.syncCodeProtection?.();
    this.stats.fills++;
    const vpage = vaddr & PAGE_MASK;
    if (size > PAGE_SIZE) this.addLargePage(vaddr >>> 0, size, mmuIdx);
    const ppage = paddr - (paddr % PAGE_SIZE);
    const i = this.index(vpage, mmuIdx);
    const r = prot & (PAGE_READ | PAGE_EXEC) ? this.memory.ramPage(ppage, false) : undefined;
    const w = prot & PAGE_WRITE ? this.memory.ramPage(ppage, true) : undefined;
    this.physPage[i] = ppage;
    this.ramRead[i] = r;
    this.ramWrite[i] = w;
    this.readTag[i] = prot & PAGE_READ ? vpage | (r ? this.ramFlags(r) : TLB_MMIO) : -1;
    this.codeTag[i] = prot & PAGE_EXEC ? vpage | (r ? 0 : TLB_MMIO) : -1;
    if (prot & PAGE_WRITE) {
      let tag = vpage | TLB_MMIO;
      if (w) {
        tag = vpage | this.ramFlags(w);
        if (!this.memory.isRamPageWriteFast(w.ramAddr)) tag |= TLB_NOTDIRTY;
      }
      this.writeTag[i] = tag;
    } else {
      this.writeTag[i] = -1;
    }
    const host = r ?? w;
    this.addend[i] = host && this.fastRam?.bytes === host.bytes ? (host.offset - vpage) | 0 : 0;
  }

  /**
   * Send every load and store to the page of `vaddr` (just installed by setPage for
   * `mmuIdx`) through the slow path and `watchpointCheck`.
   */
  markWatchpoint(vaddr: number, mmuIdx: number): void {
    const i = this.index(vaddr & PAGE_MASK, mmuIdx);
    if (this.readTag[i] !== -1) this.readTag[i] |= TLB_WATCHPOINT;
    if (this.writeTag[i] !== -1) this.writeTag[i] |= TLB_WATCHPOINT;
  }

  /** Drop every entry of every MMU index. */
  flush(): void {
    this.readTag.fill(-1);
    this.writeTag.fill(-1);
    this.codeTag.fill(-1);
    this.ramRead.fill(undefined);
    this.ramWrite.fill(undefined);
    this.largePageAddr.fill(-1);
    this.stats.flushes++;
    this.flushListener?.(-1);
  }

  /** Drop the entries of the MMU indexes in `mask` (bit i = MMU index i). */
  flushByMmuIdx(mask: number): void {
    for (let m = 0; m < this.nbMmuModes; m++) if (mask & (1 << m)) this.flushMmu(m);
    this.stats.flushes++;
    this.flushListener?.(-1);
  }

  /** Drop the translations of the page holding `vaddr` in every MMU index (invlpg). */
  flushPage(vaddr: number): void {
    this.flushPageByMmuIdx(vaddr, (1 << this.nbMmuModes) - 1);
  }

  flushPageByMmuIdx(vaddr: number, mask: number): void {
    const vpage = vaddr & PAGE_MASK;
    for (let m = 0; m < this.nbMmuModes; m++) {
      if (!(mask & (1 << m))) continue;
      const lp = this.largePageAddr[m];
      const span = this.largePageSpan[m];
      if (lp !== -1 && Math.floor((vaddr >>> 0) / span) * span === lp) {
        this.flushMmu(m);
        continue;
      }
      const i = this.index(vpage, m);
      if (
        (this.readTag[i] & PAGE_MASK) === vpage ||
        (this.writeTag[i] & PAGE_MASK) === vpage ||
        (this.codeTag[i] & PAGE_MASK) === vpage
      ) {
        this.clearEntry(i);
      }
    }
    this.stats.pageFlushes++;
    this.flushListener?.(vpage);
  }

  /**
   * QEMU's tlb_reset_dirty: dirty bits were cleared for [ramAddr, ramAddr+length), so
   * writes to those pages must go through the memory API again.
   */
  resetDirty(ramAddr: number, length: number): void {
    const end = ramAddr + length;
    const tags = this.writeTag;
    for (let i = 0; i < tags.length; i++) {
      const w = this.ramWrite[i];
      if (w === undefined || tags[i] === -1 || tags[i] & TLB_NOTDIRTY) continue;
      if (w.ramAddr < end && w.ramAddr + PAGE_SIZE > ramAddr) tags[i] |= TLB_NOTDIRTY;
    }
  }

  /** Use `bytes` as the block generated code accesses directly. Flushes the TLB. */
  setFastRam(bytes: Uint8Array): void {
    if (this.fastRam?.bytes === bytes) return;
    this.fastRam = new FastRam(bytes);
    this.pendingFastRam = null;
    this.flush();
  }

  /**
   * Adopt the RAM block that setPage found bigger than the current fast one. Only call it
   * between TBs: compiled TBs hold the old views, so the caller must flush them too.
   * Returns true when the fast block changed.
   */
  adoptPendingFastRam(): boolean {
    const p = this.pendingFastRam;
    if (p === null) return false;
    this.setFastRam(p);
    return true;
  }

  // ---- the slow paths ------------------------------------------------------------------

  /** A guest load for helpers and the interpreter: the inline fast path, then loadSlow. */
  load(vaddr: number, memop: MemOp, mmuIdx: number): number {
    const a = vaddr | 0;
    const size = 1 << (memop & MO_SIZE);
    const i = this.index(a, mmuIdx);
    const fast = this.fastRam;
    if ((a & (PAGE_MASK | (size - 1))) === this.readTag[i] && fast !== null) {
      const h = (a + this.addend[i]) | 0;
      return readFast(fast, h, memop);
    }
    return this.loadSlow(a, memop, mmuIdx);
  }

  /** A guest store for helpers and the interpreter: the inline fast path, then storeSlow. */
  store(vaddr: number, value: number, memop: MemOp, mmuIdx: number): void {
    const a = vaddr | 0;
    const size = 1 << (memop & MO_SIZE);
    const i = this.index(a, mmuIdx);
    const fast = this.fastRam;
    if ((a & (PAGE_MASK | (size - 1))) === this.writeTag[i] && fast !== null) {
      writeFast(fast, (a + this.addend[i]) | 0, value, memop);
      return;
    }
    this.storeSlow(a, value, memop, mmuIdx);
  }

  /** Everything the inline path does not handle: misses, MMIO, unaligned, other RAM. */
  loadSlow(vaddr: number, memop: MemOp, mmuIdx: number): number {
    const size = 1 << (memop & MO_SIZE);
    const u = vaddr >>> 0;
    let v: number;
    if ((u & (size - 1)) !== 0 && memop & MO_ALIGN)
      this.unalignedAccess(u, MMUAccessType.Load, mmuIdx);
    if ((u & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
      // Crossing into the next page: translate both pages before touching either.
      const i0 = this.entryFor(u, size, MMUAccessType.Load, mmuIdx);
      // The second page from its first byte: that is the address a fault reports (CR2).
      const u1 = ((u + size - 1) & PAGE_MASK) >>> 0;
      const i1 = this.entryFor(u1, size, MMUAccessType.Load, mmuIdx);
      if ((this.readTag[i0] | this.readTag[i1]) & TLB_WATCHPOINT)
        this.watchpointCheck?.(u, size, MMUAccessType.Load, mmuIdx);
      v = 0;
      for (let k = 0; k < size; k++) {
        const b = (u + k) >>> 0;
        const i = (b & PAGE_MASK) === (u & PAGE_MASK) ? i0 : i1;
        v |= this.readAt(i, b, 1) << (8 * k);
      }
    } else {
      const i = this.entryFor(u, size, MMUAccessType.Load, mmuIdx);
      if (this.readTag[i] & TLB_WATCHPOINT)
        this.watchpointCheck?.(u, size, MMUAccessType.Load, mmuIdx);
      v = this.readAt(i, u, size);
    }
    return extend(v, memop);
  }

  storeSlow(vaddr: number, value: number, memop: MemOp, mmuIdx: number): void {
    const size = 1 << (memop & MO_SIZE);
    const u = vaddr >>> 0;
    if ((u & (size - 1)) !== 0 && memop & MO_ALIGN)
      this.unalignedAccess(u, MMUAccessType.Store, mmuIdx);
    if ((u & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
      const i0 = this.entryFor(u, size, MMUAccessType.Store, mmuIdx);
      // The second page from its first byte: that is the address a fault reports (CR2).
      const u1 = ((u + size - 1) & PAGE_MASK) >>> 0;
      const i1 = this.entryFor(u1, size, MMUAccessType.Store, mmuIdx);
      if ((this.writeTag[i0] | this.writeTag[i1]) & TLB_WATCHPOINT)
        this.watchpointCheck?.(u, size, MMUAccessType.Store, mmuIdx);
      for (let k = 0; k < size; k++) {
        const b = (u + k) >>> 0;
        const i = (b & PAGE_MASK) === (u & PAGE_MASK) ? i0 : i1;
        this.writeAt(i, b, 1, (value >>> (8 * k)) & 0xff);
      }
      return;
    }
    const i = this.entryFor(u, size, MMUAccessType.Store, mmuIdx);
    if (this.writeTag[i] & TLB_WATCHPOINT)
      this.watchpointCheck?.(u, size, MMUAccessType.Store, mmuIdx);
    this.writeAt(i, u, size, value);
  }

  /**
   * Make sure `size` bytes at `vaddr` can be accessed (filling the TLB, raising the guest
   * fault otherwise) without accessing them: QEMU's probe_access, for helpers that must
   * check every page before they write anything.
   */
  probe(vaddr: number, size: number, access: MMUAccessType, mmuIdx: number): void {
    const u = vaddr >>> 0;
    this.entryFor(u, size, access, mmuIdx);
    const last = (u + size - 1) >>> 0;
    // The second page from its first byte, the address a fault there reports.
    if ((last & PAGE_MASK) !== (u & PAGE_MASK))
      this.entryFor((last & PAGE_MASK) >>> 0, size, access, mmuIdx);
  }

  /**
   * The code TLB entry for `vaddr`, filling it if needed; -1 when `probe` is set and the
   * page is not executable. Without probe, a missing page raises the guest fault.
   */
  codeEntry(vaddr: number, mmuIdx: number, probe: boolean): number {
    this.checkMmuIdx(mmuIdx);
    const u = vaddr >>> 0;
    const i = this.index(u, mmuIdx);
    if ((this.codeTag[i] & (PAGE_MASK | TLB_INVALID)) === (u & PAGE_MASK)) return i;
    if (!this.fill(u, 1, MMUAccessType.Fetch, mmuIdx, probe)) return -1;
    if ((this.codeTag[i] & (PAGE_MASK | TLB_INVALID)) !== (u & PAGE_MASK)) {
      if (probe) return -1;
      throw new Error(
        `SoftTlb: tlbFill did not install an executable entry for 0x${u.toString(16)}`,
      );
    }
    return i;
  }

  /** The RAM bytes behind a code entry, or undefined when the page is not RAM. */
  codeRamPage(entry: number): RamPage | undefined {
    return this.codeTag[entry] & TLB_MMIO ? undefined : this.ramRead[entry];
  }

  /** The physical page address of an entry. */
  entryPhysPage(entry: number): number {
    return this.physPage[entry];
  }

  /** ram_addr of the page holding `vaddr` for code, or -1 (not RAM, or not mapped). */
  getPageAddrCode(vaddr: number, mmuIdx: number): number {
    const i = this.codeEntry(vaddr, mmuIdx, true);
    if (i < 0) return -1;
    const r = this.codeRamPage(i);
    return r === undefined ? -1 : r.ramAddr;
  }

  // ---- internals -----------------------------------------------------------------------

  private ramFlags(page: RamPage): number {
    const fast = this.fastRam;
    if (fast !== null && fast.bytes === page.bytes) return 0;
    const biggest = this.pendingFastRam ?? fast?.bytes;
    if (biggest === undefined || page.bytes.length > biggest.length)
      this.pendingFastRam = page.bytes;
    return TLB_SLOWRAM;
  }

  /** Entry index of a usable translation of `u` for `access`, filling the TLB on a miss. */
  private entryFor(u: number, size: number, access: MMUAccessType, mmuIdx: number): number {
    this.checkMmuIdx(mmuIdx);
    const i = this.index(u, mmuIdx);
    const tags =
      access === MMUAccessType.Load
        ? this.readTag
        : access === MMUAccessType.Store
          ? this.writeTag
          : this.codeTag;
    const want = u & PAGE_MASK;
    if ((tags[i] & (PAGE_MASK | TLB_INVALID)) === want) return i;
    this.fill(u, size, access, mmuIdx, false);
    if ((tags[i] & (PAGE_MASK | TLB_INVALID)) !== want) {
      throw new Error(
        `SoftTlb: tlbFill did not install a usable entry for ${MMUAccessType[access]} at 0x${u.toString(16)} (MMU index ${mmuIdx})`,
      );
    }
    return i;
  }

  private readAt(i: number, u: number, size: 1 | 2 | 4 | number): number {
    const off = u & (PAGE_SIZE - 1);
    if (this.readTag[i] & TLB_MMIO)
      return this.memory.read(this.physPage[i] + off, size as 1 | 2 | 4);
    const r = this.ramRead[i]!;
    const b = r.bytes;
    const p = r.offset + off;
    if (size === 1) return b[p];
    if (size === 2) return b[p] | (b[p + 1] << 8);
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }

  private writeAt(i: number, u: number, size: 1 | 2 | 4 | number, value: number): void {
    const off = u & (PAGE_SIZE - 1);
    const tag = this.writeTag[i];
    if (tag & TLB_MMIO) {
      this.memory.write(this.physPage[i] + off, size as 1 | 2 | 4, maskTo(value, size));
      return;
    }
    const w = this.ramWrite[i]!;
    if (tag & TLB_NOTDIRTY) {
      this.syncCodeProtection?.();
      if (!this.memory.isRamPageWriteFast(w.ramAddr)) {
        this.beforeCodeWrite?.(w.ramAddr + off, size);
        this.memory.write(this.physPage[i] + off, size as 1 | 2 | 4, maskTo(value, size));
        this.syncCodeProtection?.();
        if (this.memory.isRamPageWriteFast(w.ramAddr) && this.writeTag[i] === tag) {
          this.writeTag[i] = tag & ~TLB_NOTDIRTY;
        }
        return;
      }
      this.writeTag[i] = tag & ~TLB_NOTDIRTY;
    }
    const b = w.bytes;
    const p = w.offset + off;
    b[p] = value;
    if (size >= 2) b[p + 1] = value >>> 8;
    if (size === 4) {
      b[p + 2] = value >>> 16;
      b[p + 3] = value >>> 24;
    }
  }

  private clearEntry(i: number): void {
    this.readTag[i] = -1;
    this.writeTag[i] = -1;
    this.codeTag[i] = -1;
    this.ramRead[i] = undefined;
    this.ramWrite[i] = undefined;
  }

  private flushMmu(m: number): void {
    const start = m << this.bits;
    const end = start + this.size;
    this.readTag.fill(-1, start, end);
    this.writeTag.fill(-1, start, end);
    this.codeTag.fill(-1, start, end);
    this.ramRead.fill(undefined, start, end);
    this.ramWrite.fill(undefined, start, end);
    this.largePageAddr[m] = -1;
  }

  /** Track the region of large pages of MMU index m (QEMU's tlb_add_large_page). */
  private addLargePage(vaddr: number, size: number, m: number): void {
    let span = size;
    const old = this.largePageAddr[m];
    if (old !== -1) {
      span = Math.max(span, this.largePageSpan[m]);
      while (Math.floor(old / span) !== Math.floor(vaddr / span)) span *= 2;
    }
    this.largePageAddr[m] = Math.floor(vaddr / span) * span;
    this.largePageSpan[m] = span;
  }

  private checkMmuIdx(mmuIdx: number): void {
    if (!(mmuIdx >= 0 && mmuIdx < this.nbMmuModes) || !Number.isInteger(mmuIdx)) {
      throw new Error(`SoftTlb: MMU index ${mmuIdx} is outside 0..${this.nbMmuModes - 1}`);
    }
  }
}

function maskTo(value: number, size: number): number {
  return size === 4 ? value >>> 0 : value & ((1 << (8 * size)) - 1);
}

function extend(v: number, memop: MemOp): number {
  switch (memop & (MO_SIZE | MO_SIGN)) {
    case 0:
      return v & 0xff;
    case MO_SIGN:
      return (v << 24) >> 24;
    case 1:
      return v & 0xffff;
    case 1 | MO_SIGN:
      return (v << 16) >> 16;
    default:
      return v | 0;
  }
}

function readFast(f: FastRam, h: number, memop: MemOp): number {
  switch (memop & (MO_SIZE | MO_SIGN)) {
    case 0:
      return f.u8[h];
    case MO_SIGN:
      return f.i8[h];
    case 1:
      return f.dv.getUint16(h, true);
    case 1 | MO_SIGN:
      return f.dv.getInt16(h, true);
    default:
      return f.dv.getInt32(h, true);
  }
}

function writeFast(f: FastRam, h: number, value: number, memop: MemOp): void {
  switch (memop & MO_SIZE) {
    case 0:
      f.u8[h] = value;
      return;
    case 1:
      f.dv.setUint16(h, value & 0xffff, true);
      return;
    default:
      f.dv.setInt32(h, value | 0, true);
  }
}
