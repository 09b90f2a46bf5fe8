/**
 * DisplayConsole: what joins a display device to the displays showing it (QEMU's
 * QemuConsole, ui/console.c).
 *
 * The device side (a VGA) registers {@link GraphicHwOps} and, when asked to update, draws
 * into {@link DisplayConsole.surface} and fills {@link DisplayConsole.textGrid}, reporting
 * what changed with `gfxUpdate` / `textUpdate`. The display side (a window, a terminal, a
 * screendump) adds a {@link DisplayChangeListener} and hears about those changes; on each
 * refresh tick a listener asks the device for the kind of update it needs, graphics or text.
 */
import { DisplaySurface } from './surface.js';
import { TextGrid } from './text-grid.js';

/** The device's side (QEMU's GraphicHwOps). Each hook is optional. */
export interface GraphicHwOps {
  /** Bring the surface up to date: redraw what changed since the last update. */
  gfxUpdate?(): void;
  /** Bring the text grid up to date (text modes; a message otherwise). */
  textUpdate?(): void;
  /** Make the next update redraw everything. */
  invalidate?(): void;
}

/** A display's side (QEMU's DisplayChangeListener). Each hook is optional. */
export interface DisplayChangeListener {
  /** A refresh tick: ask the console for the update this display needs. */
  refresh?(console: DisplayConsole): void;
  /** Pixels of the rectangle changed. */
  gfxUpdate?(x: number, y: number, w: number, h: number): void;
  /** The surface was replaced (a new size). */
  gfxSwitch?(surface: DisplaySurface): void;
  /** The text grid changed size. */
  textResize?(cols: number, rows: number): void;
  /** The text cursor moved (-1, -1: hidden). */
  textCursor?(x: number, y: number): void;
  /** Cells of the rectangle changed. */
  textUpdate?(x: number, y: number, w: number, h: number): void;
}

/** A rectangle of changed pixels or cells. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function unionRect(a: Rect | undefined, x: number, y: number, w: number, h: number): Rect {
  if (a === undefined) return { x, y, w, h };
  const x0 = Math.min(a.x, x);
  const y0 = Math.min(a.y, y);
  const x1 = Math.max(a.x + a.w, x + w);
  const y1 = Math.max(a.y + a.h, y + h);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export class DisplayConsole {
  surface: DisplaySurface;
  readonly textGrid = new TextGrid();
  private hw: GraphicHwOps = {};
  private readonly listeners: DisplayChangeListener[] = [];
  private damage: Rect | undefined;

  /**
   * @example
   * const console = new DisplayConsole('vga');
   * console.setHardware({ gfxUpdate: () => vga.updateDisplay() });
   * console.updateGraphics(); // the VGA redraws what changed into console.surface
   */
  constructor(
    readonly name = 'console',
    width = 640,
    height = 480,
  ) {
    this.surface = new DisplaySurface(width, height);
  }

  // ---- the device's side ---------------------------------------------------------------

  /** Registers the device that draws this console (QEMU's graphic_console_init). */
  setHardware(ops: GraphicHwOps): void {
    this.hw = ops;
  }

  /**
   * Gives the surface a new size (QEMU's qemu_console_resize): a new black surface if the
   * size changed, else the same one. Listeners hear `gfxSwitch`.
   */
  resize(width: number, height: number): DisplaySurface {
    if (width === this.surface.width && height === this.surface.height) return this.surface;
    this.surface = new DisplaySurface(width, height);
    this.damage = undefined;
    for (const l of this.listeners) l.gfxSwitch?.(this.surface);
    return this.surface;
  }

  /** Pixels of the rectangle changed (QEMU's dpy_gfx_update). */
  gfxUpdate(x: number, y: number, w: number, h: number): void {
    if (w <= 0 || h <= 0) return;
    this.damage = unionRect(this.damage, x, y, w, h);
    for (const l of this.listeners) l.gfxUpdate?.(x, y, w, h);
  }

  /** The text grid's new size (QEMU's dpy_text_resize); its cells become blanks. */
  textResize(cols: number, rows: number): void {
    if (cols === this.textGrid.cols && rows === this.textGrid.rows) return;
    this.textGrid.resize(cols, rows);
    for (const l of this.listeners) l.textResize?.(cols, rows);
  }

  /** The text cursor's cell, or (-1, -1) when hidden (QEMU's dpy_text_cursor). */
  textCursor(x: number, y: number): void {
    const grid = this.textGrid;
    const inside = x >= 0 && y >= 0 && x < grid.cols && y < grid.rows;
    grid.cursorX = inside ? x : -1;
    grid.cursorY = inside ? y : -1;
    for (const l of this.listeners) l.textCursor?.(grid.cursorX, grid.cursorY);
  }

  /** Cells of the rectangle changed (QEMU's dpy_text_update). */
  textUpdate(x: number, y: number, w: number, h: number): void {
    if (w <= 0 || h <= 0) return;
    for (const l of this.listeners) l.textUpdate?.(x, y, w, h);
  }

  // ---- the displays' side --------------------------------------------------------------

  addListener(listener: DisplayChangeListener): void {
    if (this.listeners.includes(listener)) {
      throw new Error(`console '${this.name}': listener added twice`);
    }
    this.listeners.push(listener);
  }

  removeListener(listener: DisplayChangeListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  /** Asks the device to redraw what changed into the surface (QEMU's graphic_hw_update). */
  updateGraphics(): void {
    this.hw.gfxUpdate?.();
  }

  /** Asks the device to bring the text grid up to date (QEMU's graphic_hw_text_update). */
  updateText(): void {
    this.hw.textUpdate?.();
  }

  /** Makes the device redraw everything on its next update (QEMU's graphic_hw_invalidate). */
  invalidate(): void {
    this.hw.invalidate?.();
  }

  /** A refresh tick: each listener asks for the update it needs (QEMU's dpy_refresh). */
  refresh(): void {
    for (const l of this.listeners) l.refresh?.(this);
  }

  /** The union of the pixels changed since the last call, or undefined if none changed. */
  takeDamage(): Rect | undefined {
    const d = this.damage;
    this.damage = undefined;
    return d;
  }
}
