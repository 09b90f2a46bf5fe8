import { MemoryCore } from '@tsemu/memory';
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, ProcessMemory, pagesOf, physicalPagesFor } from './process-memory.js';

function processMemory(pages: number) {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  const ram = core.ram('ram', pages * PAGE_SIZE);
  system.addSubregion(0, ram);
  return { memory: new ProcessMemory(core.addressSpace('memory', system), ram.bytes), ram };
}

const user = { user: true, writable: true, executable: false };

describe('ProcessMemory', () => {
  it('reads and writes user memory across pages, with user permissions', () => {
    const { memory } = processMemory(16);
    memory.map(0x10000000, 2 * PAGE_SIZE, user);
    memory.map(0x08048000, PAGE_SIZE, { user: true, writable: false, executable: true });
    memory.map(0xffffe000, PAGE_SIZE, { user: false, writable: true, executable: false });
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(memory.writeUser(0x10000ffd, bytes)).toBe(true);
    expect([...(memory.readUser(0x10000ffd, 6) ?? [])]).toEqual([1, 2, 3, 4, 5, 6]);
    // Read-only code, supervisor pages, unmapped pages and the end of the address space.
    expect(memory.writeUser(0x08048000, bytes)).toBe(false);
    expect(memory.readUser(0x08048000, 4)).not.toBeNull();
    expect(memory.readUser(0xffffe000, 4)).toBeNull();
    expect(memory.readUser(0x10001ffe, 4)).toBeNull();
    expect(memory.writeUser(0x10001ffe, bytes)).toBe(false);
    expect(memory.readUser(0xfffffffe, 4)).toBeNull();
  });

  it('builds PAE tables: NX on data pages, U/S and R/W from the permissions', () => {
    const { memory, ram } = processMemory(8);
    const physical = memory.map(0x10000000, PAGE_SIZE, user);
    const view = new DataView(ram.bytes.buffer);
    // PDPT entry 0 -> directory; PDE for 0x10000000 (index 0x80) -> table; PTE index 0.
    const directory = view.getUint32(memory.cr3, true) & ~0xfff;
    const table = view.getUint32(directory + 0x80 * 8, true) & ~0xfff;
    const pteLow = view.getUint32(table, true);
    const pteHigh = view.getUint32(table + 4, true);
    expect(pteLow & ~0xfff).toBe(physical);
    expect(pteLow & 7).toBe(7); // P, R/W, U/S
    expect(pteHigh >>> 31).toBe(1); // NX
    expect(memory.physicalAddress(0x10000123)).toBe(physical + 0x123);
    expect(memory.physicalAddress(0x10001000)).toBe(-1);
  });

  it('counts the pages a mapping needs, tables included, and refuses what does not fit', () => {
    const pages = [...pagesOf(0x08048000, 0x3000), ...pagesOf(0x10000000, 0x1000)];
    // 4 pages, 2 page tables, 1 directory, the PDPT.
    expect(physicalPagesFor(pages)).toBe(8);
    const { memory } = processMemory(3);
    expect(() => memory.map(0x10000000, 2 * PAGE_SIZE, user)).toThrow(/too small/);
    expect(() => processMemory(8).memory.map(0x10000800, 4, user)).toThrow(/not page aligned/);
    const twice = processMemory(8).memory;
    twice.map(0x10000000, PAGE_SIZE, user);
    expect(() => twice.map(0x10000000, PAGE_SIZE, user)).toThrow(/already mapped/);
  });
});
