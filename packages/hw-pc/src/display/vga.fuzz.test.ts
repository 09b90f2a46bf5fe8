/**
 * Random guest accesses to every way into the VGA: ports 0x3b0-0x3df, the dispi ports, the
 * legacy window, the linear framebuffer, and the PCI MMIO BAR's copies of the registers,
 * with display and text updates in between. Whatever the guest does, the host must not
 * throw, every update must finish, and every pixel drawn must be a real colour (an
 * out-of-range read of video memory or a palette would show as a transparent pixel).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setStdVgaMode, setVbeMode, testFont, vgaBiosInit } from './testing/seabios-vga.js';
import { VGA_RIG_LFB, type VgaRig, vgaRig } from './testing/vga-rig.js';

/** Where each run starts: a mode the BIOS set, so random accesses hit live paths. */
const startMode = fc.constantFrom(
  'none',
  0x03,
  0x01,
  0x04,
  0x0d,
  0x12,
  0x13,
  'vbe8',
  'vbe16',
  'vbe32',
  'vbe4',
);

function enterMode(rig: VgaRig, mode: string | number): void {
  vgaBiosInit(rig);
  if (mode === 'none') return;
  if (typeof mode === 'number') {
    setStdVgaMode(rig, mode, testFont());
    return;
  }
  setStdVgaMode(rig, 0x03);
  setVbeMode(rig, 320, 200, Number(mode.slice(3)));
}

type Op =
  | { kind: 'out'; port: number; size: 1 | 2; value: number }
  | { kind: 'in'; port: number; size: 1 | 2 }
  | { kind: 'dispi'; index: number; value: number }
  | { kind: 'mem'; addr: number; size: 1 | 2 | 4; value: number; write: boolean }
  | { kind: 'lfb'; offset: number; value: number }
  | { kind: 'update' }
  | { kind: 'text' };

const vgaPort = fc.integer({ min: 0x3b0, max: 0x3df });
/** Values a driver would write, and anything at all. */
const dispiValue = fc.oneof(
  fc.constantFrom(
    0,
    1,
    4,
    8,
    15,
    16,
    24,
    32,
    0x41,
    0x43,
    0xc1,
    320,
    640,
    800,
    1024,
    1920,
    16000,
    0xb0c5,
  ),
  fc.integer({ min: 0, max: 0xffff }),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('out' as const),
      port: vgaPort,
      size: fc.constantFrom(1 as const, 2 as const),
      value: fc.integer({ min: 0, max: 0xffff }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('in' as const),
      port: vgaPort,
      size: fc.constantFrom(1 as const, 2 as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('dispi' as const),
      index: fc.integer({ min: 0, max: 0x0c }),
      value: dispiValue,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('mem' as const),
      addr: fc.integer({ min: 0xa0000, max: 0xbfffc }),
      size: fc.constantFrom(1 as const, 2 as const, 4 as const),
      value: fc.integer({ min: 0, max: 0xffffffff }),
      write: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('lfb' as const),
      offset: fc.integer({ min: 0, max: (1 << 20) - 4 }),
      value: fc.integer({ min: 0, max: 0xffffffff }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'update' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'text' as const }) },
);

function run(rig: VgaRig, o: Op): void {
  switch (o.kind) {
    case 'out':
      rig.io.write(o.port, o.size, o.value & (o.size === 1 ? 0xff : 0xffff));
      break;
    case 'in':
      rig.io.read(o.port, o.size);
      break;
    case 'dispi':
      rig.outw(0x1ce, o.index);
      rig.outw(0x1cf, o.value);
      break;
    case 'mem':
      if (o.write) rig.mem.write(o.addr, o.size, o.value >>> (32 - o.size * 8));
      else rig.mem.read(o.addr, o.size);
      break;
    case 'lfb':
      rig.mem.write(VGA_RIG_LFB + o.offset, 4, o.value);
      break;
    case 'update':
      rig.console.hardware?.gfxUpdate();
      break;
    case 'text':
      rig.console.hardware?.textUpdate();
      break;
  }
}

function checkPicture(rig: VgaRig): void {
  const { pixels } = rig.console.surface;
  for (let i = 0; i < pixels.length; i++) {
    if (pixels[i] >>> 24 !== 0xff) {
      throw new Error(
        `pixel ${i} of ${rig.console.surface.width}x${rig.console.surface.height} is 0x${pixels[i].toString(16)}`,
      );
    }
  }
  const grid = rig.console.textGrid;
  expect(grid.cells.length).toBe(grid.cols * grid.rows);
}

describe('VGA fuzz', () => {
  it('survives random register, memory and framebuffer accesses', () => {
    fc.assert(
      fc.property(startMode, fc.array(op, { minLength: 1, maxLength: 150 }), (mode, ops) => {
        const rig = vgaRig({ vramMb: 1 });
        enterMode(rig, mode);
        rig.console.hardware?.gfxUpdate();
        for (const o of ops) run(rig, o);
        rig.time.advance(1e9);
        rig.console.hardware?.gfxUpdate();
        rig.console.hardware?.textUpdate();
        checkPicture(rig);
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  it('survives random accesses to the PCI MMIO BAR copies of the registers', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0x3f0, max: 0x620 }),
            size: fc.constantFrom(1 as const, 2 as const, 4 as const),
            value: fc.integer({ min: 0, max: 0xffffffff }),
          }),
          { maxLength: 100 },
        ),
        (ops) => {
          const rig = vgaRig({ vramMb: 1 });
          const core = rig.vga.core;
          for (const o of ops) {
            // What the MMIO BAR's regions call, offset by offset.
            if (o.offset >= 0x400 && o.offset < 0x420) core.write(o.offset - 0x400, o.value & 0xff);
            else if (o.offset >= 0x500 && o.offset < 0x516)
              core.dispiWriteRegister((o.offset - 0x500) >> 1, o.value & 0xffff);
            else core.read((o.offset & 0x1f) - 0x10);
          }
          rig.console.hardware?.gfxUpdate();
          checkPicture(rig);
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});
