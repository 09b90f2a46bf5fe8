/**
 * The VGA with `@tsemu/ui`'s real DisplayConsole: a text-mode screendump decoded again, and
 * the curses display showing the same screen.
 *
 * hw-pc does not depend on @tsemu/ui (the VGA draws into any console of the ConsolePort
 * shape), so this test reaches the ui sources by path.
 */

import { CursesDisplay, DisplayConsole, decodePng, screendumpPng } from '@tsemu/ui';
import { nodeDeflate, nodeInflate } from '@tsemu/ui/node';
import { describe, expect, it } from 'vitest';
import {
  setCursor,
  setStdVgaMode,
  testFont,
  vgaBiosInit,
  writeText,
} from './testing/seabios-vga.js';
import { vgaRig } from './testing/vga-rig.js';

function textScreen() {
  const rig = vgaRig();
  const console = new DisplayConsole('vga');
  rig.vga.attachConsole(console);
  vgaBiosInit(rig);
  setStdVgaMode(rig, 0x03, testFont());
  writeText(rig, 0, 0, 'SeaBIOS', 0x1f);
  writeText(rig, 0, 1, 'ok', 0x4e);
  setCursor(rig, 80 + 2);
  return { rig, console };
}

describe('VGA on a @tsemu/ui DisplayConsole', () => {
  it('screendumps text mode as a PNG that decodes to the drawn glyphs', () => {
    const { console } = textScreen();
    const png = decodePng(screendumpPng(console, nodeDeflate), nodeInflate);
    expect([png.width, png.height]).toEqual([720, 400]);
    const pixel = (x: number, y: number) => [
      ...png.data.subarray((y * 720 + x) * 4, (y * 720 + x) * 4 + 3),
    ];
    // 'S' = 0x53 = 01010011 on the first glyph row: white on blue.
    const row = Array.from({ length: 8 }, (_, x) => (pixel(x, 0)[0] === 0xff ? '#' : '.')).join('');
    expect(row).toBe('.#.#..##');
    expect(pixel(0, 0)).toEqual([0x00, 0x00, 0xaa]);
    // 'o' in yellow on red on row 1 (0x6f: bit 6 set → pixel 1 is yellow).
    expect(pixel(1, 16)).toEqual([0xff, 0xff, 0x55]);
    expect(pixel(0, 16)).toEqual([0xaa, 0x00, 0x00]);
    // The whole picture matches the console's surface byte for byte.
    expect(Buffer.from(png.data).equals(Buffer.from(console.surface.data))).toBe(true);
    // And the text view reads the same screen.
    console.updateText();
    expect(console.textGrid.text().split('\n').slice(0, 2)).toEqual(['SeaBIOS', 'ok']);
    expect([console.textGrid.cursorX, console.textGrid.cursorY]).toEqual([2, 1]);
  });

  it('keeps the text view right across mode switches (grid size, cursor)', () => {
    const { rig, console } = textScreen();
    console.updateText();
    setStdVgaMode(rig, 0x12);
    console.updateText();
    expect(console.textGrid.rowText(1).trim()).toBe('640 x 480 Graphic mode');
    expect(console.textGrid.cursorX).toBe(-1);
    setStdVgaMode(rig, 0x03, testFont());
    writeText(rig, 0, 0, 'back', 0x07);
    setCursor(rig, 80 + 2);
    console.updateText();
    expect([console.textGrid.cols, console.textGrid.rows]).toEqual([80, 25]);
    expect(console.textGrid.rowText(0).trimEnd()).toBe('back');
    expect([console.textGrid.cursorX, console.textGrid.cursorY]).toEqual([2, 1]);
    // 8-line characters: the grid becomes 80x50 and the cursor stays where it was.
    rig.outw(0x3d4, 0x4709);
    console.updateText();
    expect([console.textGrid.cols, console.textGrid.rows]).toEqual([80, 50]);
    expect([console.textGrid.cursorX, console.textGrid.cursorY]).toEqual([2, 1]);
  });

  it('shows the screen on the curses display and updates only what changed', () => {
    const { rig, console } = textScreen();
    let out = '';
    const display = new CursesDisplay({
      output: { write: (s) => (out += s) },
      columns: 80,
      rows: 25,
    });
    display.attach(console);
    console.refresh();
    expect(out).toContain('SeaBIOS');
    expect(out).toContain('\x1b[0;97;44mSeaBIOS'); // white on blue
    expect(out).toContain('\x1b[2;3H\x1b[?25h'); // the cursor after "ok"
    out = '';
    writeText(rig, 0, 0, 'B', 0x1f);
    console.refresh();
    expect(out).toBe('\x1b[1;1H\x1b[0;97;44mB\x1b[0m\x1b[2;3H\x1b[?25h');
    display.close();
  });
});
