import { describe, expect, it } from 'vitest';
import {
  setCursor,
  setStdVgaMode,
  testFont,
  vgaBiosInit,
  writeText,
} from './testing/seabios-vga.js';
import { type VgaRig, vgaRig } from './testing/vga-rig.js';

const WHITE = [0xff, 0xff, 0xff];
const BLUE = [0x00, 0x00, 0xaa];
const BLACK = [0, 0, 0];
const LIGHT_GREY = [0xaa, 0xaa, 0xaa];

function textMode(mode = 0x03): VgaRig {
  const rig = vgaRig();
  vgaBiosInit(rig);
  setStdVgaMode(rig, mode, testFont());
  return rig;
}

/** The pixels of glyph row `r` of the 9-dot cell at (col, row): '#' foreground, '.' background. */
function cellRow(
  rig: VgaRig,
  col: number,
  row: number,
  r: number,
  fg: number[],
  width = 9,
): string {
  let s = '';
  for (let x = 0; x < width; x++) {
    const rgb = rig.console.rgb(col * width + x, row * 16 + r);
    s += rgb.every((v, i) => v === fg[i]) ? '#' : '.';
  }
  return s;
}

describe('text mode 3 (80x25) as the VGA BIOS sets it', () => {
  it('reads characters and attributes back from the text view', () => {
    const rig = textMode();
    writeText(rig, 0, 0, 'Hello, world', 0x1f);
    writeText(rig, 70, 24, 'bottom', 0x4e);
    setCursor(rig, 80 * 3 + 5);
    rig.console.hardware?.textUpdate();
    const grid = rig.console.textGrid;
    expect([grid.cols, grid.rows]).toEqual([80, 25]);
    expect(rig.console.textRow(0).trimEnd()).toBe('Hello, world');
    expect(rig.console.textRow(24).trimEnd()).toBe(`${' '.repeat(70)}bottom`);
    expect(grid.cells[0] >> 8).toBe(0x1f);
    expect(grid.cells[24 * 80 + 70] >> 8).toBe(0x4e);
    expect(grid.cells[100]).toBe(0x0720); // cleared by the mode set
    expect(rig.console.cursor).toEqual({ x: 5, y: 3 });
    expect(grid.blinkAttribute).toBe(true);
  });

  it('draws 9x16 cells with the font from plane 2 in the attribute colours', () => {
    const rig = textMode();
    writeText(rig, 0, 0, 'H', 0x1f);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([720, 400]);
    // The test font: even rows are the character code, odd rows its complement.
    expect(cellRow(rig, 0, 0, 0, WHITE)).toBe('.#..#....'); // 0x48, 9th column background
    expect(cellRow(rig, 0, 0, 1, WHITE)).toBe('#.##.###.');
    expect(rig.console.rgb(0, 0)).toEqual(BLUE);
    expect(rig.console.rgb(9 + 1, 0)).toEqual(BLACK); // a blank cell: attribute 0x07, space
  });

  it('repeats the 8th column in the 9th for the line-drawing characters 0xc0-0xdf only', () => {
    const rig = textMode();
    writeText(rig, 0, 0, '\u00c5E', 0x07);
    rig.update();
    expect(cellRow(rig, 0, 0, 0, LIGHT_GREY)).toBe('##...#.##'); // 0xc5
    expect(cellRow(rig, 1, 0, 0, LIGHT_GREY)).toBe('.#...#.#.'); // 0x45: 9th stays blank
  });

  it('redraws only the cells that changed', () => {
    const rig = textMode();
    writeText(rig, 0, 0, 'abc', 0x07);
    expect(rig.update()).toBe(80 * 25);
    expect(rig.update()).toBe(0);
    writeText(rig, 10, 12, 'X', 0x07);
    expect(rig.update()).toBe(1);
    expect(rig.console.updates).toContainEqual({ x: 90, y: 192, w: 9, h: 16 });
  });

  it('draws the cursor in the foreground colour over its scan lines, and blinks it', () => {
    const rig = textMode();
    writeText(rig, 2, 1, ' ', 0x1e);
    setCursor(rig, 80 + 2, 0x0e, 0x0f);
    rig.update();
    expect(cellRow(rig, 2, 1, 13, [0xff, 0xff, 0x55])).toBe('.........');
    expect(cellRow(rig, 2, 1, 14, [0xff, 0xff, 0x55])).toBe('#########');
    expect(cellRow(rig, 2, 1, 15, [0xff, 0xff, 0x55])).toBe('#########');
    rig.time.advance(300e6); // past the blink period: the cursor is off
    expect(rig.update()).toBe(1);
    expect(cellRow(rig, 2, 1, 14, [0xff, 0xff, 0x55])).toBe('.........');
    // Moving the cursor redraws the cell it left and the one it reached.
    rig.time.advance(300e6);
    setCursor(rig, 80 + 3, 0x0e, 0x0f);
    expect(rig.update()).toBe(2);
    // Cursor off (CR0A bit 5): nothing drawn.
    setCursor(rig, 80 + 3, 0x2e, 0x0f);
    rig.update();
    expect(cellRow(rig, 3, 1, 14, WHITE)).toBe('.........');
  });

  it('blinks characters whose attribute has bit 7 while blinking is enabled', () => {
    const rig = textMode();
    writeText(rig, 0, 0, '\u00db ', 0x8f); // a full block, blinking white on black
    rig.update();
    expect(rig.console.rgb(0, 0)).toEqual(WHITE);
    rig.time.advance(600e6); // the text blink phase turns
    expect(rig.update()).toBeGreaterThanOrEqual(1);
    expect(rig.console.rgb(0, 0)).toEqual(BLACK);
    // With AR10 bit 3 clear, bit 7 means a bright background instead.
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x30); // index 0x10, screen on
    rig.outb(0x3c0, 0x04);
    rig.update();
    expect(rig.console.rgb(0, 0)).toEqual(WHITE);
    expect(rig.console.rgb(9, 0)).toEqual([0x55, 0x55, 0x55]); // the blank next to it: dark grey
  });

  it('underlines attribute 0x01 at the CRTC underline row in monochrome emulation', () => {
    const rig = textMode();
    writeText(rig, 0, 0, '  ', 0x01);
    setCursor(rig, 500); // out of the way
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x30);
    rig.outb(0x3c0, 0x0e); // mode control: monochrome emulation on
    rig.outw(0x3d4, 0x0f14); // underline location: row 15
    rig.update();
    expect(cellRow(rig, 0, 0, 15, BLUE)).toBe('#########');
    expect(cellRow(rig, 0, 0, 14, BLUE)).toBe('.........');
  });

  it('takes new glyphs when plane 2 is rewritten', () => {
    const rig = textMode();
    writeText(rig, 0, 0, 'A', 0x07);
    rig.update();
    expect(cellRow(rig, 0, 0, 0, LIGHT_GREY)).toBe('.#.....#.');
    const font = testFont();
    font[0x41 * 16] = 0xff;
    setStdVgaMode(rig, 0x03, font); // reloads the font (and clears the screen)
    writeText(rig, 0, 0, 'A', 0x07);
    rig.update();
    expect(cellRow(rig, 0, 0, 0, LIGHT_GREY)).toBe('########.');
  });

  it('follows the CRTC: 40 columns, 8-line characters (80x50), start address', () => {
    const rig = textMode(0x01);
    rig.console.hardware?.textUpdate();
    expect([rig.console.textGrid.cols, rig.console.textGrid.rows]).toEqual([40, 25]);
    rig.update();
    expect([rig.console.surface.width, rig.console.surface.height]).toEqual([640, 400]);

    const r2 = textMode();
    r2.outw(0x3d4, 0x4709); // maximum scan line 7: 8-line characters
    r2.console.hardware?.textUpdate();
    expect([r2.console.textGrid.cols, r2.console.textGrid.rows]).toEqual([80, 50]);
    r2.update();
    expect(r2.console.surface.height).toBe(400);
    // The start address scrolls: start at character 80 shows row 1 first.
    writeText(r2, 0, 1, 'second', 0x07);
    r2.outw(0x3d4, 0x500d);
    r2.console.hardware?.textUpdate();
    expect(r2.console.textRow(0).trimEnd()).toBe('second');
  });

  it('shows a message in the text view for graphics and blanked screens', () => {
    const rig = textMode();
    setStdVgaMode(rig, 0x12);
    rig.console.hardware?.textUpdate();
    expect([rig.console.textGrid.cols, rig.console.textGrid.rows]).toEqual([60, 3]);
    expect(rig.console.textRow(1).trim()).toBe('640 x 480 Graphic mode');
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x00); // palette address source off: the screen blanks
    rig.console.hardware?.textUpdate();
    expect(rig.console.textRow(1).trim()).toBe('VGA Blank mode');
    rig.update();
    expect(rig.console.rgb(10, 10)).toEqual(BLACK);
  });
});
