import { describe, expect, it } from 'vitest';
import { DirtyClient, type MemoryRegionSection, PamAttribute } from '../src/index.js';
import { biosImage, buildPcMemoryMap, FOUR_GIB, KiB, MiB } from './pc-memory-map.js';

// 48 MiB of RAM with the PCI hole at 32 MiB (QEMU: -m 48M -machine max-ram-below-4g=32M),
// so the split around the hole is exercised without allocating gigabytes.
const RAM = 48 * MiB;
const BELOW_4G = 32 * MiB;
const BIOS = 256 * KiB;

function pc() {
  return buildPcMemoryMap({ ramSize: RAM, belowFourGig: BELOW_4G, biosSize: BIOS });
}

const RESET_FLATVIEW = `FlatView #0
 AS "memory", root: system
 Root memory region: system
  0000000000000000-000000000009ffff (prio 0, ram): pc.ram
  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem
  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom
  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000
  0000000000100000-0000000001ffffff (prio 0, ram): pc.ram @0000000000100000
  00000000fd000000-00000000fdffffff (prio 0, ram): vga.vram
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
  0000000100000000-0000000100ffffff (prio 0, ram): pc.ram @0000000002000000

FlatView #1
 AS "I/O", root: io
 Root memory region: io
  0000000000000020-0000000000000021 (prio 0, i/o): pic
  0000000000000040-0000000000000043 (prio 0, i/o): pit
  0000000000000060-0000000000000060 (prio 0, i/o): i8042-data
  0000000000000064-0000000000000064 (prio 0, i/o): i8042-cmd
  00000000000003c0-00000000000003cf (prio 0, i/o): vga
  00000000000003f8-00000000000003ff (prio 0, i/o): serial
  0000000000000cf8-0000000000000cfb (prio 0, i/o): pci-conf-idx
  0000000000000cfc-0000000000000cff (prio 0, i/o): pci-conf-data

`;

