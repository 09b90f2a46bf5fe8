/**
 * Shows a {@link TextGrid} on an ANSI terminal, writing only the cells that changed since
 * the last frame (what curses does for QEMU's `-display curses`).
 *
 * It remembers what the terminal shows; `render` compares the grid with it and returns the
 * escape sequences that bring the terminal up to date: a cursor move before each run of
 * changed cells, a colour change only where the attribute differs, the characters as
 * Unicode (CP437 decoded), then the cursor's place and visibility.
 */
import { cp437ToUnicode } from '../../cp437.js';
import type { TextGrid } from '../../text-grid.js';
import { attributeSgr } from './vga-ansi.js';

/** Moves the terminal cursor to column x, row y (0-based). */
export function cursorPosition(x: number, y: number): string {
  return `\x1b[${y + 1};${x + 1}H`;
}

export const SGR_RESET = '\x1b[0m';
export const CLEAR_SCREEN = '\x1b[2J';
export const SHOW_CURSOR = '\x1b[?25h';
export const HIDE_CURSOR = '\x1b[?25l';

/** What a cell shows: char, attribute and blink mode, plus 1 so that 0 means "unknown". */
function cellKey(cell: number, blinkAttribute: boolean): number {
  return (cell | (blinkAttribute ? 0x10000 : 0)) + 1;
}

/** The character to print for a CP437 code: blanks for NUL and the no-break space. */
function printable(code: number): string {
  return code === 0 || code === 0xff ? ' ' : cp437ToUnicode(code);
}

export class AnsiTextRenderer {
  /** Per terminal cell (terminal width x height), what it shows, or 0 when unknown. */
  private shown = new Uint32Array(0);
  private shownCols = -1;
  private shownRows = -1;
  private cursor = { x: -2, y: -2 };
  /** Cells written by the last `render` call (for tests and statistics). */
  cellsWritten = 0;

  /**
   * @param columns the terminal's width; cells beyond it are not shown
   * @param rows the terminal's height
   */
  constructor(
    private columns = 80,
    private rows = 25,
  ) {}

  /** The terminal changed size: the next render repaints everything. */
  setTerminalSize(columns: number, rows: number): void {
    this.columns = Math.max(0, Math.floor(columns));
    this.rows = Math.max(0, Math.floor(rows));
    this.invalidate();
  }

  /** Forget what the terminal shows: the next render repaints everything. */
  invalidate(): void {
    this.shownCols = -1;
    this.shownRows = -1;
  }

  /** The escape sequences that make the terminal show `grid`; '' when nothing changed. */
  render(grid: TextGrid): string {
    const cols = Math.min(grid.cols, this.columns);
    const rows = Math.min(grid.rows, this.rows);
    let out = '';
    if (cols !== this.shownCols || rows !== this.shownRows) {
      this.shown = new Uint32Array(this.columns * this.rows);
      this.shownCols = cols;
      this.shownRows = rows;
      this.cursor = { x: -2, y: -2 };
      out += SGR_RESET + CLEAR_SCREEN;
    }
    let written = 0;
    let currentAttr = -1;
    for (let y = 0; y < rows; y++) {
      // Where the terminal cursor is after the last character written in this row.
      let nextX = -1;
      for (let x = 0; x < cols; x++) {
        const cell = grid.cells[y * grid.cols + x];
        const key = cellKey(cell, grid.blinkAttribute);
        const slot = y * this.columns + x;
        if (this.shown[slot] === key) continue;
        this.shown[slot] = key;
        if (x !== nextX) out += cursorPosition(x, y);
        const attr = cell >> 8;
        if (attr !== currentAttr) {
          out += attributeSgr(attr, grid.blinkAttribute);
          currentAttr = attr;
        }
        out += printable(cell & 0xff);
        nextX = x + 1;
        written++;
      }
    }
    this.cellsWritten = written;

    const visible =
      grid.cursorX >= 0 && grid.cursorX < cols && grid.cursorY >= 0 && grid.cursorY < rows;
    const cx = visible ? grid.cursorX : -1;
    const cy = visible ? grid.cursorY : -1;
    if (written > 0 || cx !== this.cursor.x || cy !== this.cursor.y) {
      if (written > 0) out += SGR_RESET;
      out += visible ? cursorPosition(cx, cy) + SHOW_CURSOR : HIDE_CURSOR;
      this.cursor = { x: cx, y: cy };
    }
    return out;
  }
}
