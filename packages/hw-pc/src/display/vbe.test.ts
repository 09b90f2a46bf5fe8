import { describe, expect, it } from 'vitest';
import {
  dispiRead,
  dispiWrite,
  MF_LINEARFB,
  MF_NOCLEARMEM,
  setStdVgaMode,
  setVbeMode,
  testFont,
  vgaBiosInit,
} from './testing/seabios-vga.js';
import { VGA_RIG_LFB, type VgaRig, vgaRig } from './testing/vga-rig.js';
import {
  VBE_DISPI_INDEX_BPP,
  VBE_DISPI_INDEX_ENABLE,
  VBE_DISPI_INDEX_ID,
  VBE_DISPI_INDEX_VIDEO_MEMORY_64K,
  VBE_DISPI_INDEX_VIRT_HEIGHT,
  VBE_DISPI_INDEX_VIRT_WIDTH,
  VBE_DISPI_INDEX_X_OFFSET,
  VBE_DISPI_INDEX_XRES,
  VBE_DISPI_INDEX_Y_OFFSET,
  VBE_DISPI_INDEX_YRES,
} from './vga/vbe-regs.js';

function vbe(width: number, height: number, depth: number, vramMb = 4): VgaRig {
  const rig = vgaRig({ vramMb });
  vgaBiosInit(rig);
  setStdVgaMode(rig, 0x03, testFont()); // the VGA BIOS's power-on mode
  setVbeMode(rig, width, height, depth);
  return rig;
}

