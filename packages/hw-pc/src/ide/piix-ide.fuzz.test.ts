/**
 * Random guest accesses to the whole PIIX3 IDE function: its configuration space (BAR4 moved
 * anywhere, decode and bus-master bits flipped), the legacy ports of both channels, the
 * bus-master registers, PRD tables with any address. No host exception, every request
 * settles, and the state it ends in saves and loads into another machine unchanged.
 */
import { loadDeviceState, saveDeviceState } from '@tsemu/qom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writePrdTable } from './dma-test-machine.js';
import { PIIX_IDE_DEVFN, TEST_PC_RAM, type TestPc, testPc } from './piix-test-pc.js';
import { memoryCdrom, memoryDisk, patternedImage } from './test-driver.js';

const PORTS = [
  ...Array.from({ length: 8 }, (_, i) => 0x1f0 + i),
  0x3f6,
  ...Array.from({ length: 8 }, (_, i) => 0x170 + i),
  0x376,
];

const size = fc.constantFrom(1 as const, 2 as const, 4 as const);

const op = fc.oneof(
  fc.record({
    kind: fc.constant('config' as const),
    reg: fc.oneof(fc.constantFrom(0x04, 0x20, 0x40, 0x42), fc.integer({ min: 0, max: 0xff })),
    size,
    value: fc.oneof(fc.constantFrom(0x0005, 0xc001, 0xffffffff), fc.nat({ max: 0xffffffff })),
  }),
  fc.record({
    kind: fc.constant('port' as const),
    port: fc.constantFrom(...PORTS),
    size,
    write: fc.boolean(),
    value: fc.oneof(
      fc.constantFrom(0xa0, 0xb0, 0xe0, 0xec, 0xa1, 0x20, 0xc8, 0xca, 0x25, 0xe7, 0x04, 0x00),
      fc.nat({ max: 0xffffffff }),
    ),
  }),
  fc.record({
    kind: fc.constant('bmdma' as const),
    offset: fc.integer({ min: 0, max: 15 }),
    size,
    write: fc.boolean(),
    value: fc.oneof(fc.constantFrom(0x01, 0x09, 0x08, 0x06, 0x1000), fc.nat({ max: 0xffffffff })),
  }),
  fc.record({
    kind: fc.constant('prd' as const),
    addr: fc.oneof(fc.nat({ max: TEST_PC_RAM }), fc.nat({ max: 0xffffffff })),
    count: fc.nat({ max: 0xffff }),
  }),
  fc.record({ kind: fc.constant('settle' as const) }),
  // A whole DMA command as ata_piix issues it, on either channel, near the media's end.
  fc.record({
    kind: fc.constant('dma' as const),
    secondary: fc.boolean(),
    command: fc.constantFrom(0xc8, 0xca, 0x25, 0x35, 0xa0),
    lba: fc.oneof(fc.nat({ max: 1100 }), fc.nat({ max: 0xfffffff })),
    count: fc.nat({ max: 0xff }),
  }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function drives() {
  return [
    { index: 0, backend: memoryDisk(patternedImage(1024), 'ide0-hd0') },
    { index: 2, backend: memoryCdrom(patternedImage(32, 2048), 'ide1-cd0') },
  ];
}

function bmiba(pc: TestPc): number {
  return pc.ide.barAddress(4) >= 0 ? pc.ide.barAddress(4) : 0xc000;
}

function issueDma(pc: TestPc, o: Extract<Op, { kind: 'dma' }>): void {
  const cmd = o.secondary ? 0x170 : 0x1f0;
  const bm = bmiba(pc) + (o.secondary ? 8 : 0);
  const toMemory = o.command !== 0xca && o.command !== 0x35;
  pc.ports.write(bm, 1, 0); // stop whatever ran, as ata_bmdma_stop does
  pc.ports.write(bm + 4, 4, 0x1000);
  pc.ports.write(bm + 2, 1, 0x06);
  pc.ports.write(cmd + 6, 1, o.command === 0xa0 ? 0xa0 : 0xe0 | ((o.lba >>> 24) & 0x0f));
  pc.ports.write(cmd + 1, 1, o.command === 0xa0 ? 1 : 0); // ATAPI: DMA data phase
  pc.ports.write(cmd + 2, 1, o.count);
  pc.ports.write(cmd + 3, 1, o.lba & 0xff);
  pc.ports.write(cmd + 4, 1, (o.lba >>> 8) & 0xff);
  pc.ports.write(cmd + 5, 1, (o.lba >>> 16) & 0xff);
  pc.ports.write(cmd + 7, 1, o.command);
  if (o.command === 0xa0) {
    // READ(10) of `count` CD sectors at `lba`.
    const cdb = [0x28, 0, o.lba >>> 24, (o.lba >>> 16) & 0xff, (o.lba >>> 8) & 0xff, o.lba & 0xff];
    const packet = [...cdb, 0, 0, o.count, 0, 0, 0];
    for (let i = 0; i < 12; i += 2) pc.ports.write(cmd, 2, packet[i] | (packet[i + 1] << 8));
  }
  pc.ports.write(bm, 1, toMemory ? 0x09 : 0x01);
}

async function run(pc: TestPc, ops: Op[]): Promise<void> {
  for (const o of ops) {
    switch (o.kind) {
      case 'config': {
        const reg = o.reg & ~(o.size - 1);
        pc.configWrite(PIIX_IDE_DEVFN, reg, o.size, o.value);
        break;
      }
      case 'port': {
        const port = o.port & ~(o.size - 1);
        if (o.write) pc.ports.write(port, o.size, o.value);
        else pc.ports.read(port, o.size);
        break;
      }
      case 'bmdma': {
        const at = bmiba(pc) + (o.offset & ~(o.size - 1));
        if (o.write) pc.ports.write(at, o.size, o.value);
        else pc.ports.read(at, o.size);
        break;
      }
      case 'prd':
        writePrdTable(pc.mem, 0x1000, [[o.addr, o.count]]);
        break;
      case 'settle':
        await pc.ide.drain();
        break;
      case 'dma':
        issueDma(pc, o);
        break;
    }
  }
  await pc.ide.drain();
}

describe('piix3-ide fuzz', () => {
  it('survives random configuration, port and bus-master accesses; its state round-trips', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        const pc = testPc(drives());
        pc.firmware();
        await run(pc, ops);
        const saved = JSON.parse(JSON.stringify(saveDeviceState(pc.ide)));
        const copy = testPc(drives());
        expect(loadDeviceState(copy.ide, saved).ok).toBe(true);
        expect(JSON.parse(JSON.stringify(saveDeviceState(copy.ide)))).toEqual(saved);
      }),
      { numRuns: 40 },
    );
  });
});
