/**
 * A PNG encoder (RFC 2083 / ISO 15948) for screendumps: 8-bit truecolour, with or without
 * alpha, no interlace. Each row gets the filter that makes it smallest by the usual
 * "least sum of absolute differences" rule. The zlib compressor is passed in (Node's
 * `deflateSync` through `@tsemu/ui/node`, or anything else); without one the image data is
 * stored uncompressed, which every PNG reader accepts.
 */
import { crc32 } from './checksums.js';
import { zlibStored } from './zlib-stored.js';

/** Compresses bytes into a zlib stream (RFC 1950). */
export type ZlibDeflate = (data: Uint8Array) => Uint8Array;

/** Pixels as bytes R, G, B, A row after row: a DisplaySurface or an ImageData. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

export interface PngEncodeOptions {
  /** The zlib compressor; default: stored (uncompressed) blocks. */
  deflate?: ZlibDeflate;
  /** Keep the alpha channel (colour type 6); default false: RGB (colour type 2), alpha dropped. */
  alpha?: boolean;
}

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** PNG colour types used here. */
export const PNG_COLOR_RGB = 2;
export const PNG_COLOR_RGBA = 6;

const MAX_PNG_DIMENSION = 0x7fffffff;

export function encodePng(image: RgbaImage, options: PngEncodeOptions = {}): Uint8Array {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: the image must be at least 1x1, got ${width}x${height}`);
  }
  if (width > MAX_PNG_DIMENSION || height > MAX_PNG_DIMENSION) {
    throw new Error(`encodePng: ${width}x${height} is larger than PNG allows`);
  }
  if (data.length < width * height * 4) {
    throw new Error(
      `encodePng: ${width}x${height} needs ${width * height * 4} bytes, got ${data.length}`,
    );
  }
  const alpha = options.alpha ?? false;
  const channels = alpha ? 4 : 3;
  const raw = filterRows(data, width, height, channels);
  const compressed = (options.deflate ?? zlibStored)(raw);

  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bits per channel
  header[9] = alpha ? PNG_COLOR_RGBA : PNG_COLOR_RGB;
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method 0 (five per-row filters)
  header[12] = 0; // no interlace

  const chunks = [
    chunk('IHDR', header),
    chunk('IDAT', compressed),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(PNG_SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(PNG_SIGNATURE, 0);
  let o = PNG_SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** A chunk: length, type, data, CRC of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** The Paeth predictor of PNG filter type 4. */
export function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/**
 * The scanlines of the image, each a filter-type byte and the filtered bytes, ready to
 * compress. The filter is chosen per row.
 */
function filterRows(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
): Uint8Array {
  const stride = width * channels;
  const out = new Uint8Array(height * (stride + 1));
  let previous = new Uint8Array(stride); // the row above the first is all zeros
  let current = new Uint8Array(stride);
  const candidates = Array.from({ length: 5 }, () => new Uint8Array(stride));
  for (let y = 0; y < height; y++) {
    // Unpack the row from RGBA.
    let s = y * width * 4;
    for (let i = 0; i < stride; s += 4) {
      current[i++] = data[s];
      current[i++] = data[s + 1];
      current[i++] = data[s + 2];
      if (channels === 4) current[i++] = data[s + 3];
    }
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let type = 0; type < 5; type++) {
      const f = candidates[type];
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? current[i - channels] : 0;
        const b = previous[i];
        const c = i >= channels ? previous[i - channels] : 0;
        let predicted = 0;
        if (type === 1) predicted = a;
        else if (type === 2) predicted = b;
        else if (type === 3) predicted = (a + b) >> 1;
        else if (type === 4) predicted = paeth(a, b, c);
        const v = (current[i] - predicted) & 0xff;
        f[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        best = type;
      }
    }
    const o = y * (stride + 1);
    out[o] = best;
    out.set(candidates[best], o + 1);
    [previous, current] = [current, previous];
  }
  return out;
}
