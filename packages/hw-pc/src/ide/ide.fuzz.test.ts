import type { BlockBackend } from '@tsemu/block';
import { MemoryCore } from '@tsemu/memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogSink } from '../device-env.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { BusMasterDma } from './bmdma.js';
import { RAM_SIZE } from './dma-test-machine.js';
import { IdeChannel } from './ide-channel.js';
import { issueLba, memoryCdrom, memoryDisk, patternedImage } from './test-driver.js';

/** Records every request that reaches a backend outside its medium (the device must check first). */
function watchRange(backend: BlockBackend, outOfRange: string[]): void {
  for (const method of ['readSectors', 'writeSectors'] as const) {
    const original = backend[method].bind(backend);
    backend[method] = (sector: number, buf: Uint8Array) => {
      if (sector < 0 || sector * 512 + buf.length > backend.size) {
        outOfRange.push(`${backend.name} ${method} ${sector}+${buf.length}`);
      }
      return original(sector, buf);
    };
  }
}

const op = fc.oneof(
  // Command block: mostly interesting commands, any register.
  fc.record({
    kind: fc.constant('cmd' as const),
    reg: fc.integer({ min: 1, max: 7 }),
    value: fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(
        0x20,
        0x24,
        0x30,
        0x34,
        0xc4,
        0xc5,
        0xc6,
        0xc8,
        0xca,
        0x25,
        0x35,
        0xa0,
        0xa1,
        0xec,
        0xe7,
        0xef,
        0x90,
        0x08,
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('data' as const),
    size: fc.constantFrom(1, 2, 4),
    value: fc.integer({ min: 0, max: 0xffffffff }),
    write: fc.boolean(),
    repeat: fc.integer({ min: 1, max: 300 }),
  }),
  fc.record({ kind: fc.constant('control' as const), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('read' as const), reg: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('bm' as const),
    offset: fc.integer({ min: 0, max: 15 }),
    size: fc.constantFrom(1, 2, 4),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({
    kind: fc.constant('prd' as const),
    at: fc.integer({ min: 0, max: 0x3f }),
    addr: fc.oneof(fc.integer({ min: 0, max: RAM_SIZE }), fc.integer({ min: 0, max: 0xffffffff })),
    count: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({ kind: fc.constant('settle' as const) }),
  // A whole taskfile and command, as a driver writes them, at addresses near the media's end.
  fc.record({
    kind: fc.constant('issue' as const),
    /** Software reset first, as a driver recovering from a stuck command does. */
    srst: fc.boolean(),
    unit: fc.constantFrom(0 as const, 1 as const),
    lba: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 2 ** 28 - 1 })),
    count: fc.integer({ min: 0, max: 300 }),
    lba48: fc.boolean(),
    command: fc.constantFrom(
      0x20,
      0x24,
      0x30,
      0x34,
      0xc4,
      0xc5,
      0x29,
      0x39,
      0xc8,
      0xca,
      0x25,
      0x35,
      0x40,
      0x42,
    ),
  }),
  fc.record({
    kind: fc.constant('packet' as const),
    srst: fc.boolean(),
    dma: fc.boolean(),
    cdb: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 12, maxLength: 12 }),
    opcode: fc.constantFrom(
      0x28,
      0xa8,
      0x12,
      0x03,
      0x25,
      0x43,
      0x46,
      0x4a,
      0x5a,
      0x51,
      0xbd,
      0x1b,
      0x00,
    ),
  }),
);

function srst(channel: IdeChannel): void {
  channel.writeControl(4);
  channel.writeControl(0);
}

describe('IDE fuzz', () => {
  it('survives random register and DMA programming: no exception, no out-of-range request, no hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 120 }), async (ops) => {
        const core = new MemoryCore();
        const system = core.container('system', 2n ** 32n);
        system.addSubregion(0, core.ram('pc.ram', RAM_SIZE));
        const memory = core.addressSpace('memory', system);
        const outOfRange: string[] = [];
        const internal: string[] = [];
        const log: LogSink = {
          enabled: () => true,
          write: (_item, text) => {
            if (text.includes('internal')) internal.push(text);
          },
        };
        const disk = memoryDisk(patternedImage(300));
        const cd = memoryCdrom(patternedImage(40, 2048));
        watchRange(disk, outOfRange);
        watchRange(cd, outOfRange);
        const bm = new BusMasterDma({ memory, irqs: [new IrqRecorder(), new IrqRecorder()] });
        const channel = new IdeChannel({
          master: { kind: 'disk', backend: disk },
          slave: { kind: 'cdrom', backend: cd },
          irq: bm.channels[0].irqInput,
          log,
        });
        bm.channels[0].connect(channel);
        for (const o of ops) {
          switch (o.kind) {
            case 'cmd':
              channel.write(o.reg, o.value);
              break;
            case 'data':
              for (let i = 0; i < o.repeat; i++) {
                if (o.write) channel.write(0, o.value, o.size as 1 | 2 | 4);
                else channel.read(0, o.size as 1 | 2 | 4);
              }
              break;
            case 'control':
              channel.writeControl(o.value);
              break;
            case 'read':
              channel.read(o.reg);
              break;
            case 'bm':
              bm.write(o.offset, o.value, o.size as 1 | 2 | 4);
              break;
            case 'prd':
              memory.write(((bm.read(4, 4) + o.at * 8) % RAM_SIZE) & ~3, 4, o.addr);
              memory.write(((bm.read(4, 4) + o.at * 8 + 4) % RAM_SIZE) & ~3, 4, o.count);
              break;
            case 'issue':
              if (o.srst) srst(channel);
              issueLba(channel, o.command, o.lba, o.count, { unit: o.unit, lba48: o.lba48 });
              break;
            case 'packet': {
              if (o.srst) srst(channel);
              channel.write(6, 0xb0);
              channel.write(1, o.dma ? 1 : 0);
              channel.write(7, 0xa0); // PACKET
              const cdb = Uint8Array.from(o.cdb);
              cdb[0] = o.opcode;
              for (let i = 0; i < 12; i += 2) channel.write(0, cdb[i] | (cdb[i + 1] << 8), 2);
              break;
            }
            case 'settle':
              await channel.drain();
              break;
          }
        }
        await channel.drain();
        expect(channel.busy).toBe(false);
        expect(outOfRange).toEqual([]);
        expect(internal).toEqual([]);
        channel.detach();
      }),
      { numRuns: 150 },
    );
  }, 30_000);
});
