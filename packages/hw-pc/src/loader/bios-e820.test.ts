import { describe, expect, it } from 'vitest';
import { E820_RAM, E820_RESERVED, E820Table, pcE820Table } from '../fw_cfg/e820.js';
import { biosE820Table, conventionalMemoryKib, extendedMemoryKib } from './bios-e820.js';

const MiB = 1024 * 1024;

describe('biosE820Table', () => {
  it("turns the pc machine's RAM into SeaBIOS's low map", () => {
    const map = biosE820Table(pcE820Table({ belowFourGig: 128 * MiB }));
    expect(map.entries).toEqual([
      { address: 0, length: 0x9fc00, type: E820_RAM },
      { address: 0x9fc00, length: 0x400, type: E820_RESERVED },
      { address: 0xf0000, length: 0x10000, type: E820_RESERVED },
      { address: 0x100000, length: 127 * MiB, type: E820_RAM },
    ]);
  });

  it('keeps RAM above 4 GiB and entries that are not RAM', () => {
    const machine = pcE820Table({ belowFourGig: 3 * 1024 * MiB, aboveFourGig: 1024 * MiB });
    machine.add(0xfeffc000, 0x4000, E820_RESERVED);
    const map = biosE820Table(machine);
    expect(map.entries.at(-2)).toEqual({
      address: 0xfeffc000,
      length: 0x4000,
      type: E820_RESERVED,
    });
    expect(map.entries.at(-1)).toEqual({ address: 2 ** 32, length: 1024 * MiB, type: E820_RAM });
  });

  it('adds no reservation for holes RAM does not reach', () => {
    const map = biosE820Table(new E820Table().add(0, 0x80000, E820_RAM));
    expect(map.entries).toEqual([{ address: 0, length: 0x80000, type: E820_RAM }]);
  });
});

describe('memory sizes', () => {
  it('counts conventional and extended memory as INT 12h and E801 would', () => {
    const map = biosE820Table(pcE820Table({ belowFourGig: 128 * MiB, aboveFourGig: 64 * MiB }));
    expect(conventionalMemoryKib(map)).toBe(639);
    expect(extendedMemoryKib(map)).toBe(127 * 1024);
  });

  it('stops extended memory at the first hole, in whatever order the entries come', () => {
    const map = new E820Table()
      .add(0x300000, 0x100000, E820_RAM)
      .add(0x100000, 0x200000, E820_RAM)
      .add(0x500000, 0x100000, E820_RAM);
    expect(extendedMemoryKib(map)).toBe(3 * 1024);
  });
});
