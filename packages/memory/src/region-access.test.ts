import { describe, expect, it } from 'vitest';
import type { AddressSpace } from './address-space.js';
import { MemoryCore } from './core.js';
import type { LogSink } from './log.js';
import type { MemoryRegionOps } from './ops.js';

/** A log that keeps what it is given, with every item enabled. */
class RecordingLog implements LogSink {
  readonly lines: string[] = [];
  enabled(): boolean {
    return true;
  }
  write(item: string, text: string): void {
    this.lines.push(`${item}: ${text}`);
  }
}

/**
 * A device whose registers are plain bytes (little-endian unless `big`), recording each
 * callback as `r4@0x10` / `w2@0x2=0xbeef`.
 */
function device(ops: Partial<MemoryRegionOps> = {}, size = 0x100, big = false) {
  const regs = new Uint8Array(size);
  const calls: string[] = [];
  const get = (o: number, s: number) => {
    let v = 0;
    for (let j = 0; j < s; j++) v += regs[o + j] * 2 ** (8 * (big ? s - 1 - j : j));
    return v;
  };
  const put = (o: number, v: number, s: number) => {
    for (let j = 0; j < s; j++) regs[o + (big ? s - 1 - j : j)] = (v >>> (8 * j)) & 0xff;
  };
  const full: MemoryRegionOps = {
    read(o, s) {
      calls.push(`r${s}@0x${o.toString(16)}`);
      return get(o, s);
    },
    write(o, v, s) {
      calls.push(`w${s}@0x${o.toString(16)}=0x${v.toString(16)}`);
      put(o, v, s);
    },
    read64(o, result) {
      calls.push(`r8@0x${o.toString(16)}`);
      result.low = big ? get(o + 4, 4) : get(o, 4);
      result.high = big ? get(o, 4) : get(o + 4, 4);
    },
    write64(o, low, high) {
      calls.push(`w8@0x${o.toString(16)}=0x${high.toString(16)}:${low.toString(16)}`);
      put(big ? o + 4 : o, low, 4);
      put(big ? o : o + 4, high, 4);
    },
    endianness: big ? 'big' : 'little',
    ...ops,
  };
  return { regs, calls, ops: full };
}

function mapDevice(ops: MemoryRegionOps, log?: LogSink): AddressSpace {
  const core = new MemoryCore({ log });
  const root = core.container('root', 0x10000);
  root.addSubregion(0x1000, core.io('dev', 0x100, ops));
  return core.addressSpace('test', root);
}

