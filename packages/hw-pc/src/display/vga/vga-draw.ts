/**
 * Scanline converters: one line of video memory in one of the VGA's pixel formats to RGBA
 * pixels (QEMU's vga-helpers.h). Output pixels are 32-bit values whose bytes in memory are
 * R, G, B, A (see {@link rgba}).
 *
 * Every read of video memory is masked with `mask` (its size - 1), so a line that runs off
 * the end wraps around instead of reading outside it; the fast paths are used when the whole
 * line is inside.
 */

/** The pixel value of an opaque colour: bytes R, G, B, 0xff in memory (little-endian host). */
export function rgba(r: number, g: number, b: number): number {
  return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
}

/** A 6-bit DAC channel to 8 bits (0x3f becomes 0xff). */
export function dac6to8(v: number): number {
  v &= 0x3f;
  return (v << 2) | (v >> 4);
}

/** Arguments shared by every converter. */
export interface LineSource {
  /** Video memory. */
  vram: Uint8Array;
  vram32: Uint32Array;
  /** Size of video memory - 1. */
  mask: number;
}

/**
 * 16-colour planar (graphics shift mode 0): each 4-byte group holds 8 pixels, bit 7-n of
 * plane p being bit p of pixel n. `double` draws each pixel twice (dot clock / 2).
 */
export function drawLinePlanar(
  src: LineSource,
  addr: number,
  width: number,
  out: Uint32Array,
  outStart: number,
  palette16: Uint32Array,
  double: boolean,
): void {
  const { vram, mask } = src;
  let o = outStart;
  for (let x = 0; x < width; x += 8, addr += 4) {
    const p0 = vram[addr & mask];
    const p1 = vram[(addr + 1) & mask];
    const p2 = vram[(addr + 2) & mask];
    const p3 = vram[(addr + 3) & mask];
    for (let bit = 7; bit >= 0; bit--) {
      const c =
        ((p0 >> bit) & 1) |
        (((p1 >> bit) & 1) << 1) |
        (((p2 >> bit) & 1) << 2) |
        (((p3 >> bit) & 1) << 3);
      const pixel = palette16[c];
      out[o++] = pixel;
      if (double) out[o++] = pixel;
    }
  }
}

/**
 * CGA-compatible 4-colour (graphics shift mode 1, "interleaved"): planes 0 and 1 hold
 * 2-bit pixels, four per byte, most significant first; planes 2 and 3 give bits 2-3.
 */
export function drawLineCga(
  src: LineSource,
  addr: number,
  width: number,
  out: Uint32Array,
  outStart: number,
  palette16: Uint32Array,
  double: boolean,
): void {
  const { vram, mask } = src;
  let o = outStart;
  for (let x = 0; x < width; x += 8, addr += 4) {
    for (let half = 0; half < 2; half++) {
      const low = vram[(addr + half) & mask];
      const high = vram[(addr + half + 2) & mask];
      for (let shift = 6; shift >= 0; shift -= 2) {
        const c = ((low >> shift) & 3) | (((high >> shift) & 3) << 2);
        const pixel = palette16[c];
        out[o++] = pixel;
        if (double) out[o++] = pixel;
      }
    }
  }
}

/** 256 colours, one byte per pixel (mode 13h draws each twice: `double`). */
export function drawLine8(
  src: LineSource,
  addr: number,
  pixels: number,
  out: Uint32Array,
  outStart: number,
  palette256: Uint32Array,
  double: boolean,
): void {
  const { vram, mask } = src;
  let o = outStart;
  if (addr + pixels <= vram.length) {
    for (let i = 0; i < pixels; i++) {
      const pixel = palette256[vram[addr + i]];
      out[o++] = pixel;
      if (double) out[o++] = pixel;
    }
    return;
  }
  for (let i = 0; i < pixels; i++) {
    const pixel = palette256[vram[(addr + i) & mask]];
    out[o++] = pixel;
    if (double) out[o++] = pixel;
  }
}

/** 15-bit (x:5:5:5) or 16-bit (5:6:5) direct colour, little-endian words. */
export function drawLine16(
  src: LineSource,
  addr: number,
  pixels: number,
  out: Uint32Array,
  outStart: number,
  is15: boolean,
): void {
  const { vram, mask } = src;
  let o = outStart;
  for (let i = 0; i < pixels; i++, addr += 2) {
    const v = vram[addr & mask] | (vram[(addr + 1) & mask] << 8);
    let r: number;
    let g: number;
    if (is15) {
      r = (v >> 10) & 0x1f;
      g = (v >> 5) & 0x1f;
      g = (g << 3) | (g >> 2);
    } else {
      r = v >> 11;
      g = (v >> 5) & 0x3f;
      g = (g << 2) | (g >> 4);
    }
    const b = v & 0x1f;
    out[o++] = rgba((r << 3) | (r >> 2), g, (b << 3) | (b >> 2));
  }
}

/** 24-bit direct colour: bytes blue, green, red. */
export function drawLine24(
  src: LineSource,
  addr: number,
  pixels: number,
  out: Uint32Array,
  outStart: number,
): void {
  const { vram, mask } = src;
  let o = outStart;
  for (let i = 0; i < pixels; i++, addr += 3) {
    out[o++] = rgba(vram[(addr + 2) & mask], vram[(addr + 1) & mask], vram[addr & mask]);
  }
}

/** 32-bit direct colour: bytes blue, green, red, unused (a word 0x00RRGGBB). */
export function drawLine32(
  src: LineSource,
  addr: number,
  pixels: number,
  out: Uint32Array,
  outStart: number,
): void {
  const { vram32, mask } = src;
  let o = outStart;
  if ((addr & 3) === 0 && addr + pixels * 4 <= src.vram.length) {
    let w = addr >>> 2;
    const end = w + pixels;
    for (; w < end; w++) {
      const v = vram32[w];
      // 0x00RRGGBB to bytes R, G, B, 0xff: swap red and blue, set alpha.
      out[o++] = (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff)) >>> 0;
    }
    return;
  }
  const { vram } = src;
  for (let i = 0; i < pixels; i++, addr += 4) {
    out[o++] = rgba(vram[(addr + 2) & mask], vram[(addr + 1) & mask], vram[addr & mask]);
  }
}
