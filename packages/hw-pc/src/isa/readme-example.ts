import { MemoryCore } from '@tsemu/memory';
import { createBus, defineDevice, IrqLine, prop, TypeRegistry, unwrap } from '@tsemu/qom';
import { ISA_BUS, ISA_DEVICE, type IsaBus, IsaDevice } from './index.js';

const beeperProps = {
  iobase: prop.uint32({ default: 0x2f0, max: 0xffff, description: 'I/O base port' }),
  irq: prop.uint32({ default: 7, max: 15, description: 'ISA IRQ' }),
};

/** A device core: one register; writing bit 0 raises its interrupt. */
class BeeperCore {
  constructor(private readonly irq: { set(level: boolean): void }) {}
  value = 0;
  read(): number {
    return this.value;
  }
  write(value: number): void {
    this.value = value;
    this.irq.set((value & 1) !== 0);
  }
}

/** Its ISA wrapper: a region at `iobase`, an output wired to ISA IRQ `irq`. */
class IsaBeeper extends IsaDevice<typeof beeperProps> {
  readonly irq = this.outputLine('irq');

  protected override isaRealize(): void {
    const core = new BeeperCore({ set: (level) => this.irq.set(level) });
    const { memory } = this.isaEnvironment;
    this.registerIoPort(
      this.props.iobase,
      memory.io('beeper', 1, { read: () => core.read(), write: (_o, v) => core.write(v) }),
    );
    this.connectIsaIrq(this.irq, this.props.irq);
  }
}

const ISA_BEEPER = defineDevice({
  name: 'isa-beeper',
  parent: ISA_DEVICE,
  instance: IsaBeeper,
  props: beeperProps,
});

export function main(print: (line: string) => void): void {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.registerAll([ISA_BUS, ISA_DEVICE, ISA_BEEPER]);
  // On a PC the PIIX3 creates and configures `isa.0`; alone, we do it.
  const bus = createBus<IsaBus>(registry, ISA_BUS, 'isa.0');
  bus.configure({ memory, ioSpace: io });
  // The machine registers where IRQ0-15 go (the 8259s and the IOAPIC).
  bus.registerInputIrqs(
    Array.from({ length: 16 }, (_, n) => new IrqLine((level) => print(`IRQ${n} -> ${level}`))),
  );
  const beeper = registry.objectNew(ISA_BEEPER);
  unwrap(beeper.setPropertyFromString('irq', '5')); // as `-device isa-beeper,irq=5`
  unwrap(beeper.realize(bus));
  const ports = memory.addressSpace('I/O', io);
  ports.write(0x2f0, 1, 1);
  ports.write(0x2f0, 1, 0);
  print(`port 0x2f0 reads ${ports.read(0x2f0, 1)}`);
}
