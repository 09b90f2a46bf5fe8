import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, prop, type Result, vmstate } from '@tsemu/qom';
import type { ExtIntSource } from './cpu-interrupts.js';
import { EnvironmentDevice } from './hw-environment.js';
import { I8259, type I8259State } from './i8259.js';
import { interruptAcknowledge } from './i8259-pair.js';

const i8259Props = {
  master: prop.bool({ description: 'the master controller (the slave cascades into its IRQ2)' }),
  iobase: prop.uint32({ default: 0x20, max: 0xffff, description: 'command/data ports (2 bytes)' }),
  'elcr-addr': prop.uint32({ default: 0x4d0, max: 0xffff, description: 'edge/level control port' }),
};

const i8259StateDescription = defineState<I8259State>({
  name: 'i8259-core',
  fields: {
    lastIrr: vmstate.uint8(),
    irr: vmstate.uint8(),
    imr: vmstate.uint8(),
    isr: vmstate.uint8(),
    priorityAdd: vmstate.uint8(),
    irqBase: vmstate.uint8(),
    readIsr: vmstate.bool(),
    poll: vmstate.bool(),
    specialMask: vmstate.bool(),
    initState: vmstate.uint8(),
    autoEoi: vmstate.bool(),
    rotateOnAutoEoi: vmstate.bool(),
    specialFullyNested: vmstate.bool(),
    init4: vmstate.bool(),
    singleMode: vmstate.bool(),
    levelTriggeredMode: vmstate.bool(),
    elcr: vmstate.uint8(),
  },
});

/**
 * QEMU's `isa-i8259`: one 8259A as a qdev device. Inputs `irq[0-7]`, output `int` (to the
 * CPU for the master, to the master's `irq[2]` for the slave). Realize creates the I/O regions
 * `pic` (2 bytes at `iobase`) and `elcr` (1 byte at `elcr-addr`) and maps them in the
 * environment's I/O space.
 */
export class IsaI8259 extends EnvironmentDevice<typeof i8259Props> {
  readonly irqs = this.inputLines('irq', 8, (n, level) => this.pic.setIrq(n, level !== 0));
  readonly int = this.outputLine('int');
  #chip: I8259 | undefined;
  ioRegion: MemoryRegion | undefined;
  elcrRegion: MemoryRegion | undefined;

  /** The device core (after realize). */
  get pic(): I8259 {
    if (!this.#chip) throw new Error('isa-i8259: not realized');
    return this.#chip;
  }

  /** The core's state, for the device's state description. */
  get core(): I8259State {
    return this.pic.state();
  }

  set core(state: I8259State) {
    this.pic.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, io, log } = env.value;
    const chip = new I8259({ master: this.props.master, output: this.int, log });
    this.#chip = chip;
    this.ioRegion = memory.io('pic', 2, {
      read: (offset) => chip.read(offset),
      write: (offset, value) => chip.write(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    this.elcrRegion = memory.io('elcr', 1, {
      read: () => chip.readElcr(),
      write: (_offset, value) => chip.writeElcr(value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    this.mapRegion(io, this.props.iobase, this.ioRegion);
    this.mapRegion(io, this.props['elcr-addr'], this.elcrRegion);
    return undefined;
  }

  protected override resetHold(): void {
    this.#chip?.reset();
  }
}

export const ISA_I8259 = defineDevice({
  name: 'isa-i8259',
  instance: IsaI8259,
  props: i8259Props,
  desc: 'Intel 8259A programmable interrupt controller',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(i8259StateDescription) } },
});

/** The INTA source of a master/slave pair of `isa-i8259` devices (for a local APIC or CPU). */
export function i8259ExtIntSource(master: IsaI8259, slave: IsaI8259): ExtIntSource {
  return {
    get interruptOutput() {
      return master.pic.interruptOutput;
    },
    acknowledge: () => interruptAcknowledge(master.pic, slave.pic),
  };
}
