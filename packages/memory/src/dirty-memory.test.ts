import { describe, expect, it } from 'vitest';
import type { AddressSpace } from './address-space.js';
import { MemoryCore } from './core.js';
import { DirtyClient } from './dirty-memory.js';

const PAGE = 4096;

/** pc.ram at 0 and vga.vram at 0xa0000 (VGA logging on), like a PC with a VGA card. */
function vgaMachine() {
  const core = new MemoryCore();
  const root = core.container('system', 2n ** 32n);
  const ram = core.ram('pc.ram', 0x20000);
  const vram = core.ram('vga.vram', 4 * PAGE);
  root.addSubregion(0, ram);
  root.addSubregion(0xa0000, vram);
  vram.setLog(true, DirtyClient.VGA);
  return { core, ram, vram, as: core.addressSpace('memory', root) };
}

/**
 * What the JIT's softmmu TLB does with a guest store: go straight to the bytes when the
 * page is RAM and writing it needs no bookkeeping, else through the memory API.
 */
function tlbStore(as: AddressSpace, addr: number, value: number): 'direct' | 'slow' {
  const page = as.ramPage(addr, true);
  if (page && as.isRamPageWriteFast(page.ramAddr)) {
    page.bytes[page.offset + (addr % PAGE)] = value;
    return 'direct';
  }
  as.write(addr, 1, value);
  return 'slow';
}

