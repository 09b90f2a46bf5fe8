import { MemoryCore } from '@tsemu/memory';
import { createBus, IrqLine, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { ISA_BUS, ISA_DEVICE, type IsaBus } from '../isa/index.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { I8042_DEVICE, type IsaI8042 } from './i8042-qdev.js';

function machine() {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.registerAll([ISA_BUS, ISA_DEVICE, I8042_DEVICE]);
  const bus = createBus<IsaBus>(registry, ISA_BUS, 'isa.0');
  bus.configure({ memory, ioSpace: io });
  const irqs = Array.from({ length: 16 }, () => new IrqRecorder());
  bus.registerInputIrqs(irqs.map((r) => new IrqLine((level) => r.set(level !== 0))));
  const kbc = registry.objectNew(I8042_DEVICE) as IsaI8042;
  const reset = new IrqRecorder();
  const a20 = new IrqRecorder();
  kbc.resetRequest.connect(new IrqLine((level) => reset.set(level !== 0)));
  kbc.a20.connect(new IrqLine((level) => a20.set(level !== 0)));
  unwrap(kbc.realize(bus));
  const ports = memory.addressSpace('io', io);
  return { kbc, irqs, reset, a20, ports };
}

describe('i8042', () => {
  it('passes its self-test through ports 0x64 and 0x60', () => {
    const m = machine();
    m.ports.write(0x64, 1, 0xaa);
    expect(m.ports.read(0x64, 1) & 0x01).toBe(1); // output buffer full
    expect(m.ports.read(0x60, 1)).toBe(0x55);
  });

  it('raises ISA IRQ 1 for a key press', () => {
    const m = machine();
    m.kbc.controller.keyboard.keyDown('a');
    expect(m.irqs[1].level).toBe(true);
    expect(m.ports.read(0x60, 1)).toBe(0x1c); // set 2 make code: the command byte does not translate at reset
    expect(m.irqs[1].level).toBe(false);
  });

  it('pulses its reset output on command 0xFE', () => {
    const m = machine();
    m.ports.write(0x64, 1, 0xfe);
    expect(m.reset.history).toEqual([true, false]);
  });

  it('drives its a20 output from the output port (command 0xD1)', () => {
    const m = machine();
    m.ports.write(0x64, 1, 0xd1);
    m.ports.write(0x60, 1, 0xdd); // A20 off, reset line held high
    expect(m.a20.level).toBe(false);
    m.ports.write(0x64, 1, 0xd1);
    m.ports.write(0x60, 1, 0xdf);
    expect(m.a20.level).toBe(true);
    expect(m.reset.risingEdges).toBe(0);
  });
});
