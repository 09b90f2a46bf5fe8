import type { PhysicalMemory, RamPage } from '../softmmu/physical-memory.js';

const PAGE = 4096;

/** A device window for TestMemory: offsets are relative to the window's base. */
export interface TestMmio {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface Region {
  base: number;
  size: number;
  kind: 'ram' | 'rom' | 'mmio';
  bytes?: Uint8Array;
  ramAddr?: number;
  device?: TestMmio;
}

export interface TestMemoryOptions {
  /** Main RAM at physical 0. */
  ramSize: number;
  /** A second, smaller RAM block (like VGA memory). */
  extraRam?: { base: number; size: number };
  rom?: { base: number; bytes: Uint8Array };
  mmio?: { base: number; size: number; device: TestMmio }[];
}

/**
 * A small PhysicalMemory for tests and benchmarks, with the semantics `@tsemu/memory`
 * promises: RAM blocks in a ram_addr space, ROM that ignores writes, MMIO windows,
 * all-ones for unassigned reads, a CODE dirty bit per page (clear = the page holds code:
 * writes go through `write`, which calls the code-write handler and sets the bit again),
 * and dirty-reset and topology listeners.
 */
export class TestMemory implements PhysicalMemory {
  readonly ram: Uint8Array;
  private regions: Region[] = [];
  /** One byte per ram_addr page: 1 when CODE is dirty (writes need not be seen). */
  private readonly codeDirty: Uint8Array;
  private codeWriteHandler: ((ramAddr: number, length: number) => void) | undefined;
  private readonly dirtyResetListeners = new Set<(ramAddr: number, length: number) => void>();
  private readonly topologyListeners = new Set<() => void>();
  private ramAddrTop = 0;
  /** Writes that came through `write` (the slow path), for tests. */
  slowWrites = 0;

  constructor(options: TestMemoryOptions) {
    this.ram = new Uint8Array(options.ramSize);
    this.addBlock({ base: 0, size: options.ramSize, kind: 'ram', bytes: this.ram });
    if (options.extraRam) {
      const { base, size } = options.extraRam;
      this.addBlock({ base, size, kind: 'ram', bytes: new Uint8Array(size) });
    }
    if (options.rom) {
      const { base, bytes } = options.rom;
      this.addBlock({ base, size: bytes.length, kind: 'rom', bytes: bytes.slice() });
    }
    for (const m of options.mmio ?? [])
      this.regions.push({ base: m.base, size: m.size, kind: 'mmio', device: m.device });
    this.codeDirty = new Uint8Array(Math.ceil(this.ramAddrTop / PAGE)).fill(1);
  }

  private addBlock(r: Region): void {
    r.ramAddr = this.ramAddrTop;
    this.ramAddrTop += r.size;
    this.regions.push(r);
  }

  private find(addr: number): Region | undefined {
    for (const r of this.regions) if (addr >= r.base && addr < r.base + r.size) return r;
    return undefined;
  }

  read(addr: number, size: 1 | 2 | 4): number {
    const r = this.find(addr);
    if (r === undefined) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    if (r.kind === 'mmio') return r.device!.read(addr - r.base, size);
    const b = r.bytes!;
    const p = addr - r.base;
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = v * 256 + b[p + k];
    return v;
  }

  write(addr: number, size: 1 | 2 | 4, value: number): void {
    this.slowWrites++;
    const r = this.find(addr);
    if (r === undefined || r.kind === 'rom') return;
    if (r.kind === 'mmio') {
      r.device!.write(addr - r.base, size, value);
      return;
    }
    const ramAddr = r.ramAddr! + (addr - r.base);
    const firstPage = Math.floor(ramAddr / PAGE);
    const lastPage = Math.floor((ramAddr + size - 1) / PAGE);
    let codeHit = false;
    for (let p = firstPage; p <= lastPage; p++) codeHit ||= this.codeDirty[p] === 0;
    if (codeHit) this.codeWriteHandler?.(ramAddr, size);
    const b = r.bytes!;
    const p = addr - r.base;
    for (let k = 0; k < size; k++) b[p + k] = Math.floor(value / 256 ** k) & 0xff;
    for (let q = firstPage; q <= lastPage; q++) this.codeDirty[q] = 1;
  }

  ramPage(addr: number, forWrite: boolean): RamPage | undefined {
    const page = addr - (addr % PAGE);
    const r = this.find(page);
    if (r === undefined || r.kind === 'mmio' || (r.kind === 'rom' && forWrite)) return undefined;
    if (page + PAGE > r.base + r.size) return undefined;
    return { bytes: r.bytes!, offset: page - r.base, ramAddr: r.ramAddr! + (page - r.base) };
  }

  isRamPageWriteFast(ramAddr: number): boolean {
    return this.codeDirty[Math.floor(ramAddr / PAGE)] === 1;
  }

  protectCodePage(ramAddr: number): void {
    const p = Math.floor(ramAddr / PAGE);
    if (this.codeDirty[p] === 0) return;
    this.codeDirty[p] = 0;
    for (const l of this.dirtyResetListeners) l(p * PAGE, PAGE);
  }

  setCodeWriteHandler(handler: ((ramAddr: number, length: number) => void) | undefined): void {
    this.codeWriteHandler = handler;
  }

  onDirtyReset(listener: (ramAddr: number, length: number) => void): () => void {
    this.dirtyResetListeners.add(listener);
    return () => this.dirtyResetListeners.delete(listener);
  }

  onTopologyChange(listener: () => void): () => void {
    this.topologyListeners.add(listener);
    return () => this.topologyListeners.delete(listener);
  }

  /** Copy bytes in as a DMA would (code-write notifications included). */
  load(addr: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.write(addr + i, 1, bytes[i]);
  }

  /** Move the extra RAM block to a new base (a topology change, like a PCI BAR move). */
  moveExtraRam(newBase: number): void {
    const r = this.regions.find((x) => x.kind === 'ram' && x.bytes !== this.ram);
    if (r === undefined) throw new Error('TestMemory: no extra RAM block');
    r.base = newBase;
    for (const l of this.topologyListeners) l();
  }

  /** The CODE bit of a page, for tests: true when the page is protected (holds code). */
  isCodeProtected(ramAddr: number): boolean {
    return this.codeDirty[Math.floor(ramAddr / PAGE)] === 0;
  }
}
