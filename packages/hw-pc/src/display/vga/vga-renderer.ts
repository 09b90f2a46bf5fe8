/**
 * Draws what the VGA's registers and video memory describe (QEMU's vga_update_display and
 * vga_update_text): text modes with the font from plane 2, 16-colour planar and CGA modes,
 * 256-colour modes and the VBE linear modes, into a console's RGBA surface, and the text
 * screen into the console's character grid.
 *
 * Only what changed is redrawn. In graphics modes a scanline is redrawn when a page of
 * video memory it shows is dirty in the VGA dirty log, and everything is redrawn when the
 * mode, the geometry or the palette changed. In text modes a cell is redrawn when its
 * character or attribute changed, when it holds the cursor, or when it blinks.
 */
import type { DeviceClock } from '../../device-env.js';
import type { ConsolePort } from '../console-port.js';
import { VBE_DISPI_INDEX_XRES, VBE_DISPI_INDEX_YRES } from './vbe-regs.js';
import type { VgaCore } from './vga-core.js';
import {
  dac6to8,
  drawLine8,
  drawLine16,
  drawLine24,
  drawLine32,
  drawLineCga,
  drawLinePlanar,
  type LineSource,
  rgba,
} from './vga-draw.js';
import {
  VGA_AR_ENABLE_DISPLAY,
  VGA_AR10_BLINK,
  VGA_AR10_LINE_GRAPHICS,
  VGA_AR10_MONO,
  VGA_AR10_PALETTE_BITS_54,
  VGA_ATC_COLOR_PAGE,
  VGA_ATC_MODE,
  VGA_ATC_PLANE_ENABLE,
  VGA_CR0A_CURSOR_OFF,
  VGA_CRTC_CURSOR_END,
  VGA_CRTC_CURSOR_HI,
  VGA_CRTC_CURSOR_LO,
  VGA_CRTC_CURSOR_START,
  VGA_CRTC_H_DISP,
  VGA_CRTC_LINE_COMPARE,
  VGA_CRTC_MAX_SCAN,
  VGA_CRTC_MODE,
  VGA_CRTC_OFFSET,
  VGA_CRTC_OVERFLOW,
  VGA_CRTC_START_HI,
  VGA_CRTC_START_LO,
  VGA_CRTC_UNDERLINE,
  VGA_CRTC_V_DISP_END,
  VGA_CRTC_V_TOTAL,
  VGA_GFX_MISC,
  VGA_GFX_MODE,
  VGA_GR06_GRAPHICS_MODE,
  VGA_SEQ_CHARACTER_MAP,
  VGA_SEQ_CLOCK_MODE,
  VGA_SR01_CHAR_CLK_8DOTS,
  VGA_SR01_DOT_CLOCK_DIV2,
  VGA_SR01_SCREEN_OFF,
} from './vga-regs.js';

/** The dirty log of video memory for the VGA client (a "vga.vram" RAM region's). */
export interface VramDirtyLog {
  isDirty(offset: number, size: number): boolean;
  clearDirty(offset: number, size: number): void;
}

export interface VgaRendererOptions {
  console: ConsolePort;
  dirty: VramDirtyLog;
  /** The virtual clock, for the cursor and text blinking; without it nothing blinks. */
  clock?: DeviceClock;
}

/** Counts of the last update, for tests and benchmarks. */
export interface RenderStats {
  /** Scanlines converted (graphics modes). */
  linesDrawn: number;
  /** Character cells drawn (text modes). */
  cellsDrawn: number;
  /** Whether the update redrew everything. */
  fullUpdate: boolean;
}

const enum GraphicMode {
  Unknown = -1,
  Text = 0,
  Graphic = 1,
  Blank = 2,
}

/** The cursor blinks every 16 frames at 60 Hz; blinking text at half that rate. */
const CURSOR_BLINK_NS = (16 * 1e9) / 60;
const TEXT_BLINK_NS = 2 * CURSOR_BLINK_NS;

/** Most cells a text mode may have (QEMU's CH_ATTR_SIZE: 160 x 100). */
const MAX_TEXT_CELLS = 160 * 100;

/** Largest picture drawn (a 16000-pixel-wide VBE mode fits; a guest cannot make us allocate more). */
const MAX_SURFACE_PIXELS = 16384 * 4096;

/** Plane-2 offset of each of the 8 font maps (SR3's 3-bit map numbers). */
const FONT_MAP_OFFSETS = [0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000];

