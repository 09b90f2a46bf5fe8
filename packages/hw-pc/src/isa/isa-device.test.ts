import { MemoryCore } from '@tsemu/memory';
import { createBus, defineDevice, IrqLine, prop, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ISA_BUS, type IsaBus } from './isa-bus.js';
import { ISA_DEVICE, IsaDevice } from './isa-device.js';

const toyProps = {
  iobase: prop.uint32({ default: 0x300, max: 0xffff }),
  irq: prop.uint32({ default: 5, max: 15 }),
};

/** An ISA device with one register: a write of 1 raises its IRQ, 0 lowers it. */
class IsaToy extends IsaDevice<typeof toyProps> {
  readonly irq = this.outputLine('irq');
  value = 0;

  protected override isaRealize(): undefined {
    const { memory } = this.isaEnvironment;
    this.registerIoPort(
      this.props.iobase,
      memory.io('toy', 2, {
        read: () => this.value,
        write: (_offset, v) => {
          this.value = v;
          this.irq.set(v & 1);
        },
        valid: { maxAccessSize: 1 },
      }),
    );
    this.connectIsaIrq(this.irq, this.props.irq);
    return undefined;
  }
}

const ISA_TOY = defineDevice({
  name: 'isa-toy',
  parent: ISA_DEVICE,
  instance: IsaToy,
  props: toyProps,
});

function isa() {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.registerAll([ISA_BUS, ISA_DEVICE, ISA_TOY]);
  const bus = createBus<IsaBus>(registry, ISA_BUS, 'isa.0');
  bus.configure({ memory, ioSpace: io });
  return { registry, bus, ports: memory.addressSpace('io', io) };
}

describe('ISA bus and ISADevice', () => {
  it('maps a device at its iobase and wires its output to the ISA IRQ it names', () => {
    const m = isa();
    const irqs = Array.from({ length: 16 }, () => new IrqRecorder());
    m.bus.registerInputIrqs(irqs.map((r) => new IrqLine((l) => r.set(l !== 0))));
    const toy = m.registry.objectNew(ISA_TOY);
    toy.props.iobase = 0x2e8;
    toy.props.irq = 3;
    unwrap(toy.realize(m.bus));
    m.ports.write(0x2e8, 1, 1);
    expect(irqs[3].level).toBe(true);
    expect(m.ports.read(0x2e8, 1)).toBe(1);
    m.ports.write(0x2e8, 1, 0);
    expect(irqs[3].risingEdges).toBe(1);
    expect(toy.isaIrqs).toEqual([3]);
  });

  it('passes a level set before the inputs were registered on registration', () => {
    const m = isa();
    const toy = m.registry.objectNew(ISA_TOY);
    unwrap(toy.realize(m.bus));
    m.ports.write(0x300, 1, 1);
    const irq5 = new IrqRecorder();
    const inputs = Array.from(
      { length: 16 },
      (_, n) => new IrqLine((l) => n === 5 && irq5.set(l !== 0)),
    );
    m.bus.registerInputIrqs(inputs);
    expect(irq5.level).toBe(true);
  });

  it('unmaps its ports and frees its IRQ output when unrealized, and can be realized again', () => {
    const m = isa();
    const toy = m.registry.objectNew(ISA_TOY);
    unwrap(toy.realize(m.bus));
    toy.unrealize();
    expect(m.ports.read(0x300, 1)).toBe(0xff);
    unwrap(toy.realize(m.bus));
    m.ports.write(0x300, 1, 0x42);
    expect(toy.value).toBe(0x42);
  });

  it('refuses to realize on a bus nobody configured, and names IRQs it does not have', () => {
    const registry = new TypeRegistry();
    registry.registerAll([ISA_BUS, ISA_DEVICE, ISA_TOY]);
    const bus = createBus<IsaBus>(registry, ISA_BUS, 'isa.0');
    const toy = registry.objectNew(ISA_TOY);
    const result = toy.realize(bus);
    expect(result.ok ? '' : result.error.message).toMatch(/has no environment/);
    expect(() => bus.getIrq(16)).toThrow('no IRQ 16');
  });
});
