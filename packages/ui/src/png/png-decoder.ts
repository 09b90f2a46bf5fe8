/**
 * A PNG decoder for what {@link encodePng} writes and the like: 8-bit greyscale, RGB,
 * grey+alpha and RGBA, no interlace. It checks the signature, every chunk's CRC and the
 * header, so tests can read a screendump back. The zlib inflater is passed in.
 */
import { crc32 } from './checksums.js';
import { PNG_SIGNATURE, paeth } from './png-encoder.js';

/** Decompresses a zlib stream (RFC 1950). */
export type ZlibInflate = (data: Uint8Array) => Uint8Array;

export interface DecodedPng {
  width: number;
  height: number;
  /** PNG colour type of the file. */
  colorType: number;
  /** The pixels as RGBA bytes, row after row. */
  data: Uint8Array;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(bytes: Uint8Array, inflate: ZlibInflate): DecodedPng {
  for (let i = 0; i < PNG_SIGNATURE.length; i++) {
    if (bytes[i] !== PNG_SIGNATURE[i]) throw new Error('decodePng: not a PNG (bad signature)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = PNG_SIGNATURE.length;
  let header: { width: number; height: number; depth: number; colorType: number } | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (!ended) {
    if (offset + 12 > bytes.length) throw new Error('decodePng: truncated file');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) throw new Error(`decodePng: chunk ${type} runs past the end`);
    const crc = view.getUint32(dataEnd);
    if (crc32(bytes, offset + 4, dataEnd) !== crc) throw new Error(`decodePng: bad CRC in ${type}`);
    const data = bytes.subarray(dataStart, dataEnd);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      header = {
        width: h.getUint32(0),
        height: h.getUint32(4),
        depth: data[8],
        colorType: data[9],
      };
      if (data[10] !== 0 || data[11] !== 0 || data[12] !== 0) {
        throw new Error('decodePng: only deflate, filter method 0 and no interlace are supported');
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
    }
    offset = dataEnd + 4;
  }
  if (!header) throw new Error('decodePng: no IHDR chunk');
  const { width, height, depth, colorType } = header;
  const channels = CHANNELS[colorType];
  if (depth !== 8 || channels === undefined) {
    throw new Error(`decodePng: unsupported bit depth ${depth} / colour type ${colorType}`);
  }
  const compressed = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  let o = 0;
  for (const d of idat) {
    compressed.set(d, o);
    o += d.length;
  }
  const raw = inflate(compressed);
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) {
    throw new Error(
      `decodePng: image data is ${raw.length} bytes, expected ${height * (stride + 1)}`,
    );
  }
  const rgba = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  let current = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const r = y * (stride + 1);
    const filter = raw[r];
    for (let i = 0; i < stride; i++) {
      const x = raw[r + 1 + i];
      const a = i >= channels ? current[i - channels] : 0;
      const b = previous[i];
      const c = i >= channels ? previous[i - channels] : 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) >> 1;
          break;
        case 4:
          predicted = paeth(a, b, c);
          break;
        default:
          throw new Error(`decodePng: bad filter type ${filter} on row ${y}`);
      }
      current[i] = (x + predicted) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const s = x * channels;
      const d = (y * width + x) * 4;
      if (channels >= 3) {
        rgba[d] = current[s];
        rgba[d + 1] = current[s + 1];
        rgba[d + 2] = current[s + 2];
        rgba[d + 3] = channels === 4 ? current[s + 3] : 0xff;
      } else {
        rgba[d] = rgba[d + 1] = rgba[d + 2] = current[s];
        rgba[d + 3] = channels === 2 ? current[s + 1] : 0xff;
      }
    }
    [previous, current] = [current, previous];
  }
  return { width, height, colorType, data: rgba };
}
