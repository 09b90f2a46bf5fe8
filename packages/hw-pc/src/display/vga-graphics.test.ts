import { describe, expect, it } from 'vitest';
import { setStdVgaMode, vgaBiosInit } from './testing/seabios-vga.js';
import { type VgaRig, vgaRig } from './testing/vga-rig.js';

function mode(m: number): VgaRig {
  const rig = vgaRig();
  vgaBiosInit(rig);
  setStdVgaMode(rig, m);
  return rig;
}

const RED = [0xaa, 0x00, 0x00];
const BLACK = [0, 0, 0];

describe('mode 13h (320x200, 256 colours, chain 4)', () => {
  it('shows each byte as a pixel through the DAC, doubled to 640x400', () => {
    const rig = mode(0x13);
    rig.mem.write(0xa0000 + 5 * 320 + 10, 1, 4); // colour 4: red
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 400]);
    for (const [x, y] of [
      [20, 10],
      [21, 10],
      [20, 11],
      [21, 11],
    ]) {
      expect(rig.console.rgb(x, y)).toEqual(RED);
    }
    expect(rig.console.rgb(22, 10)).toEqual(BLACK);
    expect(rig.console.rgb(20, 12)).toEqual(BLACK);
  });

  it('redraws only the scanlines whose video memory changed', () => {
    const rig = mode(0x13);
    expect(rig.update()).toBe(400);
    expect(rig.update()).toBe(0);
    rig.mem.write(0xa0000 + 100 * 320 + 7, 1, 15);
    // One page of video memory (4 KiB) holds 12.8 lines of 320 bytes; each is shown twice.
    const drawn = rig.update();
    expect(drawn).toBeGreaterThanOrEqual(2);
    expect(drawn).toBeLessThanOrEqual(28);
    expect(rig.console.rgb(14, 200)).toEqual([0xff, 0xff, 0xff]);
    expect(rig.update()).toBe(0);
  });

  it('redraws everything when the palette changes, and honours the pel mask', () => {
    const rig = mode(0x13);
    rig.mem.write(0xa0000, 1, 0x21);
    rig.update();
    rig.outb(0x3c8, 0x21);
    for (const v of [0x3f, 0x20, 0x00]) rig.outb(0x3c9, v);
    expect(rig.update()).toBe(400);
    expect(rig.console.rgb(0, 0)).toEqual([0xff, 0x82, 0x00]);
    rig.outb(0x3c6, 0x0f); // colour 0x21 now shows entry 0x01
    rig.update();
    expect(rig.console.rgb(0, 0)).toEqual([0x00, 0x00, 0xaa]);
  });
});

describe('16-colour planar modes', () => {
  it('mode 12h: 640x480, colours written with write mode 2', () => {
    const rig = mode(0x12);
    rig.outw(0x3ce, 0x0205); // write mode 2
    rig.outw(0x3ce, 0x8008); // bit mask: leftmost pixel
    rig.mem.read(0xa0000 + 80 * 3, 1);
    rig.mem.write(0xa0000 + 80 * 3, 1, 12); // pixel (0, 3): light red
    rig.outw(0x3ce, 0x0108);
    rig.mem.read(0xa0000 + 80 * 3, 1);
    rig.mem.write(0xa0000 + 80 * 3, 1, 6); // pixel (7, 3): brown
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 480]);
    expect(rig.console.rgb(0, 3)).toEqual([0xff, 0x55, 0x55]);
    expect(rig.console.rgb(7, 3)).toEqual([0xaa, 0x55, 0x00]);
    expect(rig.console.rgb(1, 3)).toEqual(BLACK);
  });

  it('mode 0Dh: 320x200 shown doubled; the colour plane enable masks planes', () => {
    const rig = mode(0x0d);
    rig.outw(0x3ce, 0x0205);
    rig.outw(0x3ce, 0x4008); // second pixel
    rig.mem.read(0xa0000, 1);
    rig.mem.write(0xa0000, 1, 0x0f);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 400]);
    expect(rig.console.rgb(2, 0)).toEqual([0xff, 0xff, 0xff]); // colour 15 → AR 0x17 → white
    expect(rig.console.rgb(3, 1)).toEqual([0xff, 0xff, 0xff]);
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x32); // colour plane enable, screen on
    rig.outb(0x3c0, 0x01); // only plane 0: colour 15 shows as colour 1
    rig.update();
    expect(rig.console.rgb(2, 0)).toEqual([0x00, 0x00, 0xaa]);
  });

  it('splits the screen at the line compare: the lines below show video memory from 0', () => {
    const rig = mode(0x12);
    rig.outw(0x3ce, 0x0205);
    rig.mem.read(0xa0000, 1);
    rig.mem.write(0xa0000, 1, 4); // row 0: red
    rig.outw(0x3d4, 0x0d0c); // start address 0x0d00: rows from 166.4 on
    rig.outw(0x3d4, 0x6318); // line compare 99 (bits 8, 9 clear)
    rig.outw(0x3d4, 0x0f07);
    rig.outw(0x3d4, 0x0009);
    rig.update();
    expect(rig.console.rgb(0, 99)).toEqual(BLACK);
    expect(rig.console.rgb(0, 100)).toEqual(RED);
  });
});

describe('CGA-compatible modes', () => {
  it('mode 4: 2-bit pixels, even lines at 0xb8000 and odd ones at 0xba000', () => {
    const rig = mode(0x04);
    rig.mem.write(0xb8000, 1, 0b00_01_10_11);
    rig.mem.write(0xba000, 1, 0b11_00_00_00);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 400]);
    const px = (x: number, y: number) => rig.console.rgb(x * 2, y * 2);
    expect(px(0, 0)).toEqual(BLACK);
    // The BIOS's palette 1, bright: cyan, magenta, white.
    expect(px(1, 0)).toEqual([0x55, 0xff, 0xff]);
    expect(px(2, 0)).toEqual([0xff, 0x55, 0xff]);
    expect(px(3, 0)).toEqual([0xff, 0xff, 0xff]);
    expect(px(0, 1)).toEqual([0xff, 0xff, 0xff]);
    expect(px(1, 1)).toEqual(BLACK);
  });

  it('mode 6: 640x200 in one plane, one bit per pixel, scanlines interleaved', () => {
    const rig = mode(0x06);
    rig.mem.write(0xb8000, 1, 0x81);
    rig.mem.write(0xba000, 1, 0x40);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 400]);
    const WHITE = [0xff, 0xff, 0xff];
    expect(rig.console.rgb(0, 0)).toEqual(WHITE);
    expect(rig.console.rgb(0, 1)).toEqual(WHITE); // each scanline shown twice
    expect(rig.console.rgb(1, 0)).toEqual(BLACK);
    expect(rig.console.rgb(7, 0)).toEqual(WHITE);
    expect(rig.console.rgb(1, 2)).toEqual(WHITE); // the odd bank's first line
    expect(rig.console.rgb(0, 2)).toEqual(BLACK);
  });
});