describe('I/O region accesses', () => {
  it('passes an access the device implements straight through', () => {
    const d = device();
    const as = mapDevice(d.ops);
    as.write(0x1010, 4, 0x11223344);
    expect(as.read(0x1010, 4)).toBe(0x11223344);
    expect(as.read(0x1012, 2)).toBe(0x1122);
    expect(d.calls).toEqual(['w4@0x10=0x11223344', 'r4@0x10', 'r2@0x12']);
  });

  it('splits a 4-byte read of a byte-wide device into four byte reads', () => {
    const d = device({ impl: { maxAccessSize: 1 } });
    d.regs.set([0x44, 0x33, 0x22, 0x11], 0x20);
    const as = mapDevice(d.ops);
    expect(as.read(0x1020, 4)).toBe(0x11223344);
    expect(d.calls).toEqual(['r1@0x20', 'r1@0x21', 'r1@0x22', 'r1@0x23']);
  });

  it('splits a 4-byte write of a byte-wide device, lowest address first', () => {
    const d = device({ impl: { maxAccessSize: 1 } });
    const as = mapDevice(d.ops);
    as.write(0x1020, 4, 0xa1b2c3d4);
    expect(d.calls).toEqual(['w1@0x20=0xd4', 'w1@0x21=0xc3', 'w1@0x22=0xb2', 'w1@0x23=0xa1']);
  });

  it('widens a byte read to the aligned 4-byte access a dword-only device implements', () => {
    const d = device({ impl: { minAccessSize: 4 } });
    d.regs.set([0x44, 0x33, 0x22, 0x11], 0x40);
    const as = mapDevice(d.ops);
    expect(as.read(0x1042, 1)).toBe(0x22);
    expect(d.calls).toEqual(['r4@0x40']);
  });

  it('widens a byte write with the other bytes zero (no read-modify-write)', () => {
    const d = device({ impl: { minAccessSize: 4 } });
    const as = mapDevice(d.ops);
    as.write(0x1043, 1, 0x9a);
    expect(d.calls).toEqual(['w4@0x40=0x9a000000']);
  });

  it('byte-swaps for a big-endian device', () => {
    const d = device({}, 0x100, true);
    d.regs.set([0x11, 0x22, 0x33, 0x44], 0);
    const as = mapDevice(d.ops);
    // The device returns 0x11223344; the guest sees the bytes in address order.
    expect(as.read(0x1000, 4)).toBe(0x44332211);
    as.write(0x1004, 2, 0x1234);
    expect(d.calls[1]).toBe('w2@0x4=0x3412');
    expect([...d.regs.subarray(4, 6)]).toEqual([0x34, 0x12]);
  });

  it('keeps address order when a big-endian access is split', () => {
    const d = device({ impl: { maxAccessSize: 2 } }, 0x100, true);
    d.regs.set([0xaa, 0xbb, 0xcc, 0xdd], 0);
    const as = mapDevice(d.ops);
    expect(as.read(0x1000, 4)).toBe(0xddccbbaa);
    expect(d.calls).toEqual(['r2@0x0', 'r2@0x2']);
  });

  it('rejects unaligned accesses unless the device accepts them, logging a guest error', () => {
    const log = new RecordingLog();
    const d = device();
    const as = mapDevice(d.ops, log);
    expect(as.read(0x1001, 4)).toBe(0xffffffff);
    as.write(0x1003, 2, 0);
    expect(d.calls).toEqual([]);
    expect(log.lines).toEqual([
      "guest_errors: Invalid read at addr 0x1001, size 4, region 'dev' offset 0x1, reason: unaligned\n",
      "guest_errors: Invalid write at addr 0x1003, size 2, region 'dev' offset 0x3, reason: unaligned\n",
    ]);
  });

  it('emulates an unaligned access with aligned ones when only the device accepts it', () => {
    const d = device({ valid: { unaligned: true } });
    d.regs.set([1, 2, 3, 4, 5, 6], 0);
    const as = mapDevice(d.ops);
    expect(as.read(0x1001, 4)).toBe(0x05040302);
    expect(d.calls).toEqual(['r1@0x1', 'r2@0x2', 'r1@0x4']);
  });

  it('hands an unaligned access to a device that implements unaligned accesses', () => {
    const d = device({ valid: { unaligned: true }, impl: { unaligned: true } });
    d.regs.set([1, 2, 3, 4, 5, 6], 0);
    const as = mapDevice(d.ops);
    expect(as.read(0x1001, 4)).toBe(0x05040302);
    expect(d.calls).toEqual(['r4@0x1']);
  });

  it('rejects sizes outside valid.min/max and what accepts() refuses', () => {
    const log = new RecordingLog();
    const d = device({
      valid: {
        minAccessSize: 2,
        maxAccessSize: 4,
        accepts: (offset, _size, isWrite) => !(isWrite && offset === 0x80),
      },
    });
    const as = mapDevice(d.ops, log);
    expect(as.read(0x1000, 1)).toBe(0xff);
    as.write(0x1080, 4, 1);
    as.write(0x1084, 4, 2);
    expect(d.calls).toEqual(['w4@0x84=0x2']);
    expect(log.lines[0]).toContain('reason: invalid size (min:2 max:4)');
    expect(log.lines[1]).toContain('reason: rejected');
  });

  it('treats a missing callback as a rejected access', () => {
    const log = new RecordingLog();
    const as = mapDevice({ read: () => 0x12 }, log);
    as.write(0x1000, 1, 0);
    expect(as.read(0x1000, 1)).toBe(0x12);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('Invalid write');
  });

  it('does 8-byte accesses as two dwords, or one call when the device implements 8', () => {
    const narrow = device();
    const as1 = mapDevice(narrow.ops);
    as1.write64(0x1008, 0x33334444, 0x11112222);
    expect(as1.read64(0x1008, { low: 0, high: 0 })).toEqual({ low: 0x33334444, high: 0x11112222 });
    expect(narrow.calls).toEqual(['w4@0x8=0x33334444', 'w4@0xc=0x11112222', 'r4@0x8', 'r4@0xc']);

    const wide = device({ impl: { maxAccessSize: 8 } });
    const as2 = mapDevice(wide.ops);
    as2.write64(0x1008, 0x33334444, 0x11112222);
    expect(as2.read64(0x1008, { low: 0, high: 0 })).toEqual({ low: 0x33334444, high: 0x11112222 });
    expect(as2.read(0x100c, 4)).toBe(0x11112222);
    expect(wide.calls).toEqual(['w8@0x8=0x11112222:33334444', 'r8@0x8', 'r4@0xc']);
  });

  it('widens to an 8-byte access for a qword-only big-endian device', () => {
    const d = device({ impl: { minAccessSize: 8, maxAccessSize: 8 } }, 0x100, true);
    d.regs.set([1, 2, 3, 4, 5, 6, 7, 8], 0x10);
    const as = mapDevice(d.ops);
    expect(as.read(0x1016, 2)).toBe(0x0807);
    expect(d.calls).toEqual(['r8@0x10']);
  });

  it('refuses inconsistent ops when the region is created', () => {
    const core = new MemoryCore();
    expect(() => core.io('x', 8, { read: () => 0, impl: { maxAccessSize: 8 } })).toThrow(/read64/);
    expect(() => core.io('x', 8, { impl: { minAccessSize: 4, maxAccessSize: 2 } })).toThrow(
      /minAccessSize/,
    );
    expect(() => core.io('x', 8, { impl: { unaligned: true } })).toThrow(/valid.unaligned/);
    expect(() => core.io('x', 8, { valid: { maxAccessSize: 3 as 4 } })).toThrow(/1, 2, 4 or 8/);
  });
});
