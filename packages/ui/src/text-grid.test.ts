import { describe, expect, it } from 'vitest';
import { CP437_TO_UNICODE, cp437ToUnicode, unicodeToCp437 } from './cp437.js';
import { TextGrid } from './text-grid.js';

describe('CP437', () => {
  it('has 256 single characters and round-trips', () => {
    expect(CP437_TO_UNICODE).toHaveLength(256);
    expect(new Set(CP437_TO_UNICODE.slice(1)).size).toBe(255);
    expect(cp437ToUnicode(0x41)).toBe('A');
    expect(cp437ToUnicode(0xc9)).toBe('╔');
    expect(cp437ToUnicode(0xdb)).toBe('█');
    expect(cp437ToUnicode(0x01)).toBe('☺');
    expect(unicodeToCp437('═')).toBe(0xcd);
    expect(unicodeToCp437(' ')).toBe(0x20);
    expect(unicodeToCp437('€')).toBeUndefined();
  });
});

describe('TextGrid', () => {
  it('starts as blanks in light grey on black and reads back as text', () => {
    const grid = new TextGrid(10, 2);
    expect(grid.attribute(0, 0)).toBe(0x07);
    grid.setCell(0, 1, 0xc9, 0x1f);
    grid.setCell(1, 1, 0x48, 0x1f);
    expect(grid.text()).toBe('\n╔H');
    expect(grid.rowText(1)).toBe('╔H        ');
    expect(grid.attribute(1, 1)).toBe(0x1f);
  });

  it('resizes to blanks with the cursor hidden and checks coordinates', () => {
    const grid = new TextGrid(4, 4);
    grid.cursorX = 1;
    grid.resize(3, 2);
    expect([grid.cols, grid.rows, grid.cursorX]).toEqual([3, 2, -1]);
    expect(() => grid.char(3, 0)).toThrow(/outside/);
    expect(() => grid.resize(-1, 2)).toThrow(/cols/);
  });
});
