import { describe, expect, it } from 'vitest';
import { MemTxResult } from './address-space.js';
import { MemoryCore } from './core.js';
import type { LogSink } from './log.js';

class RecordingLog implements LogSink {
  readonly lines: string[] = [];
  constructor(private readonly items: readonly string[] = ['guest_errors']) {}
  enabled(item: string): boolean {
    return this.items.includes(item);
  }
  write(_item: string, text: string): void {
    this.lines.push(text);
  }
}

/** RAM at 0-0xfff, a byte-register device at 0x1000-0x10ff, ROM at 0x2000-0x2fff. */
function smallMap(log?: LogSink) {
  const core = new MemoryCore({ log });
  const root = core.container('root', 0x10000);
  const ram = core.ram('ram', 0x1000);
  const regs = new Uint8Array(0x100);
  const dev = core.io('dev', 0x100, {
    read: (o) => regs[o],
    write: (o, v) => {
      regs[o] = v;
    },
    impl: { maxAccessSize: 1 },
  });
  const rom = core.rom('rom', 0x1000, { data: Uint8Array.from({ length: 0x1000 }, (_, i) => i) });
  root.addSubregion(0, ram);
  root.addSubregion(0x1000, dev);
  root.addSubregion(0x2000, rom);
  return { core, root, ram, regs, rom, as: core.addressSpace('memory', root) };
}

