import { describe, expect, it } from 'vitest';
import { type VgaRig, vgaRig } from './testing/vga-rig.js';

/** A 16-colour planar setup as mode 12h has it: 64K window at 0xa0000, all planes on. */
function planar(): VgaRig {
  const rig = vgaRig();
  rig.outb(0x3c2, 0xe3);
  rig.outw(0x3c4, 0x0f02); // map mask: all planes
  rig.outw(0x3c4, 0x0604); // memory mode: odd/even off, no chain 4
  rig.outw(0x3ce, 0x0005); // write mode 0, read mode 0
  rig.outw(0x3ce, 0x0506); // graphics, window 0xa0000-0xaffff
  rig.outw(0x3ce, 0xff08); // bit mask: all bits
  return rig;
}

/** The four plane bytes at planar address `a`. */
function planes(rig: VgaRig, a: number): number[] {
  const vram = rig.vga.vram.bytes;
  return [vram[a * 4], vram[a * 4 + 1], vram[a * 4 + 2], vram[a * 4 + 3]];
}

const gr = (rig: VgaRig, index: number, value: number) => rig.outw(0x3ce, (value << 8) | index);

describe('planar video memory', () => {
  it('write mode 0 stores the byte in the planes the map mask enables', () => {
    const rig = planar();
    rig.outw(0x3c4, 0x0502); // planes 0 and 2
    rig.mem.write(0xa0010, 1, 0xab);
    expect(planes(rig, 0x10)).toEqual([0xab, 0, 0xab, 0]);
  });

  it('write mode 0 applies set/reset, rotation, the logical function and the bit mask', () => {
    const rig = planar();
    gr(rig, 1, 0b0011); // set/reset enabled for planes 0, 1
    gr(rig, 0, 0b0001); // ... with plane 0 set, plane 1 reset
    rig.mem.write(0xa0000, 1, 0x55);
    expect(planes(rig, 0)).toEqual([0xff, 0x00, 0x55, 0x55]);
    gr(rig, 1, 0);
    gr(rig, 3, 0x01); // rotate right by 1
    rig.mem.write(0xa0001, 1, 0x01);
    expect(planes(rig, 1)).toEqual([0x80, 0x80, 0x80, 0x80]);
    // XOR with the latches (loaded by a read), under a bit mask.
    gr(rig, 3, 0x18);
    rig.mem.read(0xa0000, 1);
    gr(rig, 8, 0x0f);
    rig.mem.write(0xa0000, 1, 0xff);
    expect(planes(rig, 0)).toEqual([0xf0, 0x0f, 0x5a, 0x5a]);
    // AND and OR.
    gr(rig, 8, 0xff);
    gr(rig, 3, 0x08);
    rig.mem.read(0xa0000, 1);
    rig.mem.write(0xa0000, 1, 0x3c);
    expect(planes(rig, 0)).toEqual([0x30, 0x0c, 0x18, 0x18]);
    gr(rig, 3, 0x10);
    rig.mem.read(0xa0000, 1);
    rig.mem.write(0xa0000, 1, 0x81);
    expect(planes(rig, 0)).toEqual([0xb1, 0x8d, 0x99, 0x99]);
  });

  it('write mode 1 copies the latches: a four-plane copy in one byte', () => {
    const rig = planar();
    const vram = rig.vga.vram.bytes;
    vram.set([1, 2, 3, 4], 0x20 * 4);
    gr(rig, 5, 0x01);
    rig.mem.read(0xa0020, 1);
    rig.mem.write(0xa0030, 1, 0x00); // the value does not matter
    expect(planes(rig, 0x30)).toEqual([1, 2, 3, 4]);
  });

  it('write mode 2 spreads a colour over the bit-masked pixels', () => {
    const rig = planar();
    gr(rig, 5, 0x02);
    gr(rig, 8, 0xc0);
    rig.mem.read(0xa0000, 1); // latches all zero
    rig.mem.write(0xa0000, 1, 0x0a); // colour 10: planes 1 and 3
    expect(planes(rig, 0)).toEqual([0x00, 0xc0, 0x00, 0xc0]);
  });

  it('write mode 3 ANDs the rotated byte with the bit mask and writes the set/reset colour', () => {
    const rig = planar();
    rig.vga.vram.bytes.set([0xff, 0xff, 0x00, 0x00], 0);
    gr(rig, 5, 0x03);
    gr(rig, 0, 0x0c); // colour 12: planes 2 and 3
    gr(rig, 8, 0xf0);
    rig.mem.read(0xa0000, 1);
    rig.mem.write(0xa0000, 1, 0x3c); // effective mask 0x30
    expect(planes(rig, 0)).toEqual([0xcf, 0xcf, 0x30, 0x30]);
  });

  it('read mode 0 returns the plane read map select picks', () => {
    const rig = planar();
    rig.vga.vram.bytes.set([0x11, 0x22, 0x33, 0x44], 0x40 * 4);
    for (let plane = 0; plane < 4; plane++) {
      gr(rig, 4, plane);
      expect(rig.mem.read(0xa0040, 1)).toBe(0x11 * (plane + 1));
    }
  });

  it('read mode 1 compares every pixel with the colour compare register', () => {
    const rig = planar();
    // Pixels (bit 7 first): colours 5, 5, 0, 15, 5, 1, 4, 5 spread over the planes.
    const colours = [5, 5, 0, 15, 5, 1, 4, 5];
    const bytes = [0, 0, 0, 0];
    colours.forEach((c, i) => {
      for (let p = 0; p < 4; p++) if (c & (1 << p)) bytes[p] |= 0x80 >> i;
    });
    rig.vga.vram.bytes.set(bytes, 0);
    gr(rig, 5, 0x08);
    gr(rig, 2, 5);
    gr(rig, 7, 0x0f);
    expect(rig.mem.read(0xa0000, 1)).toBe(0b11001001);
    gr(rig, 7, 0x01); // only plane 0 counts: odd colours match
    expect(rig.mem.read(0xa0000, 1)).toBe(0b11011101);
  });

  it('odd/even addressing puts characters in plane 0 and attributes in plane 1', () => {
    const rig = vgaRig();
    rig.outw(0x3c4, 0x0302);
    rig.outw(0x3c4, 0x0204);
    rig.outw(0x3ce, 0x1005);
    rig.outw(0x3ce, 0x0e06); // text, window 0xb8000-0xbffff
    rig.mem.write(0xb8000, 2, 0x1f41);
    rig.mem.write(0xb8002, 2, 0x2e42);
    expect([...rig.vga.vram.bytes.subarray(0, 8)]).toEqual([0x41, 0x1f, 0, 0, 0x42, 0x2e, 0, 0]);
    expect(rig.mem.read(0xb8002, 2)).toBe(0x2e42);
  });

  it('chain 4 maps every byte to the plane of its two low address bits', () => {
    const rig = vgaRig();
    rig.outw(0x3c4, 0x0f02);
    rig.outw(0x3c4, 0x0e04);
    rig.outw(0x3ce, 0x4005);
    rig.outw(0x3ce, 0x0506);
    for (let i = 0; i < 8; i++) rig.mem.write(0xa0000 + i, 1, 0x10 + i);
    expect([...rig.vga.vram.bytes.subarray(0, 8)]).toEqual([
      0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    ]);
    expect(rig.mem.read(0xa0005, 1)).toBe(0x15);
    // With one plane masked off the bytes of that plane stay as they were.
    rig.outw(0x3c4, 0x0d02);
    for (let i = 0; i < 8; i++) rig.mem.write(0xa0000 + i, 1, 0xee);
    expect([...rig.vga.vram.bytes.subarray(0, 8)]).toEqual([
      0xee, 0x11, 0xee, 0xee, 0xee, 0x15, 0xee, 0xee,
    ]);
  });
});

