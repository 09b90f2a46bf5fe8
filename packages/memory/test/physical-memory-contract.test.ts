/**
 * The contract @tsemu/tcg's softmmu TLB is written against (/tmp/tsemu-physmem-contract.md,
 * declared again in packages/tcg/src/core/softmmu/physical-memory.ts). The interface is
 * copied here on purpose: if AddressSpace drifts from it, this file stops typechecking.
 */
import { describe, expect, it } from 'vitest';
import { DirtyClient, MemoryCore } from '../src/index.js';

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
  /** Write 1, 2 or 4 bytes, little-endian. Marks dirty pages and fires code-write
   *  notification (below) exactly as a DMA write would. Writes to ROM are ignored. */
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
  /** QEMU's tlb_protect_code: clear the CODE dirty bit of the page (it now holds TBs), so
   *  that the next write to it through `write` calls the code-write handler. */
  protectCodePage(ramAddr: number): void;
  /** The JIT registers one handler: called (before the write lands is fine, or after,
   *  but within the same `write`/DMA call) with the ram_addr range written, for writes to
   *  pages whose CODE bit was clear; the memory API then sets the CODE bit again. */
  setCodeWriteHandler(handler: ((ramAddr: number, length: number) => void) | undefined): void;
  /** Called whenever dirty bits are cleared for some range by any client (VGA's
   *  testAndClearDirty, protectCodePage, ...), so the TLB can put those pages back on
   *  the slow write path (QEMU's tlb_reset_dirty). Returns an unsubscribe function. */
  onDirtyReset(listener: (ramAddr: number, length: number) => void): () => void;
  /** Called after every committed change to the address space's FlatView (a MemoryListener
   *  commit), so the TLB flushes. Returns an unsubscribe function. */
  onTopologyChange(listener: () => void): () => void;
}

const PAGE = 4096;

/**
 * RAM 0-0x9ffff (with a second RAM block, vga.vram, at 0xa0000), an MMIO page at
 * 0xfee00000, a ROM at 0xf0000, a flash ROM device at 0xffff0000, and a page at 0xd0000
 * that is half RAM, half MMIO.
 */
function machine() {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  const ram = core.ram('pc.ram', 0xa0000);
  const vram = core.ram('vga.vram', 0x20000);
  const rom = core.rom('pc.bios', 0x10000, { data: new Uint8Array([0xea]) });
  const apicRegs = new Uint32Array(1024);
  const apic = core.io('apic', PAGE, {
    read: (o) => apicRegs[o >> 2],
    write: (o, v) => {
      apicRegs[o >> 2] = v;
    },
    valid: { minAccessSize: 4, maxAccessSize: 4 },
  });
  const flash = core.romDevice('flash', 0x10000, { read: () => 0x89, write: () => {} });
  const splitRam = core.ram('split-ram', 0x800);
  const splitIo = core.io('split-io', 0x800, { read: () => 0, write: () => {} });
  system.addSubregion(0, ram);
  system.addSubregion(0xa0000, vram);
  system.addSubregion(0xd0000, splitRam);
  system.addSubregion(0xd0800, splitIo);
  system.addSubregion(0xf0000, rom);
  system.addSubregion(0xfee00000, apic);
  system.addSubregion(0xffff0000, flash);
  const as = core.addressSpace('memory', system);
  const pm: PhysicalMemory = as; // the structural check this file exists for
  return { core, system, ram, vram, rom, flash, apicRegs, as, pm };
}