/** The message grid shown by a text display when the VGA is not in a text mode. */
const MESSAGE_COLS = 60;
const MESSAGE_ROWS = 3;

export class VgaRenderer {
  readonly stats: RenderStats = { linesDrawn: 0, cellsDrawn: 0, fullUpdate: false };
  private readonly console: ConsolePort;
  private readonly dirty: VramDirtyLog;
  private readonly clock: DeviceClock | undefined;
  private readonly src: LineSource;

  private graphicMode = GraphicMode.Unknown;
  private forceFull = true;
  /** Converted palettes as last drawn. */
  private readonly palette16 = new Uint32Array(16);
  private readonly palette256 = new Uint32Array(256);
  /** Geometry of the last frame; a change redraws everything. */
  private last = {
    width: -1,
    height: -1,
    lineOffset: -1,
    startAddr: -1,
    lineCompare: -1,
    shift: -1,
    depth: -1,
    doubleScan: -1,
    cellWidth: -1,
    cellHeight: -1,
    fontA: -1,
    fontB: -1,
    textFlags: -1,
  };
  /** Per text cell, `char | attr << 8` as drawn, or -1. */
  private drawnCells = new Int32Array(0);
  private cursor = { offset: -1, start: -1, end: -1 };
  private cursorOn = true;
  private blinkOn = true;
  /** The text grid's cursor as last reported. */
  private textCursor = { x: -2, y: -2 };
  private textMessage = '';

  constructor(
    private readonly core: VgaCore,
    options: VgaRendererOptions,
  ) {
    this.console = options.console;
    this.dirty = options.dirty;
    this.clock = options.clock;
    this.src = { vram: core.vram, vram32: core.vram32, mask: core.vramMask };
  }

  /** Redraw everything on the next update (QEMU's vga_invalidate_display). */
  invalidate(): void {
    this.forceFull = true;
    this.textMessage = '';
  }

  private currentMode(): GraphicMode {
    const s = this.core.s;
    if (!(s.arIndex & VGA_AR_ENABLE_DISPLAY) || s.sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_SCREEN_OFF) {
      return GraphicMode.Blank;
    }
    if (this.core.vbeEnabled || s.gr[VGA_GFX_MISC] & VGA_GR06_GRAPHICS_MODE)
      return GraphicMode.Graphic;
    return GraphicMode.Text;
  }

  /** Brings the console's surface up to date (QEMU's vga_update_display). */
  updateDisplay(): void {
    this.stats.linesDrawn = 0;
    this.stats.cellsDrawn = 0;
    let full = this.forceFull;
    this.forceFull = false;
    const mode = this.currentMode();
    if (mode !== this.graphicMode) {
      this.graphicMode = mode;
      full = true;
    }
    this.stats.fullUpdate = full;
    if (mode === GraphicMode.Text) this.drawText(full);
    else if (mode === GraphicMode.Graphic) this.drawGraphic(full);
    else this.drawBlank(full);
  }

  // ---- palettes -------------------------------------------------------------------------

  private dacColor(index: number): number {
    const s = this.core.s;
    const p = s.palette;
    const i = (index & s.pelMask) * 3;
    if (s.dac8bit) return rgba(p[i], p[i + 1], p[i + 2]);
    return rgba(dac6to8(p[i]), dac6to8(p[i + 1]), dac6to8(p[i + 2]));
  }

  /**
   * The 16 colours of the attribute controller's palette, with the colour plane enable
   * applied (a pixel's disabled plane bits count as 0); true if any changed.
   */
  private updatePalette16(): boolean {
    const ar = this.core.s.ar;
    const planeMask = ar[VGA_ATC_PLANE_ENABLE] & 0x0f;
    let changed = false;
    for (let i = 0; i < 16; i++) {
      let v = ar[i & planeMask];
      if (ar[VGA_ATC_MODE] & VGA_AR10_PALETTE_BITS_54) {
        v = ((ar[VGA_ATC_COLOR_PAGE] & 0x0f) << 4) | (v & 0x0f);
      } else {
        v = ((ar[VGA_ATC_COLOR_PAGE] & 0x0c) << 4) | (v & 0x3f);
      }
      const color = this.dacColor(v);
      if (color !== this.palette16[i]) {
        this.palette16[i] = color;
        changed = true;
      }
    }
    return changed;
  }

