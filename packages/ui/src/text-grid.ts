/**
 * TextGrid: a text console's characters (QEMU's console_ch_t array).
 *
 * A text-mode display device (the VGA in text mode) keeps one of these up to date besides
 * its pixels, so that a terminal display can show the screen as text and a test can read
 * it. A cell holds a CP437 character code and a PC text attribute byte: foreground colour in
 * bits 0-3, background in bits 4-6, and bit 7 either blink or a bright background, as
 * {@link TextGrid.blinkAttribute} says. Colours are the 16 of the PC's text palette.
 */
import { cp437ToUnicode } from './cp437.js';

/** Largest number of columns or rows a grid may have. */
export const TEXT_GRID_MAX_DIMENSION = 1024;

export class TextGrid {
  /** One cell per element: `char | attribute << 8`, row after row. */
  cells: Uint16Array;
  /** Cursor column and row; -1 when the cursor is hidden or off the grid. */
  cursorX = -1;
  cursorY = -1;
  /** True when attribute bit 7 means blinking text; false when it is the background's bright bit. */
  blinkAttribute = true;

  constructor(
    public cols = 80,
    public rows = 25,
  ) {
    TextGrid.checkSize(cols, rows);
    this.cells = new Uint16Array(cols * rows).fill(0x0720);
  }

  private static checkSize(cols: number, rows: number): void {
    for (const [name, value] of [
      ['cols', cols],
      ['rows', rows],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > TEXT_GRID_MAX_DIMENSION) {
        throw new Error(
          `TextGrid: ${name} must be an integer from 0 to ${TEXT_GRID_MAX_DIMENSION}, got ${value}`,
        );
      }
    }
  }

  /** Changes the size; the contents become blanks (light grey on black) and the cursor hides. */
  resize(cols: number, rows: number): void {
    TextGrid.checkSize(cols, rows);
    this.cols = cols;
    this.rows = rows;
    this.cells = new Uint16Array(cols * rows).fill(0x0720);
    this.cursorX = -1;
    this.cursorY = -1;
  }

  /** The CP437 code at (x, y). */
  char(x: number, y: number): number {
    return this.cells[this.index(x, y)] & 0xff;
  }

  /** The attribute byte at (x, y). */
  attribute(x: number, y: number): number {
    return this.cells[this.index(x, y)] >> 8;
  }

  /** Sets the cell at (x, y). */
  setCell(x: number, y: number, char: number, attribute: number): void {
    this.cells[this.index(x, y)] = (char & 0xff) | ((attribute & 0xff) << 8);
  }

  /** Row `y` as Unicode text (CP437 decoded), trailing blanks kept. */
  rowText(y: number): string {
    let text = '';
    for (let x = 0; x < this.cols; x++) text += cp437ToUnicode(this.char(x, y));
    return text;
  }

  /** The whole screen as Unicode text, one line per row, trailing blanks removed. */
  text(): string {
    const lines: string[] = [];
    for (let y = 0; y < this.rows; y++) lines.push(this.rowText(y).trimEnd());
    return lines.join('\n');
  }

  private index(x: number, y: number): number {
    if (
      !Number.isInteger(x) ||
      !Number.isInteger(y) ||
      x < 0 ||
      y < 0 ||
      x >= this.cols ||
      y >= this.rows
    ) {
      throw new RangeError(`TextGrid: (${x}, ${y}) is outside ${this.cols}x${this.rows}`);
    }
    return y * this.cols + x;
  }
}
