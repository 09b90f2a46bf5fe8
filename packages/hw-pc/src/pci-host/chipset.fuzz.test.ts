import { MemoryCore } from '@tsemu/memory';
import { IrqLine, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definePciDevice, PciDevice, pciDeviceStateFields } from '../pci/pci-device.js';
import { PCI_BASE_ADDRESS_SPACE_IO } from '../pci/pci-regs.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { createI440fxPiix, I440FX_PIIX_TYPES } from './i440fx-piix.js';

/** A function with a memory BAR, an I/O BAR and INTA#, so that BARs move under the fuzzer. */
class BarDevice extends PciDevice {
  protected override pciRealize(): undefined {
    const { memory } = this.pciEnvironment;
    const ops = { read: () => 0x11, write: () => {} };
    this.registerBar(0, 0, memory.io('fuzz-mmio', 0x1000, ops));
    this.registerBar(1, PCI_BASE_ADDRESS_SPACE_IO, memory.io('fuzz-io', 0x10, ops));
    this.setInterruptPin(1);
    return undefined;
  }
}

const BAR_DEVICE = definePciDevice<BarDevice>({
  name: 'fuzz-bar-device',
  instance: BarDevice,
  pci: { vendorId: 0x1234, deviceId: 0x1111, classId: 0x0880 },
  state: { fields: pciDeviceStateFields<BarDevice>(), postLoad: (d) => d.pciPostLoad() },
});

/** Ports a PC guest touches around the chipset, plus anywhere (where BARs may land). */
const port = fc.oneof(
  fc.integer({ min: 0xcf8, max: 0xcff }),
  fc.integer({ min: 0x600, max: 0x63f }),
  fc.integer({ min: 0xb000, max: 0xb03f }),
  fc.integer({ min: 0xb100, max: 0xb10f }),
  fc.integer({ min: 0xafe0, max: 0xafe3 }),
  fc.integer({ min: 0xb2, max: 0xb3 }),
  fc.integer({ min: 0, max: 0xffff }),
);
const size = fc.constantFrom(1 as const, 2 as const, 4 as const);
const devfn = fc.oneof(fc.constantFrom(0x00, 0x08, 0x0b, 0x10), fc.integer({ min: 0, max: 255 }));
const value = fc.integer({ min: 0, max: 0xffffffff });

const step = fc.oneof(
  fc.record({
    kind: fc.constant('cfg-write' as const),
    devfn,
    reg: fc.integer({ min: 0, max: 255 }),
    size,
    value,
  }),
  fc.record({
    kind: fc.constant('cfg-read' as const),
    devfn,
    reg: fc.integer({ min: 0, max: 255 }),
    size,
  }),
  fc.record({ kind: fc.constant('out' as const), port, size, value }),
  fc.record({ kind: fc.constant('in' as const), port, size }),
  fc.record({
    kind: fc.constant('mem' as const),
    addr: fc.integer({ min: 0x9f000, max: 0x100fff }),
    value,
  }),
  fc.record({ kind: fc.constant('intx' as const), level: fc.boolean() }),
  fc.record({
    kind: fc.constant('advance' as const),
    ns: fc.integer({ min: 0, max: 3_000_000_000 }),
  }),
  fc.record({ kind: fc.constant('powerbutton' as const) }),
  fc.record({ kind: fc.constant('reset' as const) }),
);

function chipset() {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', 0x200000);
  system.addSubregion(0, ram);
  const registry = new TypeRegistry();
  registry.registerAll([...I440FX_PIIX_TYPES, BAR_DEVICE]);
  const time = new ManualTime();
  const requests: string[] = [];
  const c = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: 0x200000,
    time,
    requests: {
      reset: (x) => requests.push(x),
      shutdown: (x) => requests.push(x),
      suspend: () => {},
    },
  });
  const irqs = Array.from({ length: 16 }, () => new IrqRecorder());
  c.isaBus.registerInputIrqs(irqs.map((r) => new IrqLine((l) => r.set(l !== 0))));
  const dev = registry.objectNew(BAR_DEVICE);
  unwrap(dev.setPropertyFromString('addr', '02.0'));
  unwrap(dev.realize(c.pciBus));
  return {
    c,
    dev,
    time,
    mem: memory.addressSpace('memory', system),
    ports: memory.addressSpace('I/O', io),
  };
}

describe('the i440FX/PIIX3/PIIX4 chipset under random guest traffic', () => {
  it('never throws or hangs, keeps read-only IDs, and reads within the access size', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const m = chipset();
        const bus = m.c.pciBus;
        for (const s of steps) {
          switch (s.kind) {
            case 'cfg-write':
              bus.configWrite(s.devfn, s.reg & ~(s.size - 1), s.value, s.size);
              break;
            case 'cfg-read': {
              const v = bus.configRead(s.devfn, s.reg & ~(s.size - 1), s.size);
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(s.size === 4 ? 0xffffffff : (1 << (s.size * 8)) - 1);
              break;
            }
            case 'out':
              m.ports.write(s.port, s.size, s.value);
              break;
            case 'in': {
              const v = m.ports.read(s.port, s.size) >>> 0;
              expect(v).toBeLessThanOrEqual(s.size === 4 ? 0xffffffff : (1 << (s.size * 8)) - 1);
              break;
            }
            case 'mem':
              m.mem.write(s.addr, 1, s.value & 0xff);
              m.mem.read(s.addr, 4);
              break;
            case 'intx':
              m.dev.setIrq(s.level);
              break;
            case 'advance':
              m.time.advance(s.ns);
              break;
            case 'powerbutton':
              m.c.pm?.powerButton();
              break;
            case 'reset':
              m.c.host.reset();
              break;
          }
          expect(bus.configRead(0x00, 0, 4)).toBe(0x12378086);
          expect(bus.configRead(0x08, 0, 4)).toBe(0x70008086);
          expect(bus.configRead(0x0b, 0, 4)).toBe(0x71138086);
          expect(bus.configRead(0x10, 0, 4)).toBe(0x11111234);
        }
        // Every device's state survives a save and a load into itself.
        for (const dev of [m.c.pmc, m.c.piix3, m.c.pm!, m.dev]) {
          const saved = JSON.parse(JSON.stringify(saveDeviceState(dev)));
          unwrap(loadDeviceState(dev, saved));
          expect(saveDeviceState(dev)).toEqual(saved);
        }
      }),
      { numRuns: 100 },
    );
  });
});
