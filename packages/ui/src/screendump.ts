/**
 * `screendump FILE.png` (QEMU's qmp_screendump): bring the console's surface up to date and
 * encode it as PNG. Text modes are included: the VGA draws its text screen into the surface
 * with the font from video memory.
 */
import type { DisplayConsole } from './console.js';
import { encodePng, type ZlibDeflate } from './png/png-encoder.js';

/**
 * The console's current picture as PNG bytes (RGB, 8 bits per channel). `deflate` compresses;
 * without it the image data is stored uncompressed.
 */
export function screendumpPng(console: DisplayConsole, deflate?: ZlibDeflate): Uint8Array {
  console.updateGraphics();
  const surface = console.surface;
  if (surface.width === 0 || surface.height === 0) {
    throw new Error(`screendump: console '${console.name}' has no picture (0x0 surface)`);
  }
  return encodePng(surface, { deflate });
}
