import { describe, expect, it } from 'vitest';
import { MemoryCore } from './core.js';
import { DirtyClient } from './dirty-memory.js';
import type { MemoryListener, MemoryRegionSection } from './listener.js';

function span(s: MemoryRegionSection): string {
  const start = s.offsetWithinAddressSpace;
  return `${s.region.name}[${start.toString(16)}-${(start + s.size - 1n).toString(16)}]`;
}

/** A listener that writes down every callback as one string. */
function recorder(tag: string, events: string[], priority = 0): MemoryListener {
  return {
    priority,
    begin: () => events.push(`${tag}:begin`),
    commit: () => events.push(`${tag}:commit`),
    regionAdd: (s) => events.push(`${tag}:add ${span(s)}`),
    regionDel: (s) => events.push(`${tag}:del ${span(s)}`),
    logStart: (s, o, n) => events.push(`${tag}:log_start ${span(s)} ${o}->${n}`),
    logStop: (s, o, n) => events.push(`${tag}:log_stop ${span(s)} ${o}->${n}`),
    logGlobalStart: () => events.push(`${tag}:log_global_start`),
    logGlobalStop: () => events.push(`${tag}:log_global_stop`),
  };
}

function quietIo(core: MemoryCore, name: string, size: number) {
  return core.io(name, size, { read: () => 0, write: () => {} });
}

describe('MemoryListener', () => {
  it('replays the current map when registered', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    root.addSubregion(0x1000, quietIo(core, 'dev', 0x100));
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('l', events));
    expect(events).toEqual(['l:begin', 'l:add dev[1000-10ff]', 'l:commit']);
  });

  it('hears about a transaction only after it commits, deletions first', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    const a = quietIo(core, 'a', 0x100);
    const b = quietIo(core, 'b', 0x100);
    root.addSubregion(0x1000, a);
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('l', events));
    events.length = 0;
    core.transaction(() => {
      root.removeSubregion(a);
      root.addSubregion(0x2000, b);
      a.setAddress(0x3000);
      root.addSubregion(0x3000, a);
      expect(events).toEqual([]);
    });
    expect(events).toEqual([
      'l:begin',
      'l:del a[1000-10ff]',
      'l:add b[2000-20ff]',
      'l:add a[3000-30ff]',
      'l:commit',
    ]);
  });

  it('calls listeners in priority order, and in reverse for deletions', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    const dev = quietIo(core, 'dev', 0x100);
    root.addSubregion(0, dev);
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('late', events, 10));
    as.addListener(recorder('early', events, -5));
    events.length = 0;
    dev.setAddress(0x100);
    expect(events).toEqual([
      'early:begin',
      'late:begin',
      'late:del dev[0-ff]',
      'early:del dev[0-ff]',
      'early:add dev[100-1ff]',
      'late:add dev[100-1ff]',
      'early:commit',
      'late:commit',
    ]);
  });

  it('reports dirty logging starting and stopping on RAM', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x100000);
    const vram = core.ram('vga.vram', 0x10000);
    root.addSubregion(0xa0000, vram);
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('l', events));
    // RAM always logs CODE (bit 1) for the JIT.
    expect(events).toContain('l:log_start vga.vram[a0000-affff] 0->2');
    events.length = 0;
    vram.setLog(true, DirtyClient.VGA);
    expect(events).toEqual(['l:begin', 'l:log_start vga.vram[a0000-affff] 2->3', 'l:commit']);
    events.length = 0;
    vram.setLog(false, DirtyClient.VGA);
    expect(events).toEqual(['l:begin', 'l:log_stop vga.vram[a0000-affff] 3->2', 'l:commit']);
  });

  it('reports global (migration) dirty logging', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    root.addSubregion(0, core.ram('ram', 0x1000));
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('l', events));
    events.length = 0;
    core.startGlobalDirtyLog();
    expect(events).toEqual([
      'l:log_global_start',
      'l:begin',
      'l:log_start ram[0-fff] 2->6',
      'l:commit',
    ]);
    events.length = 0;
    core.stopGlobalDirtyLog();
    expect(events).toEqual([
      'l:begin',
      'l:log_stop ram[0-fff] 6->2',
      'l:commit',
      'l:log_global_stop',
    ]);
  });

  it('sees the I/O address space as port ranges', () => {
    const core = new MemoryCore();
    const io = core.container('io', 0x10000);
    io.addSubregion(0x3f8, quietIo(core, 'serial', 8));
    io.addSubregion(0x60, quietIo(core, 'i8042-data', 1));
    const ports = core.addressSpace('I/O', io);
    const seen: [number, number, string][] = [];
    ports.addListener({
      regionAdd: (s) =>
        seen.push([Number(s.offsetWithinAddressSpace), Number(s.size), s.region.name]),
    });
    expect(seen).toEqual([
      [0x60, 1, 'i8042-data'],
      [0x3f8, 8, 'serial'],
    ]);
  });

  it('says goodbye to every range when unregistered', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    root.addSubregion(0, quietIo(core, 'dev', 0x10));
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    const unregister = as.addListener(recorder('l', events));
    events.length = 0;
    unregister();
    expect(events).toEqual(['l:begin', 'l:del dev[0-f]', 'l:commit']);
    events.length = 0;
    root.addSubregion(0x100, quietIo(core, 'later', 0x10));
    expect(events).toEqual([]);
  });

  it('fires onTopologyChange once per commit that changes the map', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    const dev = quietIo(core, 'dev', 0x10);
    const as = core.addressSpace('memory', root);
    let flushes = 0;
    const off = as.onTopologyChange(() => flushes++);
    core.transaction(() => {
      root.addSubregion(0, dev);
      dev.setAddress(0x20);
    });
    expect(flushes).toBe(1);
    // A change that renders to the same FlatView is not a topology change.
    core.transaction(() => {
      dev.setEnabled(false);
      dev.setEnabled(true);
    });
    expect(flushes).toBe(1);
    off();
    dev.setAddress(0x40);
    expect(flushes).toBe(1);
  });

  it('renders once when transactions nest, at the outermost commit', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('l', events));
    events.length = 0;
    core.beginTransaction();
    core.transaction(() => root.addSubregion(0, quietIo(core, 'a', 0x10)));
    root.addSubregion(0x10, quietIo(core, 'b', 0x10));
    expect(core.inTransaction).toBe(true);
    expect(events).toEqual([]);
    expect(as.read(0, 1)).toBe(0xff); // the old map stays in force until the commit
    core.commitTransaction();
    expect(events).toEqual(['l:begin', 'l:add a[0-f]', 'l:add b[10-1f]', 'l:commit']);
    expect(as.read(0, 1)).toBe(0);
  });

  it('stops following the tree once the address space is destroyed', () => {
    const core = new MemoryCore();
    const root = core.container('root', 0x10000);
    root.addSubregion(0, quietIo(core, 'a', 0x10));
    const as = core.addressSpace('memory', root);
    const events: string[] = [];
    as.addListener(recorder('l', events));
    events.length = 0;
    as.destroy();
    expect(events).toEqual(['l:begin', 'l:del a[0-f]', 'l:commit']);
    expect(core.addressSpaces).toEqual([]);
    root.addSubregion(0x100, quietIo(core, 'b', 0x10));
    expect(events).toHaveLength(3);
    expect(() => as.addListener({})).toThrow(/destroyed/);
  });

  it('refuses an unbalanced commit', () => {
    expect(() => new MemoryCore().commitTransaction()).toThrow(/without a matching/);
  });
});
