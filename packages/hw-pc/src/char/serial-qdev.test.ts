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
import { ISA_BUS, ISA_DEVICE, type IsaBus } from '../isa/index.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { CharRecorder } from './char-recorder.js';
import { ISA_SERIAL, type IsaSerial } from './serial-qdev.js';

/** A UART on `isa.0` in a machine of an I/O space, its IRQ lines recorded. */
function machine(options: Record<string, string> = {}) {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const time = new ManualTime();
  const registry = new TypeRegistry();
  registry.registerAll([ISA_BUS, ISA_DEVICE, ISA_SERIAL]);
  const bus = createBus<IsaBus>(registry, ISA_BUS, 'isa.0');
  bus.configure({ memory, ioSpace: io, time });
  const irqs = Array.from({ length: 16 }, () => new IrqRecorder());
  bus.registerInputIrqs(irqs.map((r) => new IrqLine((level) => r.set(level !== 0))));
  const chardev = new CharRecorder();
  const uart = registry.objectNew(ISA_SERIAL) as IsaSerial;
  for (const [key, value] of Object.entries(options)) {
    unwrap(uart.setPropertyFromString(key, value));
  }
  uart.setChardev(chardev);
  unwrap(uart.realize(bus));
  const ports = memory.addressSpace('io', io);
  return { uart, chardev, irqs, ports };
}

describe('isa-serial', () => {
  it('sends a byte written to THR at 0x3f8 to its chardev', () => {
    const m = machine();
    for (const byte of Buffer.from('hi')) m.ports.write(0x3f8, 1, byte);
    expect(m.chardev.takeText()).toBe('hi');
  });

  it('raises ISA IRQ 4 when a byte arrives with the receive interrupt enabled', () => {
    const m = machine();
    m.ports.write(0x3f9, 1, 0x01); // IER: received data available
    m.ports.write(0x3fc, 1, 0x08); // MCR: OUT2 gates the IRQ on a PC
    expect(m.irqs[4].level).toBe(false);
    m.chardev.type('x');
    expect(m.irqs[4].level).toBe(true);
    expect(m.ports.read(0x3f8, 1)).toBe(0x78);
    expect(m.irqs[4].level).toBe(false);
  });

  it('sits where iobase and irq put it (COM2)', () => {
    const m = machine({ iobase: '0x2f8', irq: '3', index: '1' });
    m.ports.write(0x2f9, 1, 0x01);
    m.chardev.type('y');
    expect(m.irqs[3].level).toBe(true);
    expect(m.irqs[4].level).toBe(false);
    expect(m.ports.read(0x2f8, 1)).toBe(0x79);
  });

  it('carries its registers and a received byte across a save and load', () => {
    const m = machine();
    m.ports.write(0x3fb, 1, 0x80); // DLAB
    m.ports.write(0x3f8, 1, 0x01); // divisor 1: 115200 baud
    m.ports.write(0x3fb, 1, 0x03); // 8N1
    m.ports.write(0x3fa, 1, 0x01); // FIFO on
    m.ports.write(0x3ff, 1, 0x5a); // scratch
    m.chardev.type('a');
    const saved = JSON.parse(JSON.stringify(saveDeviceState(m.uart)));
    const m2 = machine();
    unwrap(loadDeviceState(m2.uart, saved));
    expect(m2.ports.read(0x3ff, 1)).toBe(0x5a);
    expect(m2.ports.read(0x3fd, 1) & 0x01).toBe(1); // data ready
    expect(m2.ports.read(0x3fb, 1)).toBe(0x03);
    expect(m2.ports.read(0x3f8, 1)).toBe(0x61);
    expect(m2.ports.read(0x3fd, 1) & 0x01).toBe(0); // no data left
  });
});
