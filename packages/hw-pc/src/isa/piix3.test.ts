import { MemoryCore } from '@tsemu/memory';
import {
  createBus,
  IrqLine,
  loadDeviceState,
  saveDeviceState,
  TypeRegistry,
  unwrap,
} from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { PCI_BUS, type PciBus } from '../pci/pci-bus.js';
import { definePciDevice, PCI_DEVICE, PciDevice } from '../pci/pci-device.js';
import { createI440fxPiix, I440FX_PIIX_TYPES } from '../pci-host/i440fx-piix.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { ISA_BUS } from './isa-bus.js';
import { ISA_DEVICE } from './isa-device.js';
import { PIIX3_DEVICE } from './piix3.js';

/** A PCI function with INTA#, which a test raises and lowers. */
class IrqSource extends PciDevice {
  protected override pciRealize(): undefined {
    this.setInterruptPin(1);
    return undefined;
  }
}

const IRQ_SOURCE = definePciDevice<IrqSource>({
  name: 'irq-source',
  instance: IrqSource,
  pci: { vendorId: 0x1234, deviceId: 0x0001, classId: 0x0880 },
});

/** The chipset with ISA IRQ recorders registered as the bus's inputs, plus a ports space. */
function pc() {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', 0x200000);
  system.addSubregion(0, ram);
  const registry = new TypeRegistry();
  registry.registerAll([...I440FX_PIIX_TYPES, IRQ_SOURCE]);
  const resets: string[] = [];
  const chipset = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: 0x200000,
    time: new ManualTime(),
    requests: { reset: (cause) => resets.push(cause), shutdown: () => {} },
  });
  const irqs = Array.from({ length: 16 }, () => new IrqRecorder());
  chipset.isaBus.registerInputIrqs(irqs.map((r) => new IrqLine((level) => r.set(level !== 0))));
  const ports = memory.addressSpace('I/O', io);
  const cfgSelect = (devfn: number, reg: number) =>
    ports.write(0xcf8, 4, (0x80000000 | (devfn << 8) | (reg & 0xfc)) >>> 0);
  return {
    registry,
    chipset,
    irqs,
    resets,
    ports,
    writeb(devfn: number, reg: number, value: number) {
      cfgSelect(devfn, reg);
      ports.write(0xcfc + (reg & 3), 1, value);
    },
    readb(devfn: number, reg: number) {
      cfgSelect(devfn, reg);
      return ports.read(0xcfc + (reg & 3), 1);
    },
    source(addr: string): IrqSource {
      const dev = registry.objectNew(IRQ_SOURCE);
      unwrap(dev.setPropertyFromString('addr', addr));
      unwrap(dev.realize(chipset.pciBus));
      return dev;
    },
  };
}

const PIIX3 = 0x08; // devfn of 00:01.0

