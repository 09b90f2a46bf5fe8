/**
 * The port and memory accesses the VGA BIOS (SeaBIOS's vgasrc: stdvga.c, stdvgamodes.c,
 * bochsvga.c, as built into Debian's vgabios-stdvga.bin) makes to initialise the card and
 * set modes, replayed against a {@link VgaRig}. The register values are the standard IBM
 * VGA mode parameters that every VGA BIOS programs.
 */
import type { VgaRig } from './vga-rig.js';

/** Per standard mode: sequencer 1-4, misc output, CRTC 0-0x18, attribute 0-0x13, graphics 0-8. */
export interface StdVgaMode {
  kind: 'text' | 'cga' | 'planar' | 'packed';
  /** Segment of the screen memory the BIOS clears. */
  segment: number;
  sequencer: number[];
  misc: number;
  crtc: number[];
  attribute: number[];
  graphics: number[];
  /** The DAC entries the BIOS loads (red, green, blue, 6 bits each). */
  palette: number[];
}

/** The EGA's 64 colours: bits 0-2 blue, green, red at 2/3; bits 3-5 the same at 1/3. */
function egaPalette(): number[] {
  const p: number[] = [];
  for (let i = 0; i < 64; i++) {
    p.push(((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15);
    p.push(((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15);
    p.push((i & 1) * 0x2a + ((i >> 3) & 1) * 0x15);
  }
  return p;
}

/** The CGA's 16 colours (brown for colour 6), as 6-bit DAC values. */
export const CGA_COLORS: readonly (readonly [number, number, number])[] = [
  [0x00, 0x00, 0x00],
  [0x00, 0x00, 0x2a],
  [0x00, 0x2a, 0x00],
  [0x00, 0x2a, 0x2a],
  [0x2a, 0x00, 0x00],
  [0x2a, 0x00, 0x2a],
  [0x2a, 0x15, 0x00],
  [0x2a, 0x2a, 0x2a],
  [0x15, 0x15, 0x15],
  [0x15, 0x15, 0x3f],
  [0x15, 0x3f, 0x15],
  [0x15, 0x3f, 0x3f],
  [0x3f, 0x15, 0x15],
  [0x3f, 0x15, 0x3f],
  [0x3f, 0x3f, 0x15],
  [0x3f, 0x3f, 0x3f],
];

/**
 * Mode 13h's 256 entries: the 16 CGA colours and a 16-step grey ramp as the BIOS loads them;
 * the rest (the BIOS's hue wheel) are a stand-in ramp here.
 */
function mode13Palette(): number[] {
  const p: number[] = CGA_COLORS.flat();
  const greys = [0, 5, 8, 11, 14, 17, 20, 24, 28, 32, 36, 40, 45, 50, 56, 63];
  for (const g of greys) p.push(g, g, g);
  for (let i = 32; i < 256; i++) p.push(i & 0x3f, (i * 3) & 0x3f, (i * 7) & 0x3f);
  return p;
}

/** The 64-entry CGA palette: entries with bit 4 set are the bright colours (bit 3 is ignored). */
const CGA_PALETTE_64 = Array.from(
  { length: 64 },
  (_, i) => CGA_COLORS[(i & 7) | (i & 0x10 ? 8 : 0)],
).flat();

const ATTR_TEXT = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0x0c, 0x00, 0x0f, 0x08,
];

export const STD_VGA_MODES: Readonly<Record<number, StdVgaMode>> = {
  // 80x25 text, 9x16 cells, 720x400.
  3: {
    kind: 'text',
    segment: 0xb800,
    sequencer: [0x00, 0x03, 0x00, 0x02],
    misc: 0x67,
    crtc: [
      0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00,
      0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
    ],
    attribute: ATTR_TEXT,
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff],
    palette: egaPalette(),
  },
  // 40x25 text (the dot clock halved).
  1: {
    kind: 'text',
    segment: 0xb800,
    sequencer: [0x08, 0x03, 0x00, 0x02],
    misc: 0x67,
    crtc: [
      0x2d, 0x27, 0x28, 0x90, 0x2b, 0xa0, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00,
      0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
    ],
    attribute: ATTR_TEXT,
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff],
    palette: egaPalette(),
  },
  // CGA 320x200, 4 colours, interleaved scanlines at 0xb8000.
  4: {
    kind: 'cga',
    segment: 0xb800,
    sequencer: [0x09, 0x03, 0x00, 0x02],
    misc: 0x63,
    crtc: [
      0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xa2, 0xff,
    ],
    attribute: [
      0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
      0x17, 0x01, 0x00, 0x03, 0x00,
    ],
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x0f, 0xff],
    palette: CGA_PALETTE_64,
  },
  // CGA 640x200, 2 colours: plane 0 only, interleaved scanlines at 0xb8000.
  6: {
    kind: 'cga',
    segment: 0xb800,
    sequencer: [0x01, 0x01, 0x00, 0x06],
    misc: 0x63,
    crtc: [
      0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x00, 0x96, 0xb9, 0xc2, 0xff,
    ],
    attribute: [
      0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
      0x17, 0x01, 0x00, 0x01, 0x00,
    ],
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x0f, 0xff],
    palette: CGA_PALETTE_64,
  },
  // 320x200, 16 colours, planar.
  13: {
    kind: 'planar',
    segment: 0xa000,
    sequencer: [0x09, 0x0f, 0x00, 0x06],
    misc: 0x63,
    crtc: [
      0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xe3, 0xff,
    ],
    attribute: [
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
      0x17, 0x01, 0x00, 0x0f, 0x00,
    ],
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff],
    palette: CGA_PALETTE_64,
  },
  // 640x480, 16 colours, planar.
  18: {
    kind: 'planar',
    segment: 0xa000,
    sequencer: [0x01, 0x0f, 0x00, 0x06],
    misc: 0xe3,
    crtc: [
      0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff,
    ],
    attribute: [
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e,
      0x3f, 0x01, 0x00, 0x0f, 0x00,
    ],
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff],
    palette: egaPalette(),
  },
  // 320x200, 256 colours, chain 4.
  19: {
    kind: 'packed',
    segment: 0xa000,
    sequencer: [0x01, 0x0f, 0x00, 0x0e],
    misc: 0x63,
    crtc: [
      0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff,
    ],
    attribute: [
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
      0x0f, 0x41, 0x00, 0x0f, 0x00,
    ],
    graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff],
    palette: mode13Palette(),
  },
};