describe('dirty memory log', () => {
  it('starts with every page dirty for every client, as QEMU does', () => {
    const { vram } = vgaMachine();
    expect(vram.getDirty(0, 4 * PAGE, DirtyClient.VGA)).toBe(true);
    expect(vram.getDirty(0, 4 * PAGE, DirtyClient.CODE)).toBe(true);
    expect(vram.getDirty(0, 4 * PAGE, DirtyClient.MIGRATION)).toBe(true);
  });

  it('marks VGA pages dirty on writes through the address space', () => {
    const { vram, as } = vgaMachine();
    expect(vram.testAndClearDirty(0, 4 * PAGE, DirtyClient.VGA)).toBe(true);
    expect(vram.testAndClearDirty(0, 4 * PAGE, DirtyClient.VGA)).toBe(false);
    as.write(0xa0000 + 2 * PAGE + 10, 2, 0x0741);
    expect(vram.getDirty(0, 2 * PAGE, DirtyClient.VGA)).toBe(false);
    expect(vram.getDirty(2 * PAGE, PAGE, DirtyClient.VGA)).toBe(true);
    // A write straddling two pages dirties both.
    as.write(0xa0000 + PAGE - 2, 4, 0);
    expect(vram.getDirty(0, PAGE, DirtyClient.VGA)).toBe(true);
    expect(vram.getDirty(PAGE, PAGE, DirtyClient.VGA)).toBe(true);
    vram.resetDirty(0, 4 * PAGE, DirtyClient.VGA);
    expect(vram.getDirty(0, 4 * PAGE, DirtyClient.VGA)).toBe(false);
  });

  it('marks pages dirty on bulk DMA writes too', () => {
    const { vram, as } = vgaMachine();
    vram.resetDirty(0, 4 * PAGE, DirtyClient.VGA);
    as.writeBytes(0xa0000 + 3 * PAGE - 1, new Uint8Array(2));
    expect(vram.getDirty(2 * PAGE, PAGE, DirtyClient.VGA)).toBe(true);
    expect(vram.getDirty(3 * PAGE, PAGE, DirtyClient.VGA)).toBe(true);
    expect(vram.getDirty(0, 2 * PAGE, DirtyClient.VGA)).toBe(false);
  });

  it('sets bits only for clients that log the region', () => {
    const { ram, as } = vgaMachine();
    ram.resetDirty(0, PAGE, DirtyClient.VGA);
    as.write(0x10, 4, 1);
    expect(ram.getDirty(0, PAGE, DirtyClient.VGA)).toBe(false);
  });

  it('keeps the RAM fast path honest: a cleaned VGA page takes one slow write, then goes direct', () => {
    const { vram, as } = vgaMachine();
    const resets: [number, number][] = [];
    as.onDirtyReset((ramAddr, length) => resets.push([ramAddr, length]));
    const addr = 0xa0000 + PAGE + 4;
    expect(tlbStore(as, addr, 1)).toBe('direct');
    vram.testAndClearDirty(PAGE, PAGE, DirtyClient.VGA);
    expect(resets).toEqual([[vram.ramAddr + PAGE, PAGE]]);
    expect(tlbStore(as, addr, 2)).toBe('slow');
    expect(vram.getDirty(PAGE, PAGE, DirtyClient.VGA)).toBe(true);
    expect(tlbStore(as, addr, 3)).toBe('direct');
    expect(vram.bytes[PAGE + 4]).toBe(3);
    expect(vram.getDirty(PAGE, PAGE, DirtyClient.VGA)).toBe(true);
  });

  it('reports each write to a protected code page once, until it is protected again', () => {
    const { ram, as } = vgaMachine();
    const codeWrites: [number, number][] = [];
    as.setCodeWriteHandler((ramAddr, length) => codeWrites.push([ramAddr, length]));
    const page = as.ramPage(0x3000, false);
    expect(page?.ramAddr).toBe(ram.ramAddr + 0x3000);
    as.protectCodePage(ram.ramAddr + 0x3000);
    expect(as.isRamPageWriteFast(ram.ramAddr + 0x3000)).toBe(false);
    as.write(0x4000, 4, 0); // another page: nothing to report
    as.write(0x3010, 4, 0x90909090);
    as.write(0x3020, 4, 0x90909090);
    expect(codeWrites).toEqual([[ram.ramAddr + 0x3010, 4]]);
    expect(as.isRamPageWriteFast(ram.ramAddr + 0x3000)).toBe(true);
    as.protectCodePage(ram.ramAddr + 0x3000);
    as.writeBytes(0x3ffe, new Uint8Array(4)); // DMA across the page end
    expect(codeWrites).toEqual([
      [ram.ramAddr + 0x3010, 4],
      [ram.ramAddr + 0x3ffe, 4],
    ]);
  });

  it('tells the JIT about host-side changes announced with setDirty and writeRom', () => {
    const core = new MemoryCore();
    const root = core.container('system', 0x100000);
    const bios = core.rom('pc.bios', 0x10000);
    root.addSubregion(0xf0000, bios);
    const as = core.addressSpace('memory', root);
    const codeWrites: number[] = [];
    as.setCodeWriteHandler((ramAddr) => codeWrites.push(ramAddr - bios.ramAddr));
    as.protectCodePage(bios.ramAddr);
    as.protectCodePage(bios.ramAddr + PAGE);
    bios.bytes[0] = 0xea;
    bios.setDirty(0, 1);
    as.writeRom(0xf1000, new Uint8Array([0xfa]));
    expect(codeWrites).toEqual([0, PAGE]);
    // The guest cannot write ROM, so its writes are not code writes.
    as.protectCodePage(bios.ramAddr);
    as.write(0xf0000, 1, 0);
    expect(codeWrites).toEqual([0, PAGE]);
  });

  it('adds the MIGRATION client to every page while global dirty logging runs', () => {
    const { core, ram, as } = vgaMachine();
    ram.resetDirty(0, 0x20000, DirtyClient.MIGRATION);
    expect(as.isRamPageWriteFast(ram.ramAddr)).toBe(true);
    core.startGlobalDirtyLog();
    expect(as.isRamPageWriteFast(ram.ramAddr)).toBe(false);
    as.write(0x100, 1, 1);
    expect(ram.getDirty(0, PAGE, DirtyClient.MIGRATION)).toBe(true);
    expect(ram.getDirty(PAGE, PAGE, DirtyClient.MIGRATION)).toBe(false);
    core.stopGlobalDirtyLog();
    expect(as.isRamPageWriteFast(ram.ramAddr + PAGE)).toBe(true);
  });

  it('rejects dirty-log calls on regions without RAM or outside the region', () => {
    const core = new MemoryCore();
    const io = core.io('io', 16, { read: () => 0 });
    const ram = core.ram('ram', PAGE);
    expect(() => io.getDirty(0, 1, DirtyClient.VGA)).toThrow(/has no RAM/);
    expect(() => ram.getDirty(PAGE - 1, 2, DirtyClient.VGA)).toThrow(/outside/);
    expect(() => ram.setLog(true, DirtyClient.CODE)).toThrow(/only DirtyClient.VGA/);
    expect(() => ram.setLog(false, DirtyClient.VGA)).toThrow(/without a matching/);
  });
});