describe('the i440FX PC memory map', () => {
  it('flattens at reset to what QEMU shows in info mtree -f', () => {
    expect(pc().core.mtree({ flatview: true })).toBe(RESET_FLATVIEW);
  });

  it('splits RAM around the PCI hole and maps the rest above 4 GiB', () => {
    const m = pc();
    m.memory.write(0x7c00, 4, 0x12345678);
    expect(m.ram.bytes[0x7c00]).toBe(0x78);
    m.memory.write(BELOW_4G - 4, 4, 0xaabbccdd);
    expect(m.memory.read(BELOW_4G - 4, 4)).toBe(0xaabbccdd);
    // The hole: no RAM, no device, so all ones.
    expect(m.memory.read(BELOW_4G, 4)).toBe(0xffffffff);
    expect(m.memory.read(0xe0000000, 4)).toBe(0xffffffff);
    // RAM from BELOW_4G on appears at 4 GiB.
    m.memory.write(FOUR_GIB, 4, 0x01020304);
    expect(m.ram.bytes[BELOW_4G]).toBe(0x04);
    expect(m.memory.read(FOUR_GIB + (RAM - BELOW_4G), 1)).toBe(0xff);
    expect(m.memory.ramPage(FOUR_GIB + 0x5000, true)?.offset).toBe(BELOW_4G + 0x5000);
  });

  it('reaches PCI devices in the hole', () => {
    const m = pc();
    m.memory.write(0xfd000000 + 640 * 4, 4, 0x00ff00ff);
    expect(new DataView(m.vram.bytes.buffer).getUint32(640 * 4, true)).toBe(0x00ff00ff);
  });

  it('overlays the VGA window on RAM until SMRAM is opened', () => {
    const m = pc();
    m.memory.write(0x9ffff, 1, 0x11);
    expect(m.ram.bytes[0x9ffff]).toBe(0x11);
    m.memory.write(0xa0010, 2, 0x0741);
    expect([m.vgaWrites.get(0x10), m.vgaWrites.get(0x11)]).toEqual([0x41, 0x07]);
    expect(m.memory.read(0xa0001, 1)).toBe(0xa1);
    expect(m.ram.bytes[0xa0010]).toBe(0);
    expect(m.memory.ramPage(0xa0000, false)).toBeUndefined();
    // i440FX SMRAM D_OPEN: the RAM under the window shows through.
    m.smramRegion.setEnabled(false);
    m.memory.write(0xa0010, 2, 0x0741);
    expect(m.ram.bytes[0xa0010]).toBe(0x41);
    expect(m.memory.ramPage(0xa0000, true)?.bytes).toBe(m.ram.bytes);
  });

  it('serves the BIOS at the top of 4 GiB and its last 128 KiB below 1 MiB', () => {
    const m = pc();
    const image = biosImage(BIOS);
    // The reset vector: the CPU's first fetch.
    expect(m.memory.read(0xfffffff0, 1)).toBe(0xea);
    expect(m.memory.read(0xfffffff1, 4)).toBe(0xf000e05b);
    const isaStart = BIOS - 128 * KiB;
    expect(m.memory.read(0xe0000, 4)).toBe(new DataView(image.buffer).getUint32(isaStart, true));
    expect(m.memory.read(0xffff0, 1)).toBe(0xea);
    // Read-only, and readable straight from the ROM's bytes by the TLB.
    m.memory.write(0xf0000, 4, 0);
    m.memory.write(0xfffc0000, 4, 0);
    expect(m.bios.bytes[isaStart + 0x10000]).toBe(image[isaStart + 0x10000]);
    expect(m.bios.bytes[0]).toBe(image[0]);
    const page = m.memory.ramPage(0xf0000, false);
    expect(page?.bytes).toBe(m.bios.bytes);
    expect(page?.offset).toBe(isaStart + 0x10000);
    expect(m.memory.ramPage(0xf0000, true)).toBeUndefined();
    expect(m.memory.ramPage(0xc0000, false)?.bytes).toBe(m.optionRom.bytes);
  });

  it('shadows the BIOS the way SeaBIOS does: RW, copy, then read-only', () => {
    const m = pc();
    const top64k = m.memory.readBytes(FOUR_GIB - 0x10000, 0x10000);
    // PAM0 = 0x30: 0xf0000-0xfffff to DRAM, read and write.
    m.writePam(0x59, 0x30);
    expect(m.pam[0].attribute).toBe(PamAttribute.READ_WRITE);
    expect(m.memory.read(0xf0000, 4)).toBe(0); // fresh DRAM
    m.memory.copy(0xf0000, FOUR_GIB - 0x10000, 0x10000);
    expect(Buffer.from(m.ram.bytes.subarray(0xf0000, 0x100000)).equals(top64k)).toBe(true);
    expect(m.memory.ramPage(0xf0000, true)?.bytes).toBe(m.ram.bytes);
    // PAM0 = 0x10: reads from DRAM, writes dropped (they would go to PCI).
    m.writePam(0x59, 0x10);
    m.memory.write(0xf0000, 4, 0xdeadbeef);
    expect(m.memory.read(0xf0000, 4)).toBe(new DataView(top64k.buffer).getUint32(0, true));
    expect(m.memory.ramPage(0xf0000, false)?.bytes).toBe(m.ram.bytes);
    expect(m.memory.ramPage(0xf0000, true)).toBeUndefined();
    // PAM0 = 0x20 (write-only): writes reach DRAM; reads, as in QEMU, come from DRAM too.
    m.writePam(0x59, 0x20);
    m.memory.write(0xf0000, 4, 0xdeadbeef);
    expect(new DataView(m.ram.bytes.buffer).getUint32(0xf0000, true)).toBe(0xdeadbeef);
    // PAM0 = 0x00: back to PCI, the ROM again.
    m.writePam(0x59, 0x00);
    expect(m.memory.read(0xf0000, 4)).toBe(new DataView(top64k.buffer).getUint32(0, true));
    expect(m.memory.ramPage(0xf0000, false)?.bytes).toBe(m.bios.bytes);
  });

  it('switches each 16 KiB expansion segment on its own nibble', () => {
    const m = pc();
    m.ram.bytes[0xc4000] = 0x77;
    m.ram.bytes[0xc0000] = 0x66;
    // PAM1 = 0x30: high nibble = 0xc4000-0xc7fff RW; low nibble (0xc0000) stays PCI.
    m.writePam(0x5a, 0x30);
    expect(m.pam[1].attribute).toBe(PamAttribute.PCI);
    expect(m.pam[2].attribute).toBe(PamAttribute.READ_WRITE);
    expect(m.memory.read(0xc0000, 2)).toBe(0xaa55); // option ROM signature
    expect(m.memory.read(0xc4000, 1)).toBe(0x77);
    expect(m.memory.read(0xc3fff, 2)).toBe(0x7700); // straddles PCI ROM and DRAM
    m.writePam(0x5f, 0x33); // PAM6: 0xe8000-0xeffff
    m.memory.write(0xe8000, 1, 0x12);
    m.memory.write(0xec000, 1, 0x34);
    expect([m.ram.bytes[0xe8000], m.ram.bytes[0xec000]]).toEqual([0x12, 0x34]);
    expect(m.core.mtree({ flatview: true })).toContain(
      '  00000000000c4000-00000000000c7fff (prio 0, ram): pc.ram @00000000000c4000\n',
    );
  });

  it('tells listeners only what a PAM change changed, after the commit', () => {
    const m = pc();
    const events: string[] = [];
    const name = (s: MemoryRegionSection) =>
      `${s.region.name}@${s.offsetWithinAddressSpace.toString(16)}+${s.size.toString(16)}${s.readonly ? ' ro' : ''}`;
    m.memory.addListener({
      regionAdd: (s) => events.push(`add ${name(s)}`),
      regionDel: (s) => events.push(`del ${name(s)}`),
      commit: () => events.push('commit'),
    });
    events.length = 0;
    m.writePam(0x5b, 0x01); // PAM2 low nibble: 0xc8000-0xcbfff read-only DRAM
    expect(events).toEqual([
      'del pc.rom@c0000+20000 ro',
      'add pc.rom@c0000+8000 ro',
      'add pc.ram@c8000+4000 ro',
      'add pc.rom@cc000+14000 ro',
      'commit',
    ]);
  });

  it('keeps VGA dirty tracking on the framebuffer BAR', () => {
    const m = pc();
    m.vram.setLog(true, DirtyClient.VGA);
    m.vram.resetDirty(0, 16 * MiB, DirtyClient.VGA);
    m.memory.write(0xfd000000 + 0x3000, 4, 0xffffff);
    expect(m.vram.getDirty(0x3000, 0x1000, DirtyClient.VGA)).toBe(true);
    expect(m.vram.getDirty(0, 0x3000, DirtyClient.VGA)).toBe(false);
  });

  it('has a 64 KiB I/O port space with 16-bit ports', () => {
    const m = pc();
    const ports = m.ioSpace;
    ports.write(0x3f8 + 3, 1, 0x83); // serial LCR
    expect(ports.read(0x3fb, 1)).toBe(0x83);
    ports.write(0xcf8, 4, 0x80000000);
    expect(ports.read(0xcf8, 4)).toBe(0x80000000);
    ports.write(0xcfc, 2, 0x8086);
    expect(ports.read(0xcfc, 2)).toBe(0x8086);
    // A word access to a byte-wide device is two byte accesses.
    ports.write(0x3c4, 2, 0x0f02);
    expect(ports.read(0x3c4, 1)).toBe(0x02);
    expect(ports.read(0x3c5, 1)).toBe(0x0f);
    expect(ports.read(0x80, 1)).toBe(0xff);
    expect(ports.read(0xffff, 1)).toBe(0xff);
    // Port and memory spaces are separate: 0x60 in memory is RAM.
    m.memory.write(0x60, 1, 0x12);
    expect(ports.read(0x60, 1)).toBe(0);
  });
});