// Port numbers as the BIOS uses them.
const ACTL_ADDRESS = 0x3c0;
const ACTL_READ = 0x3c1;
const MISC_WRITE = 0x3c2;
const SEQU_ADDRESS = 0x3c4;
const SEQU_DATA = 0x3c5;
const PEL_MASK = 0x3c6;
const DAC_WRITE_ADDRESS = 0x3c8;
const DAC_DATA = 0x3c9;
const MISC_READ = 0x3cc;
const GRDC_ADDRESS = 0x3ce;
const GRDC_DATA = 0x3cf;
const ACTL_RESET = 0x3da;
const DISPI_INDEX = 0x1ce;
const DISPI_DATA = 0x1cf;

/** bochsvga_init / stdvga_init: colour mode, RAM enabled, and the dispi interface probed. */
export function vgaBiosInit(rig: VgaRig): { videoMemory64k: number } {
  rig.outb(MISC_WRITE, 0xc3);
  rig.outb(SEQU_ADDRESS, 0x04);
  rig.outb(SEQU_DATA, 0x02);
  dispiWrite(rig, 0x0, 0xb0c0);
  if (dispiRead(rig, 0x0) !== 0xb0c0) throw new Error('no VBE dispi interface');
  dispiWrite(rig, 0x0, 0xb0c5);
  return { videoMemory64k: dispiRead(rig, 0xa) };
}

export function dispiWrite(rig: VgaRig, index: number, value: number): void {
  rig.outw(DISPI_INDEX, index);
  rig.outw(DISPI_DATA, value);
}

export function dispiRead(rig: VgaRig, index: number): number {
  rig.outw(DISPI_INDEX, index);
  return rig.inw(DISPI_DATA);
}

