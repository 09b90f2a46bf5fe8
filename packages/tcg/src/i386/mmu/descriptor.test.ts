import { describe, expect, it } from 'vitest';
import {
  Desc,
  descriptorAddress,
  descriptorBase,
  descriptorDpl,
  descriptorLimit,
  descriptorType,
  is32Bit,
  isCode,
  isConforming,
  isData,
  isExpandDown,
  isNullSelector,
  isPresent,
  isReadable,
  isSystem,
  isWritable,
  loadSegmentCache,
  loadVm86Segment,
  makeDescriptor,
  parseGate,
  type SegmentCache,
  SystemType,
  selectorIndex,
  selectorRpl,
  selectorTi,
  withinLimit,
} from './descriptor.js';

// The classic flat descriptors: 0x00cf9a000000ffff (code) and 0x00cf92000000ffff (data).
const FLAT_CODE: [number, number] = [0x0000ffff, 0x00cf9a00];
const FLAT_DATA: [number, number] = [0x0000ffff, 0x00cf9200];

const cache = (): SegmentCache => ({ selector: 0, base: 0, limit: 0, flags: 0 });

describe('descriptor fields', () => {
  it('reads base, limit and attributes of flat 4 GiB segments', () => {
    expect(descriptorBase(...FLAT_CODE)).toBe(0);
    expect(descriptorLimit(...FLAT_CODE)).toBe(0xffffffff);
    const c = cache();
    loadSegmentCache(c, 0x08, ...FLAT_CODE);
    expect(c).toEqual({
      selector: 0x08,
      base: 0,
      limit: 0xffffffff,
      flags: 0x00cf9a00 & 0x00f0ff00,
    });
    expect([isCode(c.flags), isReadable(c.flags), isWritable(c.flags), is32Bit(c.flags)]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    loadSegmentCache(c, 0x10, ...FLAT_DATA);
    expect([
      isData(c.flags),
      isWritable(c.flags),
      isExpandDown(c.flags),
      descriptorDpl(c.flags),
    ]).toEqual([true, true, false, 0]);
  });

  it('assembles a base scattered over both dwords, above 2 GiB too', () => {
    // base 0xc1234567, byte-granular limit 0x12345
    const low = 0x4567_2345;
    const high = 0xc1_01_92_23;
    expect(descriptorBase(low, high)).toBe(0xc1234567);
    expect(descriptorLimit(low, high)).toBe(0x12345);
  });

  it('scales the limit by 4 KiB with G', () => {
    // With G in the flags, makeDescriptor takes the limit in pages.
    const [low, high] = makeDescriptor(0, 0xfff, Desc.P | Desc.S | Desc.W | Desc.G);
    expect(descriptorLimit(low, high)).toBe(0xffffff);
    const [l2, h2] = makeDescriptor(0, 0, Desc.P | Desc.S | Desc.W | Desc.G);
    expect(descriptorLimit(l2, h2)).toBe(0xfff);
    const [l3, h3] = makeDescriptor(0x100000, 0x3fffff, Desc.P | Desc.S | Desc.W);
    expect(descriptorLimit(l3, h3)).toBe(0x3fffff);
    expect(descriptorBase(l3, h3)).toBe(0x100000);
  });

  it('round-trips makeDescriptor for the flat segments', () => {
    expect(makeDescriptor(0, 0xffffffff, 0x00c09a00)).toEqual(FLAT_CODE);
    expect(makeDescriptor(0, 0xffffffff, 0x00c09200)).toEqual(FLAT_DATA);
  });

  it('tells system descriptors and their types apart', () => {
    const [low, high] = makeDescriptor(
      0x5000,
      0x67,
      Desc.P | (SystemType.Tss32Available << Desc.TYPE_SHIFT),
    );
    const flags = high & 0x00f0ff00;
    expect([isSystem(flags), isPresent(flags), descriptorType(flags)]).toEqual([
      true,
      true,
      SystemType.Tss32Available,
    ]);
    expect(descriptorBase(low, high)).toBe(0x5000);
    expect(isCode(flags) || isData(flags)).toBe(false);
  });

  it('distinguishes conforming and execute-only code', () => {
    const conforming = Desc.S | Desc.CS | Desc.C;
    expect([isConforming(conforming), isReadable(conforming)]).toEqual([true, false]);
  });

  it('gives virtual-8086 segments a 64 KiB writable DPL 3 data segment at selector * 16', () => {
    const c = cache();
    loadVm86Segment(c, 0xb800);
    expect([c.base, c.limit, descriptorDpl(c.flags), isWritable(c.flags)]).toEqual([
      0xb8000,
      0xffff,
      3,
      true,
    ]);
  });
});

describe('limit checks', () => {
  const data = Desc.S | Desc.W;
  const down = data | Desc.E;

  it('expand-up: every byte of the access at or below the limit', () => {
    expect(withinLimit(data, 0xffff, 0xfffe, 2)).toBe(true);
    expect(withinLimit(data, 0xffff, 0xfffe, 4)).toBe(false);
    expect(withinLimit(data, 0xffffffff, 0xfffffffc, 4)).toBe(true);
    expect(withinLimit(data, 0xffffffff, 0xfffffffe, 4)).toBe(false);
  });

  it('expand-down: above the limit, up to 64 KiB or (with B) 4 GiB', () => {
    expect(withinLimit(down, 0x0fff, 0x0fff, 1)).toBe(false);
    expect(withinLimit(down, 0x0fff, 0x1000, 4)).toBe(true);
    expect(withinLimit(down, 0x0fff, 0xfffe, 2)).toBe(true);
    expect(withinLimit(down, 0x0fff, 0xfffe, 4)).toBe(false);
    expect(withinLimit(down | Desc.B, 0x0fff, 0xfffe, 4)).toBe(true);
    expect(withinLimit(down | Desc.B, 0x0fff, 0xfffffffc, 4)).toBe(true);
  });
});

describe('selectors and gates', () => {
  it('splits selectors', () => {
    expect([selectorIndex(0x2b), selectorTi(0x2b), selectorRpl(0x2b)]).toEqual([5, 0, 3]);
    expect(selectorTi(0x0c)).toBe(1);
    expect([isNullSelector(0), isNullSelector(3), isNullSelector(4)]).toEqual([true, true, false]);
  });

  it('finds descriptors only within the table limit', () => {
    expect(descriptorAddress(0x1000, 0x17, 0x10)).toBe(0x1010);
    expect(descriptorAddress(0x1000, 0x16, 0x10)).toBe(-1);
    expect(descriptorAddress(0xfffff000, 0xffff, 0x0b)).toBe(0xfffff008);
  });

  it('decodes 32- and 16-bit gates', () => {
    // 32-bit interrupt gate: selector 0x08, offset 0xc0101234, DPL 3, present.
    const gate = parseGate(0x0008_1234, 0xc010_ee00);
    expect(gate).toEqual({
      selector: 8,
      offset: 0xc0101234,
      paramCount: 0,
      type: SystemType.InterruptGate32,
      dpl: 3,
      present: true,
    });
    // 16-bit call gate with 2 parameters: the high offset half is not used.
    const call16 = parseGate(0x0010_5678, 0x1234_8402);
    expect([call16.offset, call16.paramCount, call16.type]).toEqual([
      0x5678,
      2,
      SystemType.CallGate16,
    ]);
  });
});