describe('the legacy window in the memory map', () => {
  /** The VGA's lines of `info mtree` in the memory address space. */
  const window = (rig: VgaRig) =>
    rig.memory
      .mtree()
      .split('\n')
      .filter((l) => l.includes('alias vga.'))
      .map((l) =>
        l
          .trim()
          .replace(/^0+/, '')
          .replace(/ 0+(?=[0-9a-f])/g, ' '),
      );

  it('follows the memory map select: 128K, 64K at 0xa0000, 32K at 0xb0000 or 0xb8000', () => {
    const rig = vgaRig();
    rig.outw(0x3c4, 0x0604);
    rig.outw(0x3c4, 0x0f02);
    rig.outw(0x3ce, 0xff08);
    const select = (map: number) => rig.outw(0x3ce, ((map << 2) << 8) | 0x06);
    select(0);
    expect(window(rig)).toEqual([
      'a0000-00000000000bffff (prio 1, container): alias vga.window @vga-lowmem 0-000000000001ffff',
    ]);
    select(1);
    expect(window(rig)).toEqual([
      'a0000-00000000000affff (prio 1, container): alias vga.window @vga-lowmem 0-000000000000ffff',
    ]);
    select(2);
    expect(window(rig)).toEqual([
      'b0000-00000000000b7fff (prio 1, container): alias vga.window @vga-lowmem 10000-0000000000017fff',
    ]);
    select(3);
    expect(window(rig)).toEqual([
      'b8000-00000000000bffff (prio 1, container): alias vga.window @vga-lowmem 18000-000000000001ffff',
    ]);
    // Outside the window nothing answers.
    expect(rig.mem.read(0xa0000, 1)).toBe(0xff);
    rig.mem.write(0xb8000, 1, 0x77);
    expect(rig.mem.read(0xb8000, 1)).toBe(0x77);
    select(1);
    expect(rig.mem.read(0xb8000, 1)).toBe(0xff);
  });

  it('shows video memory as RAM in chain-4 mode with all planes writable', () => {
    const rig = vgaRig();
    rig.outw(0x3ce, 0x0506);
    rig.outw(0x3c4, 0x0e04);
    rig.outw(0x3c4, 0x0f02);
    expect(window(rig)).toEqual([
      'a0000-00000000000affff (prio 2, ram): alias vga.chain4 @vga.vram 0-000000000000ffff',
      'a0000-00000000000affff (prio 1, container): alias vga.window @vga-lowmem 0-000000000000ffff',
    ]);
    rig.outw(0x3c4, 0x0702); // one plane off: back to the callbacks
    expect(window(rig)).toEqual([
      'a0000-00000000000affff (prio 1, container): alias vga.window @vga-lowmem 0-000000000000ffff',
    ]);
  });

  it('shows the VBE bank in the 64K window', () => {
    const rig = vgaRig();
    rig.outw(0x1ce, 0x3);
    rig.outw(0x1cf, 8);
    rig.outw(0x1ce, 0x1);
    rig.outw(0x1cf, 640);
    rig.outw(0x1ce, 0x2);
    rig.outw(0x1cf, 480);
    rig.outw(0x1ce, 0x4);
    rig.outw(0x1cf, 0x01);
    rig.outw(0x1ce, 0x5);
    rig.outw(0x1cf, 3); // bank 3: video memory 0x30000-0x3ffff
    expect(window(rig)[0]).toBe(
      'a0000-00000000000affff (prio 2, ram): alias vga.chain4 @vga.vram 30000-000000000003ffff',
    );
    rig.mem.write(0xa0010, 4, 0xdeadbeef);
    expect(rig.vga.vram.bytes[0x30010]).toBe(0xef);
    rig.outw(0x1cf, 0x1234); // banks wrap at the end of video memory (4 MiB: 64 banks)
    rig.outw(0x1ce, 0x5);
    expect(rig.inw(0x1cf)).toBe(0x1234 & 63);
  });
});
