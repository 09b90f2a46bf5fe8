import { describe, expect, it } from 'vitest';
import { DisplaySurface, pixelRgb, rgbPixel } from './surface.js';

describe('DisplaySurface', () => {
  it('stores pixels as R, G, B, A bytes', () => {
    const s = new DisplaySurface(2, 1);
    s.pixels[1] = rgbPixel(0x12, 0x34, 0x56);
    expect([...s.data]).toEqual([0, 0, 0, 0xff, 0x12, 0x34, 0x56, 0xff]);
    expect(pixelRgb(s.pixel(1, 0))).toEqual([0x12, 0x34, 0x56]);
  });

  it('starts black and fills clipped rectangles', () => {
    const s = new DisplaySurface(4, 3);
    expect(s.pixel(3, 2)).toBe(rgbPixel(0, 0, 0));
    s.fill(2, 1, 10, 10, rgbPixel(255, 255, 255));
    expect(s.pixel(1, 1)).toBe(rgbPixel(0, 0, 0));
    expect(s.pixel(3, 2)).toBe(rgbPixel(255, 255, 255));
  });

  it('rejects sizes a display cannot have and reads outside it', () => {
    expect(() => new DisplaySurface(-1, 2)).toThrow(/width/);
    expect(() => new DisplaySurface(1.5, 2)).toThrow(/width/);
    expect(() => new DisplaySurface(10, 100000)).toThrow(/height/);
    expect(() => new DisplaySurface(2, 2).pixel(2, 0)).toThrow(/outside/);
  });
});