/** stdvga_set_mode: palette, attribute, sequencer, graphics, CRTC, misc; clear; font. */
export function setStdVgaMode(rig: VgaRig, mode: number, font?: Uint8Array): StdVgaMode {
  const m = STD_VGA_MODES[mode];
  if (!m) throw new Error(`no table for mode ${mode.toString(16)}`);
  dispiWrite(rig, 0x4, 0); // bochsvga_set_mode: VBE off first
  rig.outb(PEL_MASK, 0xff);
  rig.outb(DAC_WRITE_ADDRESS, 0);
  for (const v of m.palette) rig.outb(DAC_DATA, v);
  for (let i = m.palette.length / 3; i < 256; i++) {
    rig.outb(DAC_DATA, 0);
    rig.outb(DAC_DATA, 0);
    rig.outb(DAC_DATA, 0);
  }
  rig.inb(ACTL_RESET);
  for (let i = 0; i <= 0x13; i++) {
    rig.outb(ACTL_ADDRESS, i);
    rig.outb(ACTL_ADDRESS, m.attribute[i]);
  }
  rig.outb(ACTL_ADDRESS, 0x14);
  rig.outb(ACTL_ADDRESS, 0x00);
  rig.outb(SEQU_ADDRESS, 0);
  rig.outb(SEQU_DATA, 0x03);
  for (let i = 1; i <= 4; i++) {
    rig.outb(SEQU_ADDRESS, i);
    rig.outb(SEQU_DATA, m.sequencer[i - 1]);
  }
  for (let i = 0; i <= 8; i++) {
    rig.outb(GRDC_ADDRESS, i);
    rig.outb(GRDC_DATA, m.graphics[i]);
  }
  const crtc = m.misc & 1 ? 0x3d4 : 0x3b4;
  rig.outw(crtc, 0x0011); // CR11 = 0: unlock CR0-CR7
  for (let i = 0; i <= 0x18; i++) {
    rig.outb(crtc, i);
    rig.outb(crtc + 1, m.crtc[i]);
  }
  rig.outb(MISC_WRITE, m.misc);
  rig.outb(ACTL_ADDRESS, 0x20); // palette address source: the screen is on
  rig.inb(ACTL_RESET);
  clearScreen(rig, m);
  if (m.kind === 'text' && font) loadFont(rig, font, 16);
  return m;
}

/** clear_screen: text with light grey blanks, graphics with zeros. */
function clearScreen(rig: VgaRig, m: StdVgaMode): void {
  const base = m.segment * 16;
  const words = m.kind === 'text' || m.kind === 'cga' ? 16 * 1024 : 32 * 1024;
  const fill = m.kind === 'text' ? 0x0720 : 0;
  for (let i = 0; i < words; i++) rig.mem.write(base + i * 2, 2, fill);
}

/** stdvga_load_font: plane 2 opened at 0xa0000, `height` bytes per glyph into 32-byte slots. */
export function loadFont(rig: VgaRig, font: Uint8Array, height: number): void {
  // get_font_access
  for (const w of [0x0100, 0x0402, 0x0704, 0x0300]) rig.outw(SEQU_ADDRESS, w);
  for (const w of [0x0204, 0x0005, 0x0406]) rig.outw(GRDC_ADDRESS, w);
  for (let ch = 0; ch < 256; ch++) {
    for (let r = 0; r < height; r++) rig.mem.write(0xa0000 + ch * 32 + r, 1, font[ch * height + r]);
  }
  // release_font_access
  for (const w of [0x0100, 0x0302, 0x0304, 0x0300]) rig.outw(SEQU_ADDRESS, w);
  const v = rig.inb(MISC_READ) & 1 ? 0x0e : 0x0a;
  rig.outw(GRDC_ADDRESS, (v << 8) | 0x06);
  rig.outw(GRDC_ADDRESS, 0x0004);
  rig.outw(GRDC_ADDRESS, 0x1005);
}

/**
 * A stand-in 8x16 font that makes glyphs easy to check: row r of character c is c when r
 * is even and ~c when odd, except that character 0x20 (space) is blank and 0xdb (full
 * block) is solid.
 */
export function testFont(): Uint8Array {
  const font = new Uint8Array(256 * 16);
  for (let c = 0; c < 256; c++) {
    for (let r = 0; r < 16; r++) {
      font[c * 16 + r] = c === 0x20 ? 0 : c === 0xdb ? 0xff : r & 1 ? ~c & 0xff : c;
    }
  }
  return font;
}

