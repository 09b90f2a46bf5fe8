import { MemoryCore } from '@tsemu/memory';
import { createBus, IrqLine, TypeRegistry, unwrap } from '@tsemu/qom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PCI_BUS, type PciBus } from '../pci/pci-bus.js';
import { PCI_DEVICE } from '../pci/pci-device.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import {
  ACPI_BITMASK_SLEEP_ENABLE,
  ACPI_BITMASK_TIMER_ENABLE,
  AcpiPm,
  PM1_EVT_EN,
  PM1_EVT_STS,
  pmTimerTicksToNs,
} from './acpi-pm.js';
import { PIIX4_PM } from './piix4-pm.js';
import { PmSmbus } from './pm-smbus.js';

describe('AcpiPm, the register core alone', () => {
  it('raises the SCI at each timer overflow with TMR_EN, from a manual clock and a recorder', () => {
    const time = new ManualTime();
    const sci = new IrqRecorder();
    const pm = new AcpiPm({ time, sci });
    pm.writeEvent(PM1_EVT_STS, 0xffff);
    pm.writeEvent(PM1_EVT_EN, ACPI_BITMASK_TIMER_ENABLE);
    time.advanceTo(pmTimerTicksToNs(0x800000 * 3));
    expect(sci.risingEdges).toBe(1); // pending until acknowledged
    pm.writeEvent(PM1_EVT_STS, 1);
    time.advanceTo(pmTimerTicksToNs(0x800000 * 4));
    expect(sci.risingEdges).toBe(2);
  });

  it('logs an S5 request under unimp when nothing handles power-off', () => {
    const lines: string[] = [];
    const pm = new AcpiPm({
      time: new ManualTime(),
      log: { enabled: () => true, write: (item, text) => lines.push(`${item}: ${text}`) },
    });
    pm.writeControl(ACPI_BITMASK_SLEEP_ENABLE);
    expect(lines).toEqual([
      'unimp: acpi-pm: S5 soft-off requested, but nothing handles power-off\n',
    ]);
  });

  it('keeps the SCI line in agreement with its registers under random accesses', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              block: fc.constantFrom('evt', 'cnt', 'gpe'),
              offset: fc.integer({ min: 0, max: 5 }),
              value: fc.integer({ min: 0, max: 0xffff }),
            }),
            fc.record({ advance: fc.integer({ min: 0, max: 4_000_000_000 }) }),
          ),
          { maxLength: 50 },
        ),
        (steps) => {
          const time = new ManualTime();
          const sci = new IrqRecorder();
          const pm = new AcpiPm({ time, sci, requests: { shutdown: () => {}, suspend: () => {} } });
          for (const s of steps) {
            if ('advance' in s) time.advance(s.advance);
            else if (s.block === 'evt') pm.writeEvent(s.offset, s.value);
            else if (s.block === 'cnt') pm.writeControl(s.value);
            else pm.writeGpe(s.offset, s.value & 0xff);
            expect(sci.level).toBe(pm.sciLevel);
            expect(pm.readTimer()).toBeLessThanOrEqual(0xffffff);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('PIIX4_PM on a PCI bus of its own', () => {
  it('needs only an I/O space, a clock and an IRQ recorder', () => {
    const memory = new MemoryCore();
    const io = memory.container('io', 0x10000);
    const registry = new TypeRegistry();
    registry.registerAll([PCI_BUS, PCI_DEVICE, PIIX4_PM]);
    const bus = createBus<PciBus>(registry, PCI_BUS, 'pci.0');
    const time = new ManualTime();
    bus.configure({ memory, memorySpace: memory.container('pci', 2n ** 32n), ioSpace: io, time });
    const pm = registry.objectNew(PIIX4_PM);
    const powerOffs: string[] = [];
    pm.setRequests({ shutdown: (cause) => powerOffs.push(cause) });
    unwrap(pm.realize(bus));
    const sci = new IrqRecorder();
    pm.sci.connect(new IrqLine((level) => sci.set(level !== 0)));
    bus.configWrite(pm.devfn, 0x40, 0xb001, 4);
    bus.configWrite(pm.devfn, 0x80, 0x01, 1);
    const ports = memory.addressSpace('io', io);
    time.advanceTo(1e9);
    expect(ports.read(0xb008, 4)).toBe(3_579_545);
    ports.write(0xb002, 2, 0x0100);
    pm.powerButton();
    expect(sci.level).toBe(true);
    ports.write(0xb004, 2, 0x2000);
    expect(powerOffs).toEqual(['guest-shutdown']);
  });

  it('refuses to realize without a clock for the PM timer', () => {
    const memory = new MemoryCore();
    const registry = new TypeRegistry();
    registry.registerAll([PCI_BUS, PCI_DEVICE, PIIX4_PM]);
    const bus = createBus<PciBus>(registry, PCI_BUS, 'pci.0');
    bus.configure({
      memory,
      memorySpace: memory.container('pci', 2n ** 32n),
      ioSpace: memory.container('io', 0x10000),
    });
    const result = registry.objectNew(PIIX4_PM).realize(bus);
    expect(result.ok ? '' : result.error.message).toBe(
      'PIIX4_PM: the PCI bus has no clock for the PM timer',
    );
    expect(bus.findDevice(0)).toBeUndefined();
  });
});

describe('PmSmbus alone', () => {
  it('never throws on random register traffic, even with a failing device', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: 15 }),
            value: fc.integer({ min: 0, max: 0xff }),
            read: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        (steps) => {
          const smbus = new PmSmbus({
            devices: [
              { address: 0x50, readByte: () => 0x12, readBlock: () => new Uint8Array(40) },
              {
                address: 0x51,
                readWord: () => {
                  throw new Error('device fault');
                },
              },
            ],
          });
          for (const s of steps) {
            if (s.read) expect(smbus.read(s.offset)).toBeLessThanOrEqual(0xff);
            else smbus.write(s.offset, s.value);
          }
          expect(smbus.blockIndex).toBeLessThan(32);
        },
      ),
      { numRuns: 300 },
    );
  });
});
