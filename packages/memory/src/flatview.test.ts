import { describe, expect, it } from 'vitest';
import { MemoryCore } from './core.js';
import type { FlatView } from './flatview.js';
import type { MemoryRegion } from './region.js';

/** `[start, end) name@offset` per range: the shape a reader checks a FlatView by. */
function describeView(view: FlatView): string[] {
  return view.ranges.map(
    (r) =>
      `${r.start.toString(16)}-${(r.end - 1n).toString(16)} ${r.region.name}@${r.offsetInRegion.toString(16)}${r.readonly ? ' ro' : ''}`,
  );
}

function quietIo(core: MemoryCore, name: string, size: number): MemoryRegion {
  return core.io(name, size, { read: () => 0, write: () => {} });
}

describe('FlatView rendering', () => {
  it("renders memory.rst's priority example: a container's holes show the region below", () => {
    const core = new MemoryCore();
    const a = core.container('A', 0x8000);
    const b = core.container('B', 0x4000);
    const c = quietIo(core, 'C', 0x6000);
    b.addSubregion(0, quietIo(core, 'D', 0x1000));
    b.addSubregion(0x2000, quietIo(core, 'E', 0x1000));
    a.addSubregionOverlap(0x2000, b, 2);
    a.addSubregionOverlap(0, c, 1);
    const as = core.addressSpace('test', a);
    expect(describeView(as.flatView)).toEqual([
      '0-1fff C@0',
      '2000-2fff D@0',
      '3000-3fff C@3000',
      '4000-4fff E@0',
      '5000-5fff C@5000',
    ]);
  });

  it('lets a non-container region with subregions answer its own holes', () => {
    const core = new MemoryCore();
    const a = core.container('A', 0x8000);
    const b = quietIo(core, 'B', 0x4000);
    b.addSubregion(0, quietIo(core, 'D', 0x1000));
    b.addSubregion(0x2000, quietIo(core, 'E', 0x1000));
    a.addSubregionOverlap(0x2000, b, 2);
    a.addSubregionOverlap(0, quietIo(core, 'C', 0x6000), 1);
    const as = core.addressSpace('test', a);
    expect(describeView(as.flatView)).toEqual([
      '0-1fff C@0',
      '2000-2fff D@0',
      '3000-3fff B@1000',
      '4000-4fff E@0',
      '5000-5fff B@3000',
    ]);
  });

  it('gives equal priorities to the most recently added region', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x1000);
    root.addSubregionOverlap(0, quietIo(core, 'first', 0x100), 0);
    root.addSubregionOverlap(0x80, quietIo(core, 'second', 0x100), 0);
    const as = core.addressSpace('test', root);
    expect(describeView(as.flatView)).toEqual(['0-7f first@0', '80-17f second@0']);
  });

  it('hides lower priorities and negative-priority backgrounds', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x1000);
    root.addSubregionOverlap(0, quietIo(core, 'background', 0x1000), -1);
    root.addSubregionOverlap(0x100, quietIo(core, 'device', 0x100), 0);
    const as = core.addressSpace('test', root);
    expect(describeView(as.flatView)).toEqual([
      '0-ff background@0',
      '100-1ff device@0',
      '200-fff background@200',
    ]);
  });

  it('renders aliases of aliases with their offsets added up', () => {
    const core = new MemoryCore();
    const ram = core.ram('ram', 0x10000);
    const outer = core.alias('outer', ram, 0x4000, 0x8000);
    const inner = core.alias('inner', outer, 0x1000, 0x2000);
    const root = core.container('root', 0x100000);
    root.addSubregion(0x20000, inner);
    const as = core.addressSpace('test', root);
    expect(describeView(as.flatView)).toEqual(['20000-21fff ram@5000']);
    as.write(0x20010, 4, 0xcafef00d);
    expect(new DataView(ram.bytes.buffer).getUint32(0x5010, true)).toBe(0xcafef00d);
  });

  it('clips an alias to its target and the target to the alias window', () => {
    const core = new MemoryCore();
    const ram = core.ram('ram', 0x1000);
    const root = core.container('root', 0x10000);
    // The window runs past the end of the target: only the target's bytes appear.
    root.addSubregion(0x8000, core.alias('window', ram, 0x800, 0x1000));
    const as = core.addressSpace('test', root);
    expect(describeView(as.flatView)).toEqual(['8000-87ff ram@800']);
  });

  it('skips disabled regions and brings them back when enabled', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x1000);
    const ram = core.ram('ram', 0x1000);
    const over = quietIo(core, 'over', 0x100);
    root.addSubregion(0, ram);
    root.addSubregionOverlap(0, over, 1);
    const as = core.addressSpace('test', root);
    over.setEnabled(false);
    expect(describeView(as.flatView)).toEqual(['0-fff ram@0']);
    over.setEnabled(true);
    expect(describeView(as.flatView)).toEqual(['0-ff over@0', '100-fff ram@100']);
  });

  it('propagates read-only from an alias to the ranges under it', () => {
    const core = new MemoryCore();
    const ram = core.ram('ram', 0x2000);
    const ro = core.alias('ro', ram, 0x1000, 0x1000);
    ro.setReadonly(true);
    const root = core.container('root', 0x10000);
    root.addSubregion(0, ram);
    root.addSubregionOverlap(0x1000, ro, 1);
    const as = core.addressSpace('test', root);
    expect(describeView(as.flatView)).toEqual(['0-fff ram@0', '1000-1fff ram@1000 ro']);
    as.write(0x1000, 1, 0x55);
    expect(ram.bytes[0x1000]).toBe(0);
    as.write(0x0fff, 1, 0x55);
    expect(ram.bytes[0x0fff]).toBe(0x55);
  });

  it('merges adjacent pieces of one region back into one range', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x3000);
    const ram = core.ram('ram', 0x3000);
    const hole = quietIo(core, 'hole', 0x1000);
    root.addSubregion(0, ram);
    root.addSubregionOverlap(0x1000, hole, 1);
    const as = core.addressSpace('test', root);
    expect(as.flatView.ranges).toHaveLength(3);
    hole.setEnabled(false);
    expect(describeView(as.flatView)).toEqual(['0-2fff ram@0']);
  });

  it('handles a 2^64-byte container and a region at the very top', () => {
    const core = new MemoryCore();
    const root = core.container('system', 2n ** 64n);
    const top = quietIo(core, 'top', 0x1000);
    root.addSubregion(0xffff_ffff_ffff_f000n, top);
    const as = core.addressSpace('test', root);
    expect(describeView(as.flatView)).toEqual(['fffffffffffff000-ffffffffffffffff top@0']);
    // Beyond the Number access path's reach: still unassigned there, not a crash.
    expect(as.read(0x1000, 4)).toBe(0xffffffff);
  });

  it('moves a region with setAddress and resizes with setSize', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    const bar = quietIo(core, 'bar', 0x100);
    root.addSubregion(0x1000, bar);
    const as = core.addressSpace('test', root);
    bar.setAddress(0x2000);
    bar.setSize(0x200);
    expect(describeView(as.flatView)).toEqual(['2000-21ff bar@0']);
  });

  it('switches banks by moving an alias offset (VGA-style windows)', () => {
    const core = new MemoryCore();
    const vram = core.ram('vram', 0x40000);
    vram.bytes[0x10000] = 0x11;
    vram.bytes[0x20000] = 0x22;
    const bank = core.alias('bank', vram, 0x10000, 0x8000);
    const root = core.container('root', 0x100000);
    root.addSubregion(0xa0000, bank);
    const as = core.addressSpace('test', root);
    expect(as.read(0xa0000, 1)).toBe(0x11);
    bank.setAliasOffset(0x20000);
    expect(as.read(0xa0000, 1)).toBe(0x22);
    expect(describeView(as.flatView)).toEqual(['a0000-a7fff vram@20000']);
  });

  it('knows whether a region is mapped directly or through an alias', () => {
    const core = new MemoryCore();
    const ram = core.ram('ram', 0x100);
    const root = core.container('root', 0x1000);
    expect(ram.isMapped).toBe(false);
    const alias = core.alias('a', ram, 0, 0x100);
    root.addSubregion(0, alias);
    expect(ram.isMapped).toBe(true);
    expect(alias.container).toBe(root);
    root.removeSubregion(alias);
    expect(ram.isMapped).toBe(false);
    expect(alias.container).toBeUndefined();
  });

  it('rejects host mistakes with clear errors', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x1000);
    const ram = core.ram('ram', 0x100);
    root.addSubregion(0, ram);
    expect(() => root.addSubregion(0x100, ram)).toThrow(/already a subregion of "root"/);
    const alias = core.alias('a', ram, 0, 0x10);
    expect(() => alias.addSubregion(0, core.ram('x', 1))).toThrow(/aliases cannot have subregions/);
    expect(() => ram.addSubregion(0, root)).toThrow(/cycle/);
    expect(() => core.container('big', 2n ** 65n)).toThrow(/outside/);
    expect(() => root.removeSubregion(core.ram('stranger', 1))).toThrow(/not a subregion/);
    expect(() => new MemoryCore().container('r', 1).addSubregion(0, ram)).toThrow(
      /another MemoryCore/,
    );
  });

  it('reports an alias that loops back into its own container', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x1000);
    const box = core.container('box', 0x1000);
    root.addSubregion(0, box);
    core.addressSpace('test', root);
    expect(() => box.addSubregion(0x10, core.alias('loop', box, 0, 0x100))).toThrow(/cycle/);
    // Refused before anything changed: the map still renders.
    box.addSubregion(0x10, core.ram('fine', 0x10));
    expect(box.subregions.map((r) => r.name)).toEqual(['fine']);
  });
});
