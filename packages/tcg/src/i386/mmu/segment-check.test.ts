import { describe, expect, it } from 'vitest';
import { Desc } from './descriptor.js';
import {
  type SegmentRights,
  type SegmentWindow,
  segmentIsFlat,
  segmentRights,
  segmentWindow,
  windowAllows,
} from './segment-check.js';

const DATA = Desc.P | Desc.S | Desc.W | Desc.A;
const CODE = Desc.P | Desc.S | Desc.CS | Desc.A;

function allows(flags: number, limit: number, pm: boolean, write: boolean, size: number) {
  const r = segmentRights(flags, limit, pm, {} as SegmentRights);
  const w = segmentWindow(r, write, size, {} as SegmentWindow);
  return (offset: number) => windowAllows(w, offset);
}

describe('segment access windows', () => {
  it('expand-up: the last byte of the access must be within the limit', () => {
    const word = allows(DATA, 0xfff, true, false, 2);
    expect([0, 0xffe, 0xfff, 0x1000, 0xffffffff].map(word)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(allows(DATA, 0, true, true, 1)(0)).toBe(true);
    expect(allows(DATA, 0, true, true, 2)(0)).toBe(false);
  });

  it('expand-down: above the limit, up to 0xffff or 4 GiB - 1 with B', () => {
    const small = allows(DATA | Desc.E, 0xfff, true, true, 4);
    expect([0xfff, 0x1000, 0xfffc, 0xfffd, 0x10000].map(small)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    const big = allows(DATA | Desc.E | Desc.B, 0xfff, true, true, 4);
    expect([0x1000, 0x10000, 0xfffffffc, 0xfffffffd].map(big)).toEqual([true, true, true, false]);
    expect(allows(DATA | Desc.E | Desc.B, 0xffffffff, true, false, 1)(0)).toBe(false);
  });

  it('types in protected mode, limits only in real mode', () => {
    expect(allows(DATA & ~Desc.W, 0xffff, true, true, 1)(0)).toBe(false);
    expect(allows(DATA & ~Desc.W, 0xffff, true, false, 1)(0)).toBe(true);
    expect(allows(CODE, 0xffff, true, false, 1)(0)).toBe(false);
    expect(allows(CODE | Desc.R, 0xffff, true, false, 1)(0)).toBe(true);
    expect(allows(CODE | Desc.R, 0xffff, true, true, 1)(0)).toBe(false);
    expect(allows(0, 0xffffffff, true, false, 1)(0)).toBe(false); // null selector
    expect(allows(CODE, 0xffff, false, true, 2)(0xfffe)).toBe(true); // real mode
    expect(allows(0, 0, false, true, 2)(0xfffe)).toBe(true); // unusable cache: 64 KiB
  });

  it('only present, writable, expand-up 4 GiB segments are flat', () => {
    const r = (flags: number, limit: number, pm: boolean) =>
      segmentIsFlat(segmentRights(flags, limit, pm, {} as SegmentRights));
    expect(r(DATA | Desc.B, 0xffffffff, true)).toBe(true);
    expect(r(DATA | Desc.B, 0xfffffffe, true)).toBe(false);
    expect(r(DATA & ~Desc.W, 0xffffffff, true)).toBe(false);
    expect(r(CODE | Desc.R, 0xffffffff, true)).toBe(false);
    expect(r(DATA, 0xffff, false)).toBe(false);
    expect(r(DATA, 0xffffffff, false)).toBe(true); // unreal mode
  });
});
