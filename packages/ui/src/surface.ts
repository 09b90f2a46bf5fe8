/**
 * DisplaySurface: the picture a display device draws (QEMU's DisplaySurface).
 *
 * One format only: 32-bit RGBA, 8 bits per channel, rows packed with no padding. In memory
 * the bytes of a pixel are R, G, B, A, which is what a browser's `ImageData` and a PNG
 * encoder want. Devices write whole pixels through {@link DisplaySurface.pixels}, a
 * `Uint32Array` over the same bytes; {@link rgbPixel} builds such a pixel value.
 */

/** Whether this host stores the low byte of a 32-bit word first (every supported host does). */
function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([0x11223344]).buffer)[0] === 0x44;
}

/**
 * The 32-bit value of an opaque pixel (r, g, b: 0-255) as it sits in `pixels`: bytes
 * R, G, B, 0xff in memory on a little-endian host.
 */
export function rgbPixel(r: number, g: number, b: number): number {
  return (0xff000000 | ((b & 0xff) << 16) | ((g & 0xff) << 8) | (r & 0xff)) >>> 0;
}

/** The red, green and blue of a pixel value made by {@link rgbPixel}. */
export function pixelRgb(pixel: number): [r: number, g: number, b: number] {
  return [pixel & 0xff, (pixel >>> 8) & 0xff, (pixel >>> 16) & 0xff];
}

/** Largest width or height a surface may have (QEMU's VBE limit is 16000 x 12000). */
export const SURFACE_MAX_DIMENSION = 16384;

export class DisplaySurface {
  /** The pixels as bytes R, G, B, A, row after row (an `ImageData`'s layout). */
  readonly data: Uint8ClampedArray;
  /** The same memory, one element per pixel: `pixels[y * width + x]`. */
  readonly pixels: Uint32Array;

  /**
   * @example
   * const surface = new DisplaySurface(640, 480);
   * surface.pixels[0] = rgbPixel(255, 0, 0); // the top-left pixel turns red
   */
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    for (const [name, value] of [
      ['width', width],
      ['height', height],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > SURFACE_MAX_DIMENSION) {
        throw new Error(
          `DisplaySurface: ${name} must be an integer from 0 to ${SURFACE_MAX_DIMENSION}, got ${value}`,
        );
      }
    }
    if (!hostIsLittleEndian()) {
      throw new Error('DisplaySurface: big-endian hosts are not supported');
    }
    const buffer = new ArrayBuffer(width * height * 4);
    this.data = new Uint8ClampedArray(buffer);
    this.pixels = new Uint32Array(buffer);
    this.pixels.fill(rgbPixel(0, 0, 0));
  }

  /** The pixel value at (x, y), as {@link rgbPixel} makes them. */
  pixel(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new RangeError(`DisplaySurface: (${x}, ${y}) is outside ${this.width}x${this.height}`);
    }
    return this.pixels[y * this.width + x];
  }

  /** Fills the rectangle (clipped to the surface) with one pixel value. */
  fill(x: number, y: number, w: number, h: number, pixel: number): void {
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    for (let row = y0; row < y1; row++) {
      this.pixels.fill(pixel, row * this.width + x0, row * this.width + x1);
    }
  }
}
