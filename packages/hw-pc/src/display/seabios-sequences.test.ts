/**
 * The VGA BIOS's own register sequences (SeaBIOS vgasrc, as in Debian's vgabios-stdvga.bin)
 * replayed one after the other, as a guest would run them: power-on mode 3 with a banner,
 * then mode 13h, then a VBE linear mode, checking the screen each time.
 */
import { describe, expect, it } from 'vitest';
import {
  setCursor,
  setStdVgaMode,
  setVbeMode,
  testFont,
  vgaBiosInit,
  writeText,
} from './testing/seabios-vga.js';
import { VGA_RIG_LFB, vgaRig } from './testing/vga-rig.js';

describe('the VGA BIOS driving the VGA', () => {
  it('boots to a text banner, then mode 13h, then VBE 1024x768x32', () => {
    const rig = vgaRig({ vramMb: 16 });
    expect(vgaBiosInit(rig).videoMemory64k).toBe(256);

    // Mode 3 and a banner, as SeaBIOS prints at boot; the cursor after it.
    setStdVgaMode(rig, 0x03, testFont());
    writeText(rig, 0, 0, 'SeaBIOS (version 1.16.3-debian-1.16.3-2)', 0x07);
    writeText(rig, 0, 2, 'Booting from Hard Disk...', 0x07);
    setCursor(rig, 3 * 80);
    rig.console.hardware?.textUpdate();
    expect(rig.console.textRow(0)).toMatch(/^SeaBIOS \(version 1\.16\.3/);
    expect(rig.console.textRow(2).trimEnd()).toBe('Booting from Hard Disk...');
    expect(rig.console.cursor).toEqual({ x: 0, y: 3 });
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([720, 400]);
    // 'S' (0x53 = 01010011) in light grey on black, first glyph row.
    const row = Array.from({ length: 9 }, (_, x) =>
      rig.console.rgb(x, 0)[0] === 0xaa ? '#' : '.',
    ).join('');
    expect(row).toBe('.#.#..##.');

    // Mode 13h: a diagonal in colours 1-15.
    setStdVgaMode(rig, 0x13);
    for (let i = 0; i < 15; i++) rig.mem.write(0xa0000 + i * 320 + i, 1, i + 1);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 400]);
    expect(rig.console.rgb(2 * 3, 2 * 3)).toEqual([0xaa, 0x00, 0x00]); // colour 4 at (3, 3)
    expect(rig.console.rgb(2 * 13, 2 * 13)).toEqual([0xff, 0xff, 0x55]); // colour 14
    expect(rig.console.rgb(2 * 3 + 2, 2 * 3)).toEqual([0, 0, 0]);

    // VBE 1024x768x32 with the linear framebuffer (mode 0x144).
    setVbeMode(rig, 1024, 768, 32);
    rig.mem.write(VGA_RIG_LFB + (767 * 1024 + 1023) * 4, 4, 0x00336699);
    rig.mem.write(VGA_RIG_LFB + (10 * 1024 + 20) * 4, 4, 0x00ff8000);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([1024, 768]);
    expect(rig.console.rgb(1023, 767)).toEqual([0x33, 0x66, 0x99]);
    expect(rig.console.rgb(20, 10)).toEqual([0xff, 0x80, 0x00]);
    rig.console.hardware?.textUpdate();
    expect(rig.console.textRow(1).trim()).toBe('1024 x 768 Graphic mode');
    // The VGA registers now describe the mode for software that reads them.
    rig.outb(0x3d4, 0x01);
    expect(rig.inb(0x3d5)).toBe(1024 / 8 - 1);

    // And back to text mode 3: the BIOS's text is drawn again.
    setStdVgaMode(rig, 0x03, testFont());
    writeText(rig, 0, 0, 'again', 0x07);
    rig.console.hardware?.textUpdate();
    expect(rig.console.textRow(0).trimEnd()).toBe('again');
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([720, 400]);
  });
});
