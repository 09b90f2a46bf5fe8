import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeDeflate, nodeInflate } from '../node.js';
import { DisplaySurface, rgbPixel } from '../surface.js';
import { adler32, crc32 } from './checksums.js';
import { decodePng } from './png-decoder.js';
import { encodePng, PNG_COLOR_RGB, PNG_COLOR_RGBA } from './png-encoder.js';
import { zlibStored } from './zlib-stored.js';

/** A test picture: gradients and a few sharp edges, so every filter type gets used. */
function picture(width: number, height: number): DisplaySurface {
  const s = new DisplaySurface(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s.pixels[y * width + x] = rgbPixel(x * 7, y * 13, (x ^ y) & 1 ? 255 : (x * y) & 0xff);
    }
  }
  return s;
}

/** Reads a PNG with Python's zlib and struct only: an independent check of the file format. */
const PYTHON_PNG_CHECK = `
import sys, struct, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'signature'
pos, idat, ihdr = 8, b'', None
while True:
    (length,) = struct.unpack('>I', data[pos:pos + 4])
    kind = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + length]
    (crc,) = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
    assert zlib.crc32(kind + body) & 0xffffffff == crc, kind
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    if kind == b'IDAT': idat += body
    pos += 12 + length
    if kind == b'IEND': break
w, h, depth, color = ihdr[:4]
raw = zlib.decompress(idat)
ch = {2: 3, 6: 4}[color]
assert len(raw) == h * (w * ch + 1)
print(w, h, depth, color, ' '.join(str(raw[1 + i]) for i in range(3)))
`;

describe('checksums', () => {
  it('match the published check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
  });
});

describe('zlibStored', () => {
  it('makes streams any inflater reads, across the 64K block limit', () => {
    const data = new Uint8Array(150000).map((_, i) => (i * 31) & 0xff);
    expect(Buffer.from(inflateSync(zlibStored(data))).equals(data)).toBe(true);
    expect(new Uint8Array(inflateSync(zlibStored(new Uint8Array(0))))).toEqual(new Uint8Array(0));
  });
});

describe('encodePng', () => {
  it('round-trips through our decoder, compressed and stored', () => {
    const s = picture(37, 23);
    for (const deflate of [nodeDeflate, undefined]) {
      const png = decodePng(encodePng(s, { deflate }), nodeInflate);
      expect([png.width, png.height, png.colorType]).toEqual([37, 23, PNG_COLOR_RGB]);
      expect(png.data).toEqual(new Uint8Array(s.data));
    }
  });

  it('keeps alpha when asked', () => {
    const image = { width: 2, height: 1, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
    const png = decodePng(encodePng(image, { alpha: true }), nodeInflate);
    expect(png.colorType).toBe(PNG_COLOR_RGBA);
    expect([...png.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('round-trips random images (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.uint8Array({ minLength: 9 * 9 * 4, maxLength: 9 * 9 * 4 }),
        (width, height, bytes) => {
          const data = bytes.subarray(0, width * height * 4);
          const png = decodePng(
            encodePng({ width, height, data }, { alpha: true, deflate: nodeDeflate }),
            nodeInflate,
          );
          expect(png.data).toEqual(data);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes files that Python zlib/struct and file(1) accept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-png-'));
    try {
      const path = join(dir, 'shot.png');
      const s = picture(64, 48);
      s.pixels[0] = rgbPixel(10, 20, 30);
      writeFileSync(path, encodePng(s, { deflate: nodeDeflate }));
      const python = execFileSync('python3', ['-c', PYTHON_PNG_CHECK, path], { encoding: 'utf8' });
      // Width, height, depth, colour type, then the first pixel as filtered (row 0 is filter
      // 0 or 1; pixel 0 has no left neighbour, so both leave it as is).
      expect(python.trim()).toBe('64 48 8 2 10 20 30');
      const file = execFileSync('file', ['-b', path], { encoding: 'utf8' });
      expect(file).toMatch(/PNG image data, 64 x 48, 8-bit\/color RGB, non-interlaced/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects images that cannot be a PNG, and the decoder rejects corrupt files', () => {
    expect(() => encodePng({ width: 0, height: 1, data: new Uint8Array(0) })).toThrow(
      /at least 1x1/,
    );
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(4) })).toThrow(
      /needs 16 bytes/,
    );
    const png = encodePng(picture(4, 4));
    const bad = png.slice();
    bad[20] ^= 1; // inside IHDR
    expect(() => decodePng(bad, nodeInflate)).toThrow(/bad CRC in IHDR/);
    expect(() => decodePng(png.subarray(0, 40), nodeInflate)).toThrow(/truncated|past the end/);
    expect(() => decodePng(new Uint8Array(16), nodeInflate)).toThrow(/signature/);
  });
});
