/**
 * What a display device draws into: the part of a display console it uses (QEMU's
 * QemuConsole as seen from hw/display). `@tsemu/ui`'s `DisplayConsole` has exactly this
 * shape; a device model depends on the shape, not on the package, so it can be used (and
 * tested) with any console that has it.
 */

/** An RGBA picture: `pixels[y * width + x]`, each pixel's bytes R, G, B, A in memory. */
export interface PixelSurface {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint32Array;
}

/** A text screen: one cell per element, `char | attribute << 8`, row after row. */
export interface TextCells {
  readonly cols: number;
  readonly rows: number;
  readonly cells: Uint16Array;
  /** Attribute bit 7 means blink (true) or bright background (false). */
  blinkAttribute: boolean;
}

export interface ConsolePort {
  /** The surface to draw into; replaced by `resize`. */
  readonly surface: PixelSurface;
  /** Give the surface a new size (a no-op when it already has it). */
  resize(width: number, height: number): unknown;
  /** Pixels of the rectangle changed. */
  gfxUpdate(x: number, y: number, w: number, h: number): void;
  /** The text screen; `textResize` gives it a new size (and may replace the object). */
  readonly textGrid: TextCells;
  textResize(cols: number, rows: number): void;
  /** The cursor's cell, or (-1, -1) when it is hidden. */
  textCursor(x: number, y: number): void;
  /** Cells of the rectangle changed. */
  textUpdate(x: number, y: number, w: number, h: number): void;
}

/** The device's side of a console (QEMU's GraphicHwOps), as `@tsemu/ui`'s `setHardware` takes it. */
export interface GraphicHardware {
  gfxUpdate(): void;
  textUpdate(): void;
  invalidate(): void;
}

/** A console that a device can register itself with (`@tsemu/ui`'s DisplayConsole). */
export interface HardwareConsolePort extends ConsolePort {
  setHardware(ops: GraphicHardware): void;
}