  private updatePalette256(): boolean {
    let changed = false;
    for (let i = 0; i < 256; i++) {
      const color = this.dacColor(i);
      if (color !== this.palette256[i]) {
        this.palette256[i] = color;
        changed = true;
      }
    }
    return changed;
  }

  // ---- geometry -------------------------------------------------------------------------

  /** Line offset (bytes), start address (4-byte units) and line compare (QEMU's vga_get_offsets). */
  private offsets(): { lineOffset: number; startAddr: number; lineCompare: number } {
    const s = this.core.s;
    if (this.core.vbeEnabled) {
      return { lineOffset: s.vbeLineOffset, startAddr: s.vbeStartAddr, lineCompare: 65535 };
    }
    const cr = s.cr;
    return {
      lineOffset: cr[VGA_CRTC_OFFSET] << 3,
      startAddr: (cr[VGA_CRTC_START_HI] << 8) | cr[VGA_CRTC_START_LO],
      lineCompare:
        cr[VGA_CRTC_LINE_COMPARE] |
        ((cr[VGA_CRTC_OVERFLOW] & 0x10) << 4) |
        ((cr[VGA_CRTC_MAX_SCAN] & 0x40) << 3),
    };
  }

  /** Vertical display end + 1: the number of scanlines shown. */
  private displayedLines(): number {
    const cr = this.core.s.cr;
    const vde =
      cr[VGA_CRTC_V_DISP_END] |
      ((cr[VGA_CRTC_OVERFLOW] & 0x02) << 7) |
      ((cr[VGA_CRTC_OVERFLOW] & 0x40) << 3);
    return vde + 1;
  }

  private resize(width: number, height: number): void {
    if (this.console.surface.width !== width || this.console.surface.height !== height) {
      this.console.resize(width, height);
    }
  }

  // ---- blank ----------------------------------------------------------------------------

  private drawBlank(full: boolean): void {
    if (!full) return;
    const surface = this.console.surface;
    surface.pixels.fill(rgba(0, 0, 0));
    this.console.gfxUpdate(0, 0, surface.width, surface.height);
  }

  // ---- text modes -----------------------------------------------------------------------

