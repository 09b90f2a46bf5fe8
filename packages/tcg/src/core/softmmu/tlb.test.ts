import { describe, expect, it } from 'vitest';
import { MO_UB, MO_UL, MO_UW } from '../ir/opcodes.js';
import { TestMemory } from '../testing/test-memory.js';
import { MMUAccessType, PAGE_EXEC, PAGE_READ, PAGE_WRITE, SoftTlb, TLB_NOTDIRTY } from './tlb.js';

const RWX = PAGE_READ | PAGE_WRITE | PAGE_EXEC;

function setup(
  fill?: (tlb: SoftTlb, vaddr: number, access: MMUAccessType, mmuIdx: number) => void,
) {
  const memory = new TestMemory({ ramSize: 0x100000, extraRam: { base: 0x200000, size: 0x2000 } });
  const tlb = new SoftTlb(memory, { nbMmuModes: 3 });
  const fills: string[] = [];
  tlb.fill = (vaddr, _size, access, mmuIdx) => {
    fills.push(`${MMUAccessType[access]}@${vaddr.toString(16)}/${mmuIdx}`);
    if (fill) fill(tlb, vaddr, access, mmuIdx);
    else tlb.setPage(vaddr, vaddr + 0x10000, RWX, mmuIdx); // virtual -> physical + 64 KiB
    return true;
  };
  tlb.setFastRam(memory.ram);
  return { memory, tlb, fills };
}

describe('SoftTlb', () => {
  it('fills on a miss, then hits; MMU indexes are separate tables', () => {
    const { memory, tlb, fills } = setup();
    memory.ram.set([1, 2, 3, 4], 0x10100);
    expect(tlb.load(0x100, MO_UL, 0)).toBe(0x04030201);
    expect(tlb.load(0x104, MO_UL, 0)).toBe(0);
    expect(fills).toEqual(['Load@100/0']);
    tlb.store(0x100, 0xaabb, MO_UW, 1);
    expect(fills).toEqual(['Load@100/0', 'Store@100/1']);
    expect(tlb.load(0x100, MO_UL, 0)).toBe(0x0403aabb);
  });

  it('flushPage drops one page in every MMU index; flushByMmuIdx one table', () => {
    const { tlb, fills } = setup();
    for (const m of [0, 1, 2]) tlb.load(0x3000, MO_UB, m);
    tlb.load(0x4000, MO_UB, 0);
    tlb.flushPage(0x3abc);
    tlb.load(0x4000, MO_UB, 0);
    tlb.load(0x3000, MO_UB, 2);
    expect(fills.length).toBe(5);
    tlb.flushByMmuIdx(1 << 0);
    tlb.load(0x4000, MO_UB, 0);
    tlb.load(0x3000, MO_UB, 2);
    expect(fills.length).toBe(6);
  });

  it('a flushPage inside a large page flushes its whole MMU index', () => {
    const { tlb, fills } = setup((t, vaddr, _a, m) =>
      t.setPage(vaddr, vaddr & 0xfffff, RWX, m, 0x400000),
    );
    tlb.load(0x401000, MO_UB, 0);
    tlb.load(0x7ff000, MO_UB, 0);
    tlb.load(0x1000, MO_UB, 1);
    tlb.flushPage(0x500000); // not cached itself, but inside the large page
    tlb.load(0x401000, MO_UB, 0);
    tlb.load(0x7ff000, MO_UB, 0);
    tlb.load(0x1000, MO_UB, 1);
    expect(fills.length).toBe(3 + 2);
  });

  it('a page store crossing into a faulting page writes nothing', () => {
    const { memory, tlb } = setup((t, vaddr, _a, m) => {
      if (vaddr >= 0x2000) throw new Error('page fault');
      t.setPage(vaddr, vaddr, RWX, m);
    });
    expect(() => tlb.store(0x1ffe, 0x11223344, MO_UL, 0)).toThrow('page fault');
    expect(Array.from(memory.ram.subarray(0x1ffc, 0x2000))).toEqual([0, 0, 0, 0]);
  });

  it('writes to a code page go through the memory API until it is dirty again', () => {
    const { memory, tlb } = setup((t, vaddr, _a, m) => t.setPage(vaddr, vaddr, RWX, m));
    const notified: number[] = [];
    memory.setCodeWriteHandler((ramAddr) => notified.push(ramAddr));
    memory.onDirtyReset((ramAddr, length) => tlb.resetDirty(ramAddr, length));
    tlb.store(0x5000, 1, MO_UL, 0); // entry cached, fast
    memory.protectCodePage(0x5000); // now holds code: the entry must go slow
    const i = tlb.index(0x5000, 0);
    expect(tlb.writeTag[i] & TLB_NOTDIRTY).toBe(TLB_NOTDIRTY);
    const before = memory.slowWrites;
    tlb.store(0x5008, 2, MO_UL, 0);
    expect(notified).toEqual([0x5008]);
    expect(memory.slowWrites).toBe(before + 1);
    // The CODE bit is set again: the next write is fast and the tag lost its flag.
    expect(tlb.writeTag[i] & TLB_NOTDIRTY).toBe(0);
    tlb.store(0x500c, 3, MO_UL, 0);
    expect(memory.slowWrites).toBe(before + 1);
    expect(memory.ram[0x500c]).toBe(3);
  });

  it('RAM outside the fast block is reached through the slow path and offered as the next fast block', () => {
    const memory = new TestMemory({ ramSize: 0x1000, extraRam: { base: 0x200000, size: 0x4000 } });
    const tlb = new SoftTlb(memory, { nbMmuModes: 1 });
    tlb.fill = (vaddr, _s, _a, m) => {
      tlb.setPage(vaddr, vaddr, RWX, m);
      return true;
    };
    tlb.store(0x10, 7, MO_UB, 0);
    expect(tlb.pendingFastRam).toBe(memory.ram);
    expect(tlb.adoptPendingFastRam()).toBe(true);
    tlb.store(0x200010, 0x1234, MO_UL, 0);
    expect(tlb.load(0x200010, MO_UL, 0)).toBe(0x1234);
    expect(tlb.pendingFastRam?.length).toBe(0x4000);
  });

  it('rejects bad MMU indexes and fills that install nothing', () => {
    const { tlb } = setup(() => {});
    expect(() => tlb.load(0, MO_UB, 3)).toThrow(/MMU index 3/);
    expect(() => tlb.load(0, MO_UB, 0)).toThrow(/did not install/);
  });
});