describe("AddressSpace as the TLB's PhysicalMemory", () => {
  it('reads and writes 1, 2 and 4 bytes little-endian, all ones when unassigned', () => {
    const { pm, ram, apicRegs } = machine();
    pm.write(0x1000, 4, 0x04030201);
    expect(pm.read(0x1000, 1)).toBe(1);
    expect(pm.read(0x1001, 2)).toBe(0x0302);
    expect(pm.read(0x1000, 4)).toBe(0x04030201);
    expect(ram.bytes[0x1003]).toBe(4);
    pm.write(0xfee000b0, 4, 0x12345678);
    expect(apicRegs[0x2c]).toBe(0x12345678);
    expect(pm.read(0xfee000b0, 4)).toBe(0x12345678);
    expect(pm.read(0x80000000, 4)).toBe(0xffffffff);
    expect(pm.read(0x80000000, 2)).toBe(0xffff);
    expect(pm.read(0x80000000, 1)).toBe(0xff);
  });

  it('ignores writes to ROM', () => {
    const { pm, rom } = machine();
    pm.write(0xf0000, 1, 0x90);
    expect(rom.bytes[0]).toBe(0xea);
    expect(pm.read(0xf0000, 1)).toBe(0xea);
  });

  it('ramPage returns RAM pages for reads and writes, describing the page start', () => {
    const { pm, ram, vram } = machine();
    const page = pm.ramPage(0x5123, true);
    expect(page?.bytes).toBe(ram.bytes);
    expect(page?.offset).toBe(0x5000);
    expect(page?.ramAddr).toBe(ram.ramAddr + 0x5000);
    const vpage = pm.ramPage(0xa1fff, false);
    expect(vpage?.bytes).toBe(vram.bytes);
    expect(vpage?.offset).toBe(0x1000);
    expect(vpage?.ramAddr).toBe(vram.ramAddr + 0x1000);
    // The ramAddr really indexes this page's dirty bits.
    vram.resetDirty(0x1000, PAGE, DirtyClient.CODE);
    expect(pm.isRamPageWriteFast(vpage?.ramAddr as number)).toBe(false);
  });

  it('ramPage gives ROM and ROMD pages for reads only', () => {
    const { pm, rom, flash } = machine();
    expect(pm.ramPage(0xf0010, false)?.bytes).toBe(rom.bytes);
    expect(pm.ramPage(0xf0010, true)).toBeUndefined();
    expect(pm.ramPage(0xffff1000, false)?.bytes).toBe(flash.bytes);
    expect(pm.ramPage(0xffff1000, true)).toBeUndefined();
    flash.setRomdMode(false);
    expect(pm.ramPage(0xffff1000, false)).toBeUndefined();
  });

  it('ramPage refuses MMIO, unassigned and split pages', () => {
    const { pm } = machine();
    expect(pm.ramPage(0xfee00000, false)).toBeUndefined();
    expect(pm.ramPage(0x80000000, false)).toBeUndefined();
    expect(pm.ramPage(0xd0000, false)).toBeUndefined();
    expect(pm.ramPage(0xd0fff, true)).toBeUndefined();
  });

  it('isRamPageWriteFast follows VGA logging: false once VGA has looked, true after a write', () => {
    const { pm, vram } = machine();
    const ramAddr = pm.ramPage(0xa0000, true)?.ramAddr as number;
    expect(pm.isRamPageWriteFast(ramAddr)).toBe(true);
    vram.setLog(true, DirtyClient.VGA);
    expect(pm.isRamPageWriteFast(ramAddr)).toBe(true); // still dirty from start-up
    expect(vram.testAndClearDirty(0, PAGE, DirtyClient.VGA)).toBe(true);
    expect(pm.isRamPageWriteFast(ramAddr)).toBe(false);
    pm.write(0xa0004, 2, 0x0720);
    expect(pm.isRamPageWriteFast(ramAddr)).toBe(true);
    expect(vram.getDirty(0, PAGE, DirtyClient.VGA)).toBe(true);
  });

  it('isRamPageWriteFast is false after protectCodePage until the page is written', () => {
    const { pm } = machine();
    const ramAddr = pm.ramPage(0x7000, true)?.ramAddr as number;
    pm.protectCodePage(ramAddr);
    expect(pm.isRamPageWriteFast(ramAddr)).toBe(false);
    expect(pm.isRamPageWriteFast(ramAddr + PAGE)).toBe(true);
    pm.write(0x7000, 1, 0xc3);
    expect(pm.isRamPageWriteFast(ramAddr)).toBe(true);
  });

  it('calls the code-write handler once per protected page write, then not until re-protected', () => {
    const { pm, as } = machine();
    const calls: [number, number][] = [];
    pm.setCodeWriteHandler((ramAddr, length) => calls.push([ramAddr, length]));
    const ramAddr = pm.ramPage(0x7000, true)?.ramAddr as number;
    pm.protectCodePage(ramAddr);
    pm.write(0x7010, 2, 0x9090);
    pm.write(0x7010, 2, 0x9090);
    pm.write(0x7ffc, 4, 0);
    expect(calls).toEqual([[ramAddr + 0x10, 2]]);
    pm.protectCodePage(ramAddr);
    as.writeBytes(0x7100, new Uint8Array(8)); // a DMA write counts the same
    expect(calls).toEqual([
      [ramAddr + 0x10, 2],
      [ramAddr + 0x100, 8],
    ]);
    pm.protectCodePage(ramAddr);
    pm.setCodeWriteHandler(undefined);
    pm.write(0x7010, 1, 0);
    expect(calls).toHaveLength(2);
  });

  it('fires onDirtyReset when dirty bits are cleared, until unsubscribed', () => {
    const { pm, vram, ram } = machine();
    const resets: [number, number][] = [];
    const off = pm.onDirtyReset((ramAddr, length) => resets.push([ramAddr, length]));
    vram.setLog(true, DirtyClient.VGA);
    vram.testAndClearDirty(0x1800, 0x1000, DirtyClient.VGA);
    expect(resets).toEqual([[vram.ramAddr + 0x1000, 2 * PAGE]]);
    pm.protectCodePage(ram.ramAddr + 0x3000);
    expect(resets[1]).toEqual([ram.ramAddr + 0x3000, PAGE]);
    // Nothing was dirty any more: nothing to reset.
    vram.testAndClearDirty(0x1800, 0x1000, DirtyClient.VGA);
    expect(resets).toHaveLength(2);
    off();
    vram.testAndClearDirty(0, PAGE, DirtyClient.VGA);
    expect(resets).toHaveLength(2);
  });

  it('fires onTopologyChange after each commit that changes the map', () => {
    const { core, pm, system, ram } = machine();
    let flushes = 0;
    const off = pm.onTopologyChange(() => flushes++);
    const shadow = core.alias('shadow', ram, 0, PAGE);
    core.transaction(() => {
      system.addSubregionOverlap(0xfee00000, shadow, 1);
      expect(flushes).toBe(0);
    });
    expect(flushes).toBe(1);
    expect(pm.ramPage(0xfee00000, true)?.bytes).toBe(ram.bytes);
    shadow.setEnabled(false);
    expect(flushes).toBe(2);
    off();
    shadow.setEnabled(true);
    expect(flushes).toBe(2);
  });
});
