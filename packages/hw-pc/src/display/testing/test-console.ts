import type {
  GraphicHardware,
  HardwareConsolePort,
  PixelSurface,
  TextCells,
} from '../console-port.js';

/** A console for device tests: an RGBA surface, a text grid, and a record of updates. */
export class TestConsole implements HardwareConsolePort {
  surface: PixelSurface = { width: 0, height: 0, pixels: new Uint32Array(0) };
  textGrid: TextCells = { cols: 0, rows: 0, cells: new Uint16Array(0), blinkAttribute: true };
  cursor = { x: -1, y: -1 };
  hardware: GraphicHardware | undefined;
  /** Rectangles reported with gfxUpdate since the last `takeUpdates`. */
  updates: { x: number; y: number; w: number; h: number }[] = [];
  textUpdates: { x: number; y: number; w: number; h: number }[] = [];
  resizes = 0;

  setHardware(ops: GraphicHardware): void {
    this.hardware = ops;
  }

  resize(width: number, height: number): void {
    this.surface = { width, height, pixels: new Uint32Array(width * height) };
    this.resizes++;
  }

  gfxUpdate(x: number, y: number, w: number, h: number): void {
    this.updates.push({ x, y, w, h });
  }

  textResize(cols: number, rows: number): void {
    this.textGrid = { cols, rows, cells: new Uint16Array(cols * rows), blinkAttribute: true };
  }

  textCursor(x: number, y: number): void {
    this.cursor = { x, y };
  }

  textUpdate(x: number, y: number, w: number, h: number): void {
    this.textUpdates.push({ x, y, w, h });
  }

  /** Lines covered by the updates since the last call. */
  takeUpdatedLines(): number {
    const lines = this.updates.reduce((n, u) => n + u.h, 0);
    this.updates = [];
    return lines;
  }

  /** Pixel (x, y) as [r, g, b]. */
  rgb(x: number, y: number): [number, number, number] {
    const p = this.surface.pixels[y * this.surface.width + x];
    return [p & 0xff, (p >>> 8) & 0xff, (p >>> 16) & 0xff];
  }

  /** Text row `y` of the grid as a string (ASCII only; others as '?'). */
  textRow(y: number): string {
    let s = '';
    for (let x = 0; x < this.textGrid.cols; x++) {
      const ch = this.textGrid.cells[y * this.textGrid.cols + x] & 0xff;
      s += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : ch === 0 ? ' ' : '?';
    }
    return s;
  }
}
