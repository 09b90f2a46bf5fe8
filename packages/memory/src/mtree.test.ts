import { describe, expect, it } from 'vitest';
import { MemoryCore } from './core.js';

function sample() {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 64n);
  const ram = core.ram('pc.ram', 0x100000);
  const flash = core.romDevice('flash', 0x1000, { write: () => {} });
  const mmio = core.container('mmio', 0x10000);
  mmio.addSubregion(0x100, core.io('uart', 8, { read: () => 0 }));
  const outer = core.alias('outer', ram, 0x80000, 0x10000);
  const inner = core.alias('inner', outer, 0x1000, 0x1000);
  const hidden = core.io('hidden', 0x10, { read: () => 0 });
  hidden.setEnabled(false);
  system.addSubregion(0, core.alias('low', ram, 0, 0xa0000));
  system.addSubregionOverlap(0xa0000, inner, 1);
  system.addSubregion(0xfee00000, mmio);
  system.addSubregion(0xffff0000, flash);
  mmio.addSubregionOverlap(0x100, hidden, 2);
  const io = core.container('io', 0x10000);
  core.addressSpace('memory', system);
  core.addressSpace('cpu-memory-0', system);
  core.addressSpace('I/O', io);
  return { core, flash };
}

describe('info mtree', () => {
  it('prints each address space tree, then every aliased region, QEMU style', () => {
    expect(sample().core.mtree()).toBe(
      [
        'address-space: cpu-memory-0',
        'address-space: memory',
        '  0000000000000000-ffffffffffffffff (prio 0, container): system',
        '    0000000000000000-000000000009ffff (prio 0, ram): alias low @pc.ram 0000000000000000-000000000009ffff',
        '    00000000000a0000-00000000000a0fff (prio 1, ram): alias inner @outer 0000000000001000-0000000000001fff',
        '    00000000fee00000-00000000fee0ffff (prio 0, i/o): mmio',
        '      00000000fee00100-00000000fee00107 (prio 0, i/o): uart',
        '    00000000ffff0000-00000000ffff0fff (prio 0, romd): flash',
        '',
        'address-space: I/O',
        '  0000000000000000-000000000000ffff (prio 0, container): io',
        '',
        'memory-region: pc.ram',
        '  0000000000000000-00000000000fffff (prio 0, ram): pc.ram',
        '',
        'memory-region: outer',
        '  0000000000000000-000000000000ffff (prio 0, ram): alias outer @pc.ram 0000000000080000-000000000008ffff',
        '',
        '',
      ].join('\n'),
    );
  });

  it('shows disabled regions on request, and a ROM device out of ROMD mode as i/o', () => {
    const { core, flash } = sample();
    flash.setRomdMode(false);
    const text = core.mtree({ disabled: true });
    expect(text).toContain(
      '      00000000fee00100-00000000fee0010f (prio 2, i/o): hidden [disabled]\n',
    );
    expect(text).toContain('    00000000ffff0000-00000000ffff0fff (prio 0, i/o): flash\n');
  });

  it('prints one FlatView per distinct root, listing the address spaces sharing it', () => {
    expect(sample().core.mtree({ flatview: true })).toBe(
      [
        'FlatView #0',
        ' AS "memory", root: system',
        ' AS "cpu-memory-0", root: system',
        ' Root memory region: system',
        '  0000000000000000-000000000009ffff (prio 0, ram): pc.ram',
        '  00000000000a0000-00000000000a0fff (prio 0, ram): pc.ram @0000000000081000',
        '  00000000fee00100-00000000fee00107 (prio 0, i/o): uart',
        '  00000000ffff0000-00000000ffff0fff (prio 0, romd): flash',
        '',
        'FlatView #1',
        ' AS "I/O", root: io',
        ' Root memory region: io',
        '  No rendered FlatView',
        '',
        '',
      ].join('\n'),
    );
  });

  it('flags a region that runs past 2^64', () => {
    const core = new MemoryCore();
    const root = core.container('root', 2n ** 64n);
    const box = core.container('box', 0x2000);
    root.addSubregion(0xffff_ffff_ffff_f000n, box);
    core.addressSpace('memory', root);
    expect(core.mtree()).toContain(
      '[DETECTED OVERFLOW!]     fffffffffffff000-0000000000000fff (prio 0, i/o): box\n',
    );
  });
});
