import { MemoryCore } from '@tsemu/memory';
import { SYS, X86Cpu } from '@tsemu/tcg';
import { describe, expect, it } from 'vitest';
import { applyEntryState, flatGdt, flatProtectedModeEntry } from './entry-state.js';

function cpu(): X86Cpu {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  system.addSubregion(0, core.ram('ram', 1 << 20));
  return new X86Cpu({ memory: core.addressSpace('memory', system) });
}

describe('flatGdt', () => {
  it('encodes flat 4 GiB code and data descriptors at the selectors asked for', () => {
    const gdt = flatGdt(0x5000, 0x10, 0x18);
    const view = new DataView(gdt.region.bytes.buffer);
    expect(gdt.region).toMatchObject({ name: 'GDT', addr: 0x5000 });
    expect(gdt.region.bytes.length).toBe(32);
    expect(view.getBigUint64(0, true)).toBe(0n);
    expect(view.getBigUint64(8, true)).toBe(0n);
    expect(view.getBigUint64(0x10, true)).toBe(0x00cf9b000000ffffn);
    expect(view.getBigUint64(0x18, true)).toBe(0x00cf93000000ffffn);
    expect(gdt.code).toEqual({ selector: 0x10, base: 0, limit: 0xffffffff, flags: 0x00c09b00 });
    expect(gdt.data).toEqual({ selector: 0x18, base: 0, limit: 0xffffffff, flags: 0x00c09300 });
  });

  it('refuses selectors that are not GDT slots', () => {
    expect(() => flatGdt(0, 0, 8)).toThrow('flatGdt: 0 is not a GDT selector with RPL 0');
    expect(() => flatGdt(0, 0x13, 8)).toThrow('flatGdt: 19 is not a GDT selector with RPL 0');
    expect(() => flatGdt(0, 8, 8)).toThrow('flatGdt: code and data need two slots');
  });
});

describe('applyEntryState', () => {
  it('leaves an X86Cpu in flat 32-bit protected mode with the registers given', () => {
    const c = cpu();
    c.halted = true;
    const entry = flatProtectedModeEntry(flatGdt(0x9600, 0x08, 0x10), 0x100040, {
      eax: 0x2badb002,
      ebx: 0x9500,
      esp: 0x9000,
    });
    applyEntryState(c, entry);
    expect(c.eip).toBe(0x100040);
    expect(c.regs[0] >>> 0).toBe(0x2badb002); // EAX
    expect(c.regs[3]).toBe(0x9500); // EBX
    expect(c.regs[4]).toBe(0x9000); // ESP
    expect([c.regs[1], c.regs[2], c.regs[5], c.regs[6], c.regs[7]]).toEqual([0, 0, 0, 0, 0]);
    expect(c.protectedMode).toBe(true);
    expect(c.pagingEnabled).toBe(false);
    expect(c.cr0 & 1).toBe(1);
    expect(c.cpl).toBe(0);
    expect(c.eflags).toBe(0x2);
    expect(c.halted).toBe(false);
    expect([c.sys[SYS.GDT_BASE], c.sys[SYS.GDT_LIMIT]]).toEqual([0x9600, 0x17]);
    expect([...c.segSelector.subarray(0, 6)]).toEqual([0x10, 0x08, 0x10, 0x10, 0x10, 0x10]);
    expect([...c.segBase.subarray(0, 6)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...c.segLimit.subarray(0, 6)].map((l) => l >>> 0)).toEqual(Array(6).fill(0xffffffff));
    // 32-bit code and stack: the dump shows CS32 and the flat DPL 0 segments.
    expect(c.dumpState()).toMatch(/CS =0008 00000000 ffffffff 00c09b00 DPL=0 CS32/);
    expect(c.dumpState()).toMatch(/SS =0010 00000000 ffffffff 00c09300 DPL=0 DS/);
  });

  it('clears flags a previous run left, IF and VM included', () => {
    const c = cpu();
    c.loadEflags(0x00020202 | 0x100, 0x00020300);
    applyEntryState(c, flatProtectedModeEntry(flatGdt(0x1000, 0x10, 0x18), 0x100000, {}));
    expect(c.eflags).toBe(0x2);
    expect(c.protectedMode).toBe(true);
  });
});