  private textGeometry(): { cols: number; rows: number; cellWidth: number; cellHeight: number } {
    const s = this.core.s;
    const cellHeight = (s.cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1;
    let cellWidth = s.sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS ? 8 : 9;
    // Dot clock halved (40 columns): each dot is drawn twice; like QEMU, 9-dot cells become 16.
    if (s.sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_DOT_CLOCK_DIV2) cellWidth = 16;
    const cols = s.cr[VGA_CRTC_H_DISP] + 1;
    // CGA's 160x100 16-colour trick: 100 rows of 2-line characters, told apart by CR6 = 100.
    const rows =
      s.cr[VGA_CRTC_V_TOTAL] === 100 ? 100 : Math.floor(this.displayedLines() / cellHeight);
    return { cols, rows, cellWidth, cellHeight };
  }

  /** Plane-2 byte offsets of font maps B (attribute bit 3 clear) and A (bit 3 set). */
  private fontOffsets(): [b: number, a: number] {
    const v = this.core.s.sr[VGA_SEQ_CHARACTER_MAP];
    const mapB = ((v >> 2) & 4) | (v & 3);
    const mapA = ((v >> 3) & 4) | ((v >> 2) & 3);
    return [FONT_MAP_OFFSETS[mapB], FONT_MAP_OFFSETS[mapA]];
  }

  private updateBlinkPhases(): boolean {
    if (!this.clock) return false;
    const now = this.clock.now();
    const cursorOn = Math.floor(now / CURSOR_BLINK_NS) % 2 === 0;
    const blinkOn = Math.floor(now / TEXT_BLINK_NS) % 2 === 0;
    const changed = cursorOn !== this.cursorOn || blinkOn !== this.blinkOn;
    this.cursorOn = cursorOn;
    this.blinkOn = blinkOn;
    return changed;
  }

  private drawText(full: boolean): void {
    const core = this.core;
    const s = core.s;
    const { cols, rows, cellWidth, cellHeight } = this.textGeometry();
    if (cols * rows <= 1 || cols * rows > MAX_TEXT_CELLS) return;
    const [fontB, fontA] = this.fontOffsets();
    const { lineOffset, startAddr, lineCompare } = this.offsets();
    const ar10 = s.ar[VGA_ATC_MODE];
    const textFlags = ar10 & (VGA_AR10_BLINK | VGA_AR10_LINE_GRAPHICS | VGA_AR10_MONO);
    const last = this.last;
    if (
      cols !== last.width ||
      rows !== last.height ||
      cellWidth !== last.cellWidth ||
      cellHeight !== last.cellHeight ||
      lineOffset !== last.lineOffset ||
      startAddr !== last.startAddr ||
      lineCompare !== last.lineCompare ||
      fontA !== last.fontA ||
      fontB !== last.fontB ||
      textFlags !== last.textFlags ||
      last.depth !== 0
    ) {
      Object.assign(last, {
        width: cols,
        height: rows,
        cellWidth,
        cellHeight,
        lineOffset,
        startAddr,
        lineCompare,
        fontA,
        fontB,
        textFlags,
        depth: 0,
      });
      full = true;
    }
    // Plane 2 written: the font may have changed.
    if (core.planeUpdated & 4) full = true;
    core.planeUpdated = 0;
    if (this.updatePalette16()) full = true;
    const blinkChanged = this.updateBlinkPhases();

    this.resize(cols * cellWidth, rows * cellHeight);
    if (full || this.drawnCells.length !== cols * rows) {
      this.drawnCells = new Int32Array(cols * rows).fill(-1);
      full = true;
    }
    this.stats.fullUpdate = this.stats.fullUpdate || full;

    const cr = s.cr;
    const cursorOffset = ((cr[VGA_CRTC_CURSOR_HI] << 8) | cr[VGA_CRTC_CURSOR_LO]) - startAddr;
    const cursorStart = cr[VGA_CRTC_CURSOR_START];
    const cursorEnd = cr[VGA_CRTC_CURSOR_END];
    const drawn = this.drawnCells;
    if (
      cursorOffset !== this.cursor.offset ||
      cursorStart !== this.cursor.start ||
      cursorEnd !== this.cursor.end
    ) {
      // The cursor moved or changed shape: redraw the cells it left and reached.
      if (this.cursor.offset >= 0 && this.cursor.offset < drawn.length)
        drawn[this.cursor.offset] = -1;
      if (cursorOffset >= 0 && cursorOffset < drawn.length) drawn[cursorOffset] = -1;
      this.cursor = { offset: cursorOffset, start: cursorStart, end: cursorEnd };
    }
    if (blinkChanged && cursorOffset >= 0 && cursorOffset < drawn.length) drawn[cursorOffset] = -1;
    const blinkAttribute = (ar10 & VGA_AR10_BLINK) !== 0;

    const surface = this.console.surface;
    const { vram, mask } = this.src;
    const stride = surface.width;
    let offset = startAddr * 4;
    let line = 0;
    for (let cy = 0; cy < rows; cy++) {
      let minX = cols;
      let maxX = -1;
      for (let cx = 0; cx < cols; cx++) {
        const i = cy * cols + cx;
        const a = (offset + cx * 4) & mask;
        const cell = vram[a] | (vram[(a + 1) & mask] << 8);
        const blinks = blinkAttribute && (cell & 0x8000) !== 0;
        if (cell === drawn[i] && !(blinkChanged && blinks)) continue;
        drawn[i] = cell;
        if (cx < minX) minX = cx;
        if (cx > maxX) maxX = cx;
        this.drawCell(surface.pixels, stride, cx * cellWidth, cy * cellHeight, cell, {
          cellWidth,
          cellHeight,
          fontBase: cell & 0x0800 ? fontA : fontB,
          blinkAttribute,
          lineGraphics: (ar10 & VGA_AR10_LINE_GRAPHICS) !== 0,
          underline: (ar10 & VGA_AR10_MONO) !== 0 ? cr[VGA_CRTC_UNDERLINE] & 0x1f : -1,
          cursor: i === cursorOffset && !(cursorStart & VGA_CR0A_CURSOR_OFF) && this.cursorOn,
          cursorStart: cursorStart & 0x1f,
          cursorEnd: cursorEnd & 0x1f,
        });
        this.stats.cellsDrawn++;
      }
      if (maxX >= 0) {
        this.console.gfxUpdate(
          minX * cellWidth,
          cy * cellHeight,
          (maxX - minX + 1) * cellWidth,
          cellHeight,
        );
      }
      // Rows advance by the CRTC offset; at the line compare the picture restarts at 0.
      const nextLine = line + cellHeight;
      offset += lineOffset;
      if (line < lineCompare && nextLine >= lineCompare) offset = 0;
      line = nextLine;
    }
  }

  private drawCell(
    pixels: Uint32Array,
    stride: number,
    x0: number,
    y0: number,
    cell: number,
    o: {
      cellWidth: number;
      cellHeight: number;
      fontBase: number;
      blinkAttribute: boolean;
      lineGraphics: boolean;
      underline: number;
      cursor: boolean;
      cursorStart: number;
      cursorEnd: number;
    },
  ): void {
    const { vram, mask } = this.src;
    const ch = cell & 0xff;
    const attr = cell >> 8;
    const bg = this.palette16[o.blinkAttribute ? (attr >> 4) & 7 : attr >> 4];
    let fg = this.palette16[attr & 0x0f];
    if (o.blinkAttribute && attr & 0x80 && !this.blinkOn) fg = bg;
    // Each glyph has 32 bytes in plane 2: row r of character c is at plane offset 32c + r.
    const glyph = o.fontBase + ch * 32;
    const repeatEighth = o.cellWidth === 9 && o.lineGraphics && ch >= 0xc0 && ch <= 0xdf;
    const underlined = o.underline >= 0 && (attr & 0x77) === 0x01;
    for (let r = 0; r < o.cellHeight; r++) {
      let bits = vram[((glyph + r) * 4 + 2) & mask];
      // The underline and the cursor cover the whole cell, 9th column included.
      const solid =
        (underlined && r === o.underline) || (o.cursor && r >= o.cursorStart && r <= o.cursorEnd);
      if (solid) bits = 0xff;
      let p = (y0 + r) * stride + x0;
      if (o.cellWidth === 16) {
        for (let b = 7; b >= 0; b--) {
          const c = (bits >> b) & 1 ? fg : bg;
          pixels[p++] = c;
          pixels[p++] = c;
        }
        continue;
      }
      for (let b = 7; b >= 0; b--) pixels[p++] = (bits >> b) & 1 ? fg : bg;
      if (o.cellWidth === 9) pixels[p] = solid || (repeatEighth && bits & 1) ? fg : bg;
    }
  }

  // ---- graphics modes -------------------------------------------------------------------

  private drawGraphic(full: boolean): void {
    const core = this.core;
    const s = core.s;
    const vbe = core.vbeEnabled;
    const { lineOffset, startAddr, lineCompare } = this.offsets();
    let width: number;
    let height: number;
    if (vbe) {
      width = s.vbeRegs[VBE_DISPI_INDEX_XRES];
      height = s.vbeRegs[VBE_DISPI_INDEX_YRES];
    } else {
      width = (s.cr[VGA_CRTC_H_DISP] + 1) * 8;
      height = this.displayedLines();
    }
    const depth = core.vbeBpp;
    // Graphics shift mode: 0 planar 16 colours, 1 CGA interleaved, 2+ 256 colours. A VBE mode
    // decides by its depth alone.
    const shift = vbe ? (depth === 4 ? 0 : 2) : (s.gr[VGA_GFX_MODE] >> 5) & 3;
    const maxScan = s.cr[VGA_CRTC_MAX_SCAN];
    const doubleScan = vbe ? 0 : maxScan >> 7;
    // Scanlines per step of the line counter. With CGA address substitution (CR17 bits 0-1
    // clear: modes 4-6) the counter is the row scan counter, whose low bits pick the bank,
    // so only double scanning repeats lines (QEMU does this for shift mode 1 only, which
    // shows mode 6 with half its lines).
    const cgaAddressing = !vbe && (s.cr[VGA_CRTC_MODE] & 3) !== 3;
    let multiScan: number;
    if (vbe) multiScan = 0;
    else if (shift === 1 || cgaAddressing) multiScan = doubleScan;
    else multiScan = (((maxScan & 0x1f) + 1) << doubleScan) - 1;
    const halfClock = !vbe && (s.sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_DOT_CLOCK_DIV2) !== 0;
    const dispWidth = shift <= 1 && halfClock ? width * 2 : width;

    const last = this.last;
    if (
      dispWidth !== last.width ||
      height !== last.height ||
      lineOffset !== last.lineOffset ||
      startAddr !== last.startAddr ||
      lineCompare !== last.lineCompare ||
      shift !== last.shift ||
      doubleScan !== last.doubleScan ||
      depth !== last.depth
    ) {
      Object.assign(last, {
        width: dispWidth,
        height,
        lineOffset,
        startAddr,
        lineCompare,
        shift,
        doubleScan,
        depth,
        cellWidth: -1,
        cellHeight: -1,
      });
      full = true;
    }
    if (dispWidth <= 0 || height <= 0 || dispWidth * height > MAX_SURFACE_PIXELS) return;
    this.resize(dispWidth, height);

    // Bits of video memory per displayed pixel, to know which bytes a scanline covers.
    let bits: number;
    const mode =
      shift === 0 ? 'planar' : shift === 1 ? 'cga' : depth === 0 ? 'vga256' : `vbe${depth}`;
    if (shift <= 1) {
      if (this.updatePalette16()) full = true;
      bits = 4;
    } else if (depth === 0 || depth === 8) {
      if (this.updatePalette256()) full = true;
      bits = depth === 0 ? 4 : 8;
    } else {
      bits = depth === 15 ? 16 : depth;
    }
    this.stats.fullUpdate = full;

    const surface = this.console.surface;
    const pixels = surface.pixels;
    const stride = surface.width;
    const crMode = s.cr[VGA_CRTC_MODE];
    const lineBytes = Math.ceil((width * bits) / 8);
    const vramSize = core.vramSize;
    let addr1 = startAddr * 4;
    let y1 = 0;
    let multiRun = multiScan;
    let yStart = -1;
    let dirtyMin = Number.POSITIVE_INFINITY;
    let dirtyMax = -1;
    for (let y = 0; y < height; y++) {
      let addr = addr1;
      if (!vbe) {
        // CGA compatibility: CRTC address bits 13 (and 14) come from the scanline counter.
        if (!(crMode & 1)) {
          const bit = 14 + ((crMode >> 6) & 1);
          addr = (addr & ~(1 << bit)) | ((y1 & 1) << bit);
        }
        if (!(crMode & 2)) addr = (addr & ~0x8000) | ((y1 & 2) << 14);
      }
      addr &= core.vramMask;
      const end = Math.min(addr + lineBytes, vramSize);
      // A line running past the end of video memory wraps to its start.
      const wrapped = addr + lineBytes - vramSize;
      let update = full || this.dirty.isDirty(addr, end - addr);
      if (wrapped > 0 && !update) update = this.dirty.isDirty(0, Math.min(wrapped, vramSize));
      if (update) {
        if (yStart < 0) yStart = y;
        if (addr < dirtyMin) dirtyMin = wrapped > 0 ? 0 : addr;
        if (end > dirtyMax) dirtyMax = end;
        this.drawLine(mode, addr, width, pixels, y * stride, halfClock);
        this.stats.linesDrawn++;
      } else if (yStart >= 0) {
        this.console.gfxUpdate(0, yStart, dispWidth, y - yStart);
        yStart = -1;
      }
      if (multiRun === 0) {
        const rowMask = (crMode & 3) ^ 3;
        if ((y1 & rowMask) === rowMask) addr1 += lineOffset;
        y1++;
        multiRun = multiScan;
      } else {
        multiRun--;
      }
      // Line compare acts on displayed lines: the rest of the picture starts at address 0.
      if (y === lineCompare) addr1 = 0;
    }
    if (yStart >= 0) this.console.gfxUpdate(0, yStart, dispWidth, height - yStart);
    if (dirtyMax > dirtyMin) this.dirty.clearDirty(dirtyMin, dirtyMax - dirtyMin);
  }

  private drawLine(
    mode: string,
    addr: number,
    width: number,
    out: Uint32Array,
    outStart: number,
    halfClock: boolean,
  ): void {
    const src = this.src;
    switch (mode) {
      case 'planar':
        drawLinePlanar(src, addr, width, out, outStart, this.palette16, halfClock);
        return;
      case 'cga':
        drawLineCga(src, addr, width, out, outStart, this.palette16, halfClock);
        return;
      case 'vga256':
        drawLine8(src, addr, width >> 1, out, outStart, this.palette256, true);
        return;
      case 'vbe8':
        drawLine8(src, addr, width, out, outStart, this.palette256, false);
        return;
      case 'vbe15':
      case 'vbe16':
        drawLine16(src, addr, width, out, outStart, mode === 'vbe15');
        return;
      case 'vbe24':
        drawLine24(src, addr, width, out, outStart);
        return;
      default:
        drawLine32(src, addr, width, out, outStart);
    }
  }

  // ---- text view ------------------------------------------------------------------------

  /**
   * Brings the console's character grid up to date (QEMU's vga_update_text): in text modes
   * the characters, attributes and cursor; otherwise a one-line message saying what the
   * screen shows.
   */
  updateText(): void {
    const mode = this.currentMode();
    if (mode === GraphicMode.Text) {
      const { cols, rows } = this.textGeometry();
      if (cols * rows > 1 && cols * rows <= MAX_TEXT_CELLS) {
        this.textMessage = '';
        this.updateTextCells(cols, rows);
        return;
      }
      this.showTextMessage(`${cols} x ${rows} Text mode`);
      return;
    }
    if (mode === GraphicMode.Graphic) {
      const s = this.core.s;
      const w = this.core.vbeEnabled
        ? s.vbeRegs[VBE_DISPI_INDEX_XRES]
        : (s.cr[VGA_CRTC_H_DISP] + 1) * 8;
      const h = this.core.vbeEnabled ? s.vbeRegs[VBE_DISPI_INDEX_YRES] : this.displayedLines();
      this.showTextMessage(`${w} x ${h} Graphic mode`);
      return;
    }
    this.showTextMessage('VGA Blank mode');
  }

  private updateTextCells(cols: number, rows: number): void {
    const s = this.core.s;
    if (this.console.textGrid.cols !== cols || this.console.textGrid.rows !== rows) {
      this.console.textResize(cols, rows);
      this.textCursor = { x: -2, y: -2 }; // a resized grid has no cursor until told again
    }
    const grid = this.console.textGrid;
    grid.blinkAttribute = (s.ar[VGA_ATC_MODE] & VGA_AR10_BLINK) !== 0;
    const { lineOffset, startAddr, lineCompare } = this.offsets();
    const cellHeight = (s.cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1;
    const { vram, mask } = this.src;
    const cells = grid.cells;
    let offset = startAddr * 4;
    let line = 0;
    let firstRow = -1;
    let lastRow = -1;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const a = (offset + x * 4) & mask;
        const cell = vram[a] | (vram[(a + 1) & mask] << 8);
        const i = y * cols + x;
        if (cells[i] !== cell) {
          cells[i] = cell;
          if (firstRow < 0) firstRow = y;
          lastRow = y;
        }
      }
      const nextLine = line + cellHeight;
      offset += lineOffset;
      if (line < lineCompare && nextLine >= lineCompare) offset = 0;
      line = nextLine;
    }
    if (firstRow >= 0) this.console.textUpdate(0, firstRow, cols, lastRow - firstRow + 1);

    const cr = s.cr;
    const cursorOffset = ((cr[VGA_CRTC_CURSOR_HI] << 8) | cr[VGA_CRTC_CURSOR_LO]) - startAddr;
    const visible =
      !(cr[VGA_CRTC_CURSOR_START] & VGA_CR0A_CURSOR_OFF) &&
      cursorOffset >= 0 &&
      cursorOffset < cols * rows;
    const cx = visible ? cursorOffset % cols : -1;
    const cy = visible ? Math.floor(cursorOffset / cols) : -1;
    if (cx !== this.textCursor.x || cy !== this.textCursor.y) {
      this.textCursor = { x: cx, y: cy };
      this.console.textCursor(cx, cy);
    }
  }

  private showTextMessage(message: string): void {
    if (message === this.textMessage) return;
    this.textMessage = message;
    if (
      this.console.textGrid.cols !== MESSAGE_COLS ||
      this.console.textGrid.rows !== MESSAGE_ROWS
    ) {
      this.console.textResize(MESSAGE_COLS, MESSAGE_ROWS);
    }
    const grid = this.console.textGrid;
    grid.cells.fill(0x0720);
    const x0 = Math.max(0, Math.floor((MESSAGE_COLS - message.length) / 2));
    for (let i = 0; i < message.length && x0 + i < MESSAGE_COLS; i++) {
      grid.cells[MESSAGE_COLS + x0 + i] = (message.charCodeAt(i) & 0xff) | 0x0100;
    }
    this.textCursor = { x: -1, y: -1 };
    this.console.textCursor(-1, -1);
    this.console.textUpdate(0, 0, MESSAGE_COLS, MESSAGE_ROWS);
  }
}