describe('Bochs VBE dispi registers', () => {
  it('answers the BIOS probe: IDs 0xB0C0-0xB0C5, video memory in 64K units, capabilities', () => {
    const rig = vgaRig({ vramMb: 4 });
    expect(dispiRead(rig, VBE_DISPI_INDEX_ID)).toBe(0xb0c5);
    dispiWrite(rig, VBE_DISPI_INDEX_ID, 0xb0c2);
    expect(dispiRead(rig, VBE_DISPI_INDEX_ID)).toBe(0xb0c2);
    dispiWrite(rig, VBE_DISPI_INDEX_ID, 0x1234); // not an interface version: ignored
    expect(dispiRead(rig, VBE_DISPI_INDEX_ID)).toBe(0xb0c2);
    expect(dispiRead(rig, VBE_DISPI_INDEX_VIDEO_MEMORY_64K)).toBe(64);
    dispiWrite(rig, VBE_DISPI_INDEX_ENABLE, 0x02); // GETCAPS
    expect(dispiRead(rig, VBE_DISPI_INDEX_XRES)).toBe(16000);
    expect(dispiRead(rig, VBE_DISPI_INDEX_YRES)).toBe(12000);
    expect(dispiRead(rig, VBE_DISPI_INDEX_BPP)).toBe(32);
    expect(dispiRead(rig, 0x0b)).toBe(0); // no such register
    expect(rig.inb(0x1ce)).toBe(0xff); // byte accesses are not decoded
  });

  it('moves impossible values to the nearest valid mode (QEMU vbe_fixup_regs)', () => {
    const rig = vgaRig({ vramMb: 4 });
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x20); // the screen on (the attribute controller's palette address source)
    dispiWrite(rig, VBE_DISPI_INDEX_BPP, 12); // no such depth: 8
    dispiWrite(rig, VBE_DISPI_INDEX_XRES, 1003); // rounded down to a multiple of 8
    dispiWrite(rig, VBE_DISPI_INDEX_YRES, 0);
    dispiWrite(rig, VBE_DISPI_INDEX_ENABLE, 0x01);
    expect(dispiRead(rig, VBE_DISPI_INDEX_BPP)).toBe(8);
    expect(dispiRead(rig, VBE_DISPI_INDEX_XRES)).toBe(1000);
    expect(dispiRead(rig, VBE_DISPI_INDEX_YRES)).toBe(1);
    // 1920x1080 at 32 bpp needs 8.3 MB; 4 MB holds 546 lines of 7680 bytes.
    dispiWrite(rig, VBE_DISPI_INDEX_BPP, 32);
    dispiWrite(rig, VBE_DISPI_INDEX_XRES, 1920);
    dispiWrite(rig, VBE_DISPI_INDEX_YRES, 1080);
    expect(dispiRead(rig, VBE_DISPI_INDEX_YRES)).toBe(546);
    expect(dispiRead(rig, VBE_DISPI_INDEX_VIRT_WIDTH)).toBe(1920);
    expect(dispiRead(rig, VBE_DISPI_INDEX_VIRT_HEIGHT)).toBe(546);
    // Width beyond the maximum, offsets that would leave video memory: pulled back.
    dispiWrite(rig, VBE_DISPI_INDEX_XRES, 0xffff);
    expect(dispiRead(rig, VBE_DISPI_INDEX_XRES)).toBe(16000);
    // The virtual width stayed 16000, so only 65 lines fit until it is set again.
    dispiWrite(rig, VBE_DISPI_INDEX_XRES, 640);
    dispiWrite(rig, VBE_DISPI_INDEX_YRES, 480);
    expect(dispiRead(rig, VBE_DISPI_INDEX_YRES)).toBe(65);
    dispiWrite(rig, VBE_DISPI_INDEX_VIRT_WIDTH, 320); // narrower than the mode: widened
    expect(dispiRead(rig, VBE_DISPI_INDEX_VIRT_WIDTH)).toBe(640);
    dispiWrite(rig, VBE_DISPI_INDEX_YRES, 480);
    dispiWrite(rig, VBE_DISPI_INDEX_Y_OFFSET, 5000);
    expect(dispiRead(rig, VBE_DISPI_INDEX_Y_OFFSET)).toBe(0);
    dispiWrite(rig, VBE_DISPI_INDEX_Y_OFFSET, 100);
    expect(dispiRead(rig, VBE_DISPI_INDEX_Y_OFFSET)).toBe(100);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 480]);
  });

  it('clears video memory on enable unless asked not to', () => {
    const rig = vgaRig();
    rig.vga.vram.bytes.fill(0x77, 0, 4096);
    setVbeMode(rig, 640, 480, 8, MF_LINEARFB | MF_NOCLEARMEM);
    expect(rig.vga.vram.bytes[100]).toBe(0x77);
    setVbeMode(rig, 640, 480, 8, MF_LINEARFB);
    expect(rig.vga.vram.bytes[100]).toBe(0);
  });
});