/** Writes a string at (col, row) of an 80-column text screen at 0xb8000. */
export function writeText(rig: VgaRig, col: number, row: number, text: string, attr: number): void {
  for (let i = 0; i < text.length; i++) {
    rig.mem.write(0xb8000 + (row * 80 + col + i) * 2, 2, text.charCodeAt(i) | (attr << 8));
  }
}

/** BIOS cursor position and shape (stdvga_set_cursor_pos / _shape). */
export function setCursor(rig: VgaRig, offset: number, start = 0x0d, end = 0x0e): void {
  rig.outb(0x3d4, 0x0a);
  rig.outb(0x3d5, start);
  rig.outb(0x3d4, 0x0b);
  rig.outb(0x3d5, end);
  rig.outb(0x3d4, 0x0e);
  rig.outb(0x3d5, offset >> 8);
  rig.outb(0x3d4, 0x0f);
  rig.outb(0x3d5, offset & 0xff);
}

export const MF_NOCLEARMEM = 0x8000;
export const MF_LINEARFB = 0x4000;

/** bochsvga_set_mode for a VBE mode: dispi registers, then the VGA compatibility setup. */
export function setVbeMode(
  rig: VgaRig,
  width: number,
  height: number,
  depth: number,
  flags = MF_LINEARFB,
): void {
  dispiWrite(rig, 0x4, 0x00);
  if (depth === 4) setStdVgaMode(rig, 0x12); // SeaBIOS uses its 800x600 planar mode; close enough
  dispiWrite(rig, 0x3, depth);
  dispiWrite(rig, 0x1, width);
  dispiWrite(rig, 0x2, height);
  dispiWrite(rig, 0x5, 0);
  const bf = (flags & MF_NOCLEARMEM ? 0x80 : 0) | (flags & MF_LINEARFB ? 0x40 : 0);
  dispiWrite(rig, 0x4, 0x01 | bf);
  // VGA compatibility setup.
  const crtc = 0x3d4;
  rig.outw(crtc, 0x0011);
  rig.outw(crtc, (((width / 8 - 1) & 0xff) << 8) | 0x01);
  const lineBytes = Math.ceil((width * (depth === 15 ? 16 : depth)) / 8);
  rig.outw(crtc, ((Math.ceil(lineBytes / 8) & 0xff) << 8) | 0x13);
  rig.outw(crtc, (((height - 1) & 0xff) << 8) | 0x12);
  let v = 0;
  if ((height - 1) & 0x0100) v |= 0x02;
  if ((height - 1) & 0x0200) v |= 0x40;
  crtcMask(rig, 0x07, 0x42, v);
  rig.outw(crtc, 0x0009);
  crtcMask(rig, 0x17, 0x00, 0x03);
  attrMask(rig, 0x10, 0x00, 0x01);
  rig.outw(GRDC_ADDRESS, 0x0506);
  rig.outw(SEQU_ADDRESS, 0x0f02);
  if (depth >= 8) {
    crtcMask(rig, 0x14, 0x00, 0x40);
    attrMask(rig, 0x10, 0x00, 0x40);
    rig.outb(SEQU_ADDRESS, 0x04);
    rig.outb(SEQU_DATA, rig.inb(SEQU_DATA) | 0x08);
    rig.outb(GRDC_ADDRESS, 0x05);
    rig.outb(GRDC_DATA, (rig.inb(GRDC_DATA) & ~0x20) | 0x40);
  }
}

function crtcMask(rig: VgaRig, index: number, off: number, on: number): void {
  rig.outb(0x3d4, index);
  const v = rig.inb(0x3d5);
  rig.outb(0x3d5, (v & ~off) | on);
}

/** stdvga_attr_mask: keeps the attribute index (and its screen-on bit) as it was. */
function attrMask(rig: VgaRig, index: number, off: number, on: number): void {
  rig.inb(ACTL_RESET);
  const orig = rig.inb(ACTL_ADDRESS);
  rig.outb(ACTL_ADDRESS, index);
  const v = rig.inb(ACTL_READ);
  rig.outb(ACTL_ADDRESS, (v & ~off) | on);
  rig.outb(ACTL_ADDRESS, orig);
}
