/**
 * Field encodings of ISO 9660 (ECMA-119 section 7): numbers stored in both byte orders,
 * padded character fields and the two date formats.
 */

/** The logical sector size of a CD-ROM data track. */
export const SECTOR_SIZE = 2048;

/** 7.2.3: a 16-bit number written little-endian then big-endian (4 bytes). */
export function writeBothEndian16(out: Uint8Array, offset: number, value: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(offset, value, true);
  view.setUint16(offset + 2, value, false);
}

/** 7.3.3: a 32-bit number written little-endian then big-endian (8 bytes). */
export function writeBothEndian32(out: Uint8Array, offset: number, value: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(offset, value, true);
  view.setUint32(offset + 4, value, false);
}

export function writeUint16LE(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint16(offset, value, true);
}

export function writeUint32LE(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(offset, value, true);
}

export function writeUint16BE(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint16(offset, value, false);
}

export function writeUint32BE(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(offset, value, false);
}

/** Writes ASCII text into a fixed-width field, padded with `fill` (spaces for text fields). */
export function writePaddedAscii(
  out: Uint8Array,
  offset: number,
  width: number,
  text: string,
  fill = 0x20,
): void {
  if (text.length > width)
    throw new Error(`ISO 9660: "${text}" is longer than its ${width}-byte field`);
  for (let i = 0; i < width; i++) {
    out[offset + i] = i < text.length ? text.charCodeAt(i) : fill;
  }
}

/** 9.1.5: the 7-byte date of a directory record (years since 1900 ... GMT offset). */
export function writeRecordingDate(out: Uint8Array, offset: number, date: Date): void {
  out[offset] = date.getUTCFullYear() - 1900;
  out[offset + 1] = date.getUTCMonth() + 1;
  out[offset + 2] = date.getUTCDate();
  out[offset + 3] = date.getUTCHours();
  out[offset + 4] = date.getUTCMinutes();
  out[offset + 5] = date.getUTCSeconds();
  out[offset + 6] = 0; // offset from GMT in 15-minute units: we write UTC
}

/** 8.4.26.1: the 17-byte volume date "YYYYMMDDHHMMSScc" plus a GMT offset byte. */
export function writeVolumeDate(out: Uint8Array, offset: number, date: Date | undefined): void {
  if (date === undefined) {
    // "Not specified": sixteen ASCII zeros and a zero offset.
    writePaddedAscii(out, offset, 16, '0000000000000000');
    out[offset + 16] = 0;
    return;
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const text =
    String(date.getUTCFullYear()).padStart(4, '0') +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    two(Math.floor(date.getUTCMilliseconds() / 10));
  writePaddedAscii(out, offset, 16, text);
  out[offset + 16] = 0;
}

/** How many whole sectors `bytes` bytes take. */
export function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR_SIZE);
}