describe('VBE linear modes', () => {
  /** Writes `bytes` at pixel (x, y) of the framebuffer through the LFB mapping. */
  function put(
    rig: VgaRig,
    x: number,
    y: number,
    bytesPerPixel: number,
    lineBytes: number,
    bytes: number[],
  ) {
    for (const [i, b] of bytes.entries()) {
      rig.mem.write(VGA_RIG_LFB + y * lineBytes + x * bytesPerPixel + i, 1, b);
    }
  }

  it('8 bpp: bytes through the DAC, 6-bit or 8-bit', () => {
    const rig = vbe(640, 480, 8);
    rig.outb(0x3c8, 9);
    for (const v of [0x3f, 0x00, 0x20]) rig.outb(0x3c9, v);
    put(rig, 3, 2, 1, 640, [9]);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 480]);
    expect(rig.console.rgb(3, 2)).toEqual([0xff, 0x00, 0x82]);
    dispiWrite(rig, VBE_DISPI_INDEX_ENABLE, 0x01 | 0x40 | 0x20 | 0x80); // 8-bit DAC
    rig.outb(0x3c8, 9);
    for (const v of [0x12, 0x34, 0x56]) rig.outb(0x3c9, v);
    rig.update();
    expect(rig.console.rgb(3, 2)).toEqual([0x12, 0x34, 0x56]);
  });

  it.each([
    [15, 2, [0x00, 0x7c], [0xff, 0x00, 0x00]],
    [15, 2, [0xe0, 0x03], [0x00, 0xff, 0x00]],
    [16, 2, [0x00, 0xf8], [0xff, 0x00, 0x00]],
    [16, 2, [0xe0, 0x07], [0x00, 0xff, 0x00]],
    [16, 2, [0x1f, 0x00], [0x00, 0x00, 0xff]],
    [24, 3, [0x30, 0x20, 0x10], [0x10, 0x20, 0x30]],
    [32, 4, [0x56, 0x34, 0x12, 0x00], [0x12, 0x34, 0x56]],
  ])('%i bpp: pixel bytes %j show as RGB %j', (depth, bpp, bytes, rgb) => {
    const rig = vbe(800, 600, depth);
    put(rig, 799, 599, bpp, 800 * bpp, bytes);
    put(rig, 0, 0, bpp, 800 * bpp, bytes);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([800, 600]);
    expect(rig.console.rgb(799, 599)).toEqual(rgb);
    expect(rig.console.rgb(0, 0)).toEqual(rgb);
    expect(rig.console.rgb(1, 0)).toEqual([0, 0, 0]);
  });

  it('1920x1080 at 32 bpp fits 16 MiB and redraws only the changed lines', () => {
    const rig = vbe(1920, 1080, 32, 16);
    expect(rig.update()).toBe(1080);
    expect(rig.update()).toBe(0);
    put(rig, 100, 700, 4, 7680, [0xff, 0xff, 0xff, 0]);
    // Line 700 is bytes 5376000-5383679: pages 1312-1314, shared with lines 699 and 701.
    const drawn = rig.update();
    expect(drawn).toBeGreaterThanOrEqual(1);
    expect(drawn).toBeLessThanOrEqual(3);
    expect(rig.console.rgb(100, 700)).toEqual([0xff, 0xff, 0xff]);
  });

  it('1024x768x32: each line is one page, so one pixel redraws one line', () => {
    const rig = vbe(1024, 768, 32);
    rig.update();
    put(rig, 5, 300, 4, 4096, [0, 0, 0xff, 0]);
    expect(rig.update()).toBe(1);
    expect(rig.console.takeUpdatedLines()).toBe(768 + 1);
    expect(rig.console.rgb(5, 300)).toEqual([0xff, 0, 0]);
  });

  it('pans with the display start (X/Y offset) over a larger virtual screen', () => {
    const rig = vbe(640, 480, 32);
    dispiWrite(rig, VBE_DISPI_INDEX_VIRT_WIDTH, 1024);
    put(rig, 10, 20, 4, 4096, [0xff, 0, 0, 0]);
    dispiWrite(rig, VBE_DISPI_INDEX_X_OFFSET, 8);
    dispiWrite(rig, VBE_DISPI_INDEX_Y_OFFSET, 16);
    rig.update();
    expect(rig.console.rgb(2, 4)).toEqual([0, 0, 0xff]);
  });

  it('a 4 bpp VBE mode is planar, drawn with the 16-colour palette', () => {
    const rig = vbe(800, 600, 4);
    rig.outw(0x3ce, 0x0205);
    rig.outw(0x3ce, 0x8008);
    rig.mem.read(0xa0000 + 100, 1);
    rig.mem.write(0xa0000 + 100, 1, 14); // pixel 800 = (0, 1)
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([800, 600]);
    expect(rig.console.rgb(0, 1)).toEqual([0xff, 0xff, 0x55]);
  });

  it('leaving VBE returns to the VGA mode the registers describe', () => {
    const rig = vbe(640, 480, 32);
    rig.update();
    dispiWrite(rig, VBE_DISPI_INDEX_ENABLE, 0);
    rig.console.hardware?.textUpdate();
    expect(rig.console.textRow(1).trim()).toMatch(/Graphic mode$/);
  });
});