describe('AddressSpace', () => {
  it('reads and writes RAM little-endian at every size', () => {
    const { as, ram } = smallMap();
    as.write(0x10, 4, 0x44332211);
    expect([...ram.bytes.subarray(0x10, 0x14)]).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(as.read(0x10, 1)).toBe(0x11);
    expect(as.read(0x11, 2)).toBe(0x3322);
    expect(as.read(0x10, 4)).toBe(0x44332211);
    as.write(0x20, 1, 0x1ff);
    as.write(0x22, 2, -1);
    expect(as.read(0x20, 4)).toBe(0xffff00ff);
    as.write64(0x30, 0x89abcdef, 0x01234567);
    expect(as.read64(0x30, { low: 0, high: 0 })).toEqual({ low: 0x89abcdef, high: 0x01234567 });
    expect(as.read(0x34, 4)).toBe(0x01234567);
  });

  it('backs RAM with a SharedArrayBuffer on request', () => {
    const core = new MemoryCore();
    const ram = core.ram('shared', 0x1000, { shared: true });
    expect(ram.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    const buffer = new ArrayBuffer(0x2000);
    expect(core.ram('given', 0x1000, { buffer }).bytes.buffer).toBe(buffer);
    expect(() => core.ram('small', 0x1000, { buffer: new ArrayBuffer(16) })).toThrow(/holds 16/);
  });

  it('reads ROM and drops writes to it as guest errors', () => {
    const log = new RecordingLog();
    const { as, rom } = smallMap(log);
    expect(as.read(0x2010, 4)).toBe(0x13121110);
    as.write(0x2010, 4, 0);
    expect(rom.bytes[0x10]).toBe(0x10);
    expect(log.lines).toEqual([
      "Invalid write at addr 0x2010, size 4, region 'rom' offset 0x10, reason: read-only\n",
    ]);
  });

  it('turns ROM into RAM with setReadonly(false)', () => {
    const { as, rom } = smallMap();
    rom.setReadonly(false);
    as.write(0x2010, 1, 0xee);
    expect(rom.bytes[0x10]).toBe(0xee);
  });

  it('reads a ROM device from RAM in ROMD mode and from its callbacks otherwise', () => {
    const core = new MemoryCore();
    const writes: string[] = [];
    const flash = core.romDevice(
      'flash',
      0x1000,
      {
        read: (o) => (o === 0 ? 0x89 : 0), // a flash chip's ID mode
        write: (o, v) => {
          writes.push(`${o}=${v}`);
        },
      },
      { data: new Uint8Array([0xea, 0x5b]) },
    );
    const root = core.container('root', 0x10000);
    root.addSubregion(0x8000, flash);
    const as = core.addressSpace('memory', root);
    expect(as.read(0x8000, 2)).toBe(0x5bea);
    as.write(0x8000, 1, 0x90);
    expect(writes).toEqual(['0=144']);
    expect(as.ramPage(0x8000, false)?.bytes).toBe(flash.bytes);
    flash.setRomdMode(false);
    expect(as.read(0x8000, 1)).toBe(0x89);
    expect(as.ramPage(0x8000, false)).toBeUndefined();
  });

  it('splits accesses that cross from RAM into a device and into ROM', () => {
    const { as, ram, regs } = smallMap();
    ram.bytes.set([0xaa, 0xbb], 0xffe);
    regs.set([0xcc, 0xdd], 0);
    expect(as.read(0xffe, 4)).toBe(0xddccbbaa);
    as.write(0xfff, 2, 0x2211);
    expect(ram.bytes[0xfff]).toBe(0x11);
    expect(regs[0]).toBe(0x22);
    regs.set([1, 2, 3, 4], 0xfc);
    // The device's last two registers, then the hole after it.
    expect(as.read64(0x10fe, { low: 0, high: 0 })).toEqual({ low: 0xffff0403, high: 0xffffffff });
    // The hole, then ROM bytes 0 and 1.
    expect(as.read(0x1ffe, 4)).toBe(0x0100ffff);
  });

  it('reads unassigned memory as all ones and logs it under guest_errors', () => {
    const log = new RecordingLog();
    const { as } = smallMap(log);
    expect(as.read(0x3000, 1)).toBe(0xff);
    expect(as.read(0x3000, 2)).toBe(0xffff);
    expect(as.read(0x3000, 4)).toBe(0xffffffff);
    expect(as.read64(0x3000, { low: 0, high: 0 })).toEqual({ low: 0xffffffff, high: 0xffffffff });
    as.write(0xfffe, 4, 0);
    expect(as.read(-4, 4)).toBe(0xffffffff);
    expect(log.lines[0]).toBe(
      "Invalid read at addr 0x3000, size 1, address space 'memory', reason: unassigned\n",
    );
    expect(log.lines).toHaveLength(6);
  });

  it('logs nothing when guest_errors is not enabled', () => {
    const log = new RecordingLog(['unimp']);
    const { as } = smallMap(log);
    as.read(0x3000, 4);
    expect(log.lines).toEqual([]);
  });

  it('does bulk DMA across RAM, a device, ROM and a hole', () => {
    const { as, ram, regs } = smallMap();
    const data = Uint8Array.from({ length: 0x20 }, (_, i) => 0x80 + i);
    expect(as.writeBytes(0xff0, data)).toBe(MemTxResult.OK);
    expect([...ram.bytes.subarray(0xff0, 0x1000)]).toEqual([...data.subarray(0, 0x10)]);
    expect([...regs.subarray(0, 0x10)]).toEqual([...data.subarray(0x10)]);
    expect([...as.readBytes(0xffe, 4)]).toEqual([0x8e, 0x8f, 0x90, 0x91]);
    // ROM drops the write and reports it; the hole reads as 0xff.
    expect(as.writeBytes(0x2ffe, new Uint8Array(4))).toBe(MemTxResult.DECODE_ERROR);
    const buf = new Uint8Array(4);
    expect(as.rw(0x2ffe, buf, false)).toBe(MemTxResult.DECODE_ERROR);
    expect([...buf]).toEqual([0xfe, 0xff, 0xff, 0xff]);
  });

  it('copies overlapping ranges like memmove', () => {
    const { as, ram } = smallMap();
    ram.bytes.set([1, 2, 3, 4, 5, 6], 0x100);
    expect(as.copy(0x102, 0x100, 4)).toBe(MemTxResult.OK);
    expect([...ram.bytes.subarray(0x100, 0x106)]).toEqual([1, 2, 1, 2, 3, 4]);
  });

  it('loads ROM contents with writeRom, skipping devices', () => {
    const { as, rom, regs, ram } = smallMap();
    as.writeRom(0xffe, new Uint8Array([9, 9, 9]));
    expect([...ram.bytes.subarray(0xffe)]).toEqual([9, 9]);
    expect(regs[0]).toBe(0);
    as.writeRom(0x2000, new Uint8Array([0x55]));
    expect(rom.bytes[0]).toBe(0x55);
  });

  it('dispatches 16-bit I/O ports and answers missing ports with all ones', () => {
    const core = new MemoryCore();
    const io = core.container('io', 0x10000);
    const latched: number[] = [];
    io.addSubregion(
      0x80,
      core.io('debug-port', 1, {
        read: () => 0,
        write: (_o, v) => {
          latched.push(v);
        },
      }),
    );
    const ports = core.addressSpace('I/O', io);
    ports.write(0x80, 1, 0x42);
    expect(latched).toEqual([0x42]);
    expect(ports.read(0x81, 1)).toBe(0xff);
    expect(ports.read(0xffff, 2)).toBe(0xffff);
    expect(ports.read(0x10080, 1)).toBe(0xff);
  });

  it('reports the range behind an address', () => {
    const { as } = smallMap();
    expect(as.findRange(0x1004)?.region.name).toBe('dev');
    expect(as.findRange(0x1004)?.offsetInRegion).toBe(0n);
    expect(as.findRange(0x5000)).toBeUndefined();
  });

  it('keeps working after the map changes under a remembered range', () => {
    const { core, as, root, ram } = smallMap();
    expect(as.read(0x10, 4)).toBe(0);
    const over = core.io('over', 0x100, { read: () => 0x77, write: () => {} });
    root.addSubregionOverlap(0, over, 1);
    expect(as.read(0x10, 1)).toBe(0x77);
    root.removeSubregion(over);
    ram.bytes[0x10] = 5;
    expect(as.read(0x10, 1)).toBe(5);
  });
});