describe('PIIX3 PIRQ routing', () => {
  it('starts with every PIRQ route disabled (0x80)', () => {
    const m = pc();
    for (let i = 0; i < 4; i++) expect(m.readb(PIIX3, 0x60 + i)).toBe(0x80);
    const dev = m.source('03.0'); // INTA# of slot 3 -> PIRQC
    dev.setIrq(1);
    expect(m.irqs.some((r) => r.level)).toBe(false);
  });

  it("raises the ISA IRQ SeaBIOS routes a slot's INTA# to, and moves it when rerouted", () => {
    const m = pc();
    // piix_isa_bridge_setup: PIRQA-D -> 10, 10, 11, 11.
    for (const [i, irq] of [10, 10, 11, 11].entries()) m.writeb(PIIX3, 0x60 + i, irq);
    const dev = m.source('03.0'); // (pin 0 + slot 3 - 1) & 3 = PIRQC -> IRQ 11
    dev.setIrq(1);
    expect(m.irqs[11].level).toBe(true);
    expect(m.irqs[10].level).toBe(false);
    // The guest reroutes PIRQC to IRQ 5 while the line is asserted: 11 drops, 5 rises.
    m.writeb(PIIX3, 0x62, 5);
    expect(m.irqs[11].level).toBe(false);
    expect(m.irqs[5].level).toBe(true);
    dev.setIrq(0);
    expect(m.irqs[5].level).toBe(false);
    // Disabling the route leaves the IRQ alone.
    m.writeb(PIIX3, 0x62, 0x80);
    dev.setIrq(1);
    expect(m.irqs.some((r) => r.level)).toBe(false);
  });

  it('ORs the PIRQs routed to one IRQ (level-triggered sharing)', () => {
    const m = pc();
    for (const [i, irq] of [10, 10, 11, 11].entries()) m.writeb(PIIX3, 0x60 + i, irq);
    const a = m.source('02.0'); // PIRQB -> 10
    const b = m.source('05.0'); // (0 + 5 - 1) & 3 = PIRQA -> 10
    a.setIrq(1);
    b.setIrq(1);
    a.setIrq(0);
    expect(m.irqs[10].level).toBe(true);
    b.setIrq(0);
    expect(m.irqs[10].level).toBe(false);
  });

  it('also reports each PIRQ level on its pirq outputs (for IOAPIC pins 16-19)', () => {
    const m = pc();
    const pins = Array.from({ length: 4 }, () => new IrqRecorder());
    pins.forEach((r, i) => {
      m.chipset.piix3.pirqOut[i].connect(new IrqLine((level) => r.set(level !== 0)));
    });
    m.source('04.0').setIrq(1); // PIRQD
    expect(pins.map((p) => p.level)).toEqual([false, false, false, true]);
  });

  it('rebuilds its levels from a snapshot without raising anything', () => {
    const m = pc();
    m.writeb(PIIX3, 0x62, 11);
    const dev = m.source('03.0');
    dev.setIrq(1);
    const saved = saveDeviceState(m.chipset.piix3);
    m.writeb(PIIX3, 0x62, 0x80);
    const before = m.irqs[11].history.length;
    unwrap(loadDeviceState(m.chipset.piix3, saved));
    expect(m.readb(PIIX3, 0x62)).toBe(11);
    expect(m.chipset.piix3.picLevels[11]).toBe(1 << 2);
    expect(m.irqs[11].history.length).toBe(before);
  });
});

describe('PIIX3 reset control register (0xcf9)', () => {
  it("asks for a reset on SeaBIOS's 0x02, 0x06 sequence", () => {
    const m = pc();
    m.ports.write(0xcf9, 1, 0x02);
    expect(m.resets).toEqual([]);
    expect(m.ports.read(0xcf9, 1)).toBe(0x02);
    m.ports.write(0xcf9, 1, 0x06);
    expect(m.resets).toEqual(['guest-reset']);
  });

  it('does not disturb CONFIG_ADDRESS dword accesses that cover 0xcf9', () => {
    const m = pc();
    m.ports.write(0xcf8, 4, 0x80000c00); // devfn 0x0c has bit 2 set in the 0xcf9 byte
    expect(m.resets).toEqual([]);
    expect(m.ports.read(0xcf8, 4) >>> 0).toBe(0x80000c00);
  });

  it('decodes the port itself when it sits on a bus without a host bridge', () => {
    const memory = new MemoryCore();
    const io = memory.container('io', 0x10000);
    const registry = new TypeRegistry();
    registry.registerAll([PCI_BUS, PCI_DEVICE, ISA_BUS, ISA_DEVICE, PIIX3_DEVICE]);
    const pci = createBus<PciBus>(registry, PCI_BUS, 'pci.0');
    pci.configure({ memory, memorySpace: memory.container('pci', 2n ** 32n), ioSpace: io });
    const piix3 = registry.objectNew(PIIX3_DEVICE);
    unwrap(piix3.realize(pci));
    const reset = new IrqRecorder();
    piix3.resetRequest.connect(new IrqLine((level) => reset.set(level !== 0)));
    const ports = memory.addressSpace('io', io);
    ports.write(0xcf9, 1, 0x04);
    expect(reset.risingEdges).toBe(1);
    expect(piix3.isaBus.name).toBe('isa.0');
  });

  it('puts the datasheet reset values back on reset', () => {
    const m = pc();
    m.writeb(PIIX3, 0x60, 10);
    m.writeb(PIIX3, 0x4e, 0x00);
    m.ports.write(0xcf9, 1, 0x02);
    m.chipset.host.reset();
    expect(m.readb(PIIX3, 0x60)).toBe(0x80);
    expect(m.readb(PIIX3, 0x4e)).toBe(0x03);
    expect(m.readb(PIIX3, 0x04)).toBe(0x07);
    expect(m.ports.read(0xcf9, 1)).toBe(0);
  });
});
