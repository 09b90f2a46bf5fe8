import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, err, prop, type Result, vmstate } from '@tsemu/qom';
import { EnvironmentDevice } from './hw-environment.js';
import { IOAPIC_MMIO_SIZE, IOAPIC_NUM_PINS, IoApic, type IoApicState } from './ioapic.js';

const ioapicProps = {
  address: prop.uint64({
    default: 0xfec00000,
    description: 'physical address of the register window (mapped at realize)',
  }),
};

const ioapicStateDescription = defineState<IoApicState>({
  name: 'ioapic-core',
  fields: {
    id: vmstate.uint8(),
    ioregsel: vmstate.uint8(),
    irr: vmstate.uint32(),
    redirLow: vmstate.array(vmstate.uint32(), IOAPIC_NUM_PINS),
    redirHigh: vmstate.array(vmstate.uint32(), IOAPIC_NUM_PINS),
  },
});

/**
 * QEMU's `ioapic` as a qdev device: inputs `irq[0-23]` (GSIs), the MMIO region `ioapic`
 * mapped at `address` in system memory, messages over the environment's APIC bus.
 */
export class IoApicDevice extends EnvironmentDevice<typeof ioapicProps> {
  readonly irqs = this.inputLines('irq', IOAPIC_NUM_PINS, (n, level) =>
    this.ioapic.setIrq(n, level !== 0),
  );
  #core: IoApic | undefined;
  mmio: MemoryRegion | undefined;

  /** The device core (after realize). */
  get ioapic(): IoApic {
    if (!this.#core) throw new Error('ioapic: not realized');
    return this.#core;
  }

  get core(): IoApicState {
    return this.ioapic.state();
  }

  set core(state: IoApicState) {
    this.ioapic.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, system, apicBus, log } = env.value;
    if (!apicBus) return err('ioapic: the environment has no APIC bus');
    const core = new IoApic({ bus: apicBus, log });
    this.#core = core;
    this.mmio = memory.io('ioapic', IOAPIC_MMIO_SIZE, {
      read: (offset, size) => core.read(offset, size),
      write: (offset, value, size) => core.write(offset, value, size),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
    });
    this.mapRegion(system, this.props.address, this.mmio);
    return undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const IOAPIC = defineDevice({
  name: 'ioapic',
  instance: IoApicDevice,
  props: ioapicProps,
  desc: 'Intel 82093AA I/O APIC (version 0x20, 24 pins)',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(ioapicStateDescription) } },
});
