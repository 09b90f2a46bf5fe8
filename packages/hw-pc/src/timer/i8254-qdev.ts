import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, err, prop, type Result, vmstate } from '@tsemu/qom';
import { EnvironmentDevice } from '../intc/hw-environment.js';
import { I8254, type I8254State, type PitChannelState } from './i8254.js';
import { SystemControlPortB, type SystemControlPortBState } from './port61.js';

const pitProps = {
  iobase: prop.uint32({ default: 0x40, max: 0xffff, description: 'first of the 4 ports' }),
};

const channelDescription = defineState<PitChannelState>({
  name: 'pit-channel',
  fields: {
    count: vmstate.uint32(),
    latchedCount: vmstate.uint16(),
    countLatched: vmstate.uint8(),
    status: vmstate.uint8(),
    statusLatched: vmstate.bool(),
    readState: vmstate.uint8(),
    writeState: vmstate.uint8(),
    writeLatch: vmstate.uint8(),
    accessMode: vmstate.uint8(),
    mode: vmstate.uint8(),
    bcd: vmstate.bool(),
    gate: vmstate.bool(),
    loaded: vmstate.bool(),
    triggered: vmstate.bool(),
    running: vmstate.bool(),
    loadTimeNs: vmstate.float64(),
    heldTicks: vmstate.uint32(),
  },
});

const pitDescription = defineState<I8254State>({
  name: 'pit-core',
  fields: {
    channels: vmstate.array(vmstate.struct(channelDescription), 3),
    irqEnabled: vmstate.bool(),
  },
});

/**
 * QEMU's `isa-pit` as a qdev device: the I/O region `pit` (4 ports at `iobase`), output
 * `irq` (counter 0's OUT: ISA IRQ0), input `irq-control` (low while the HPET's legacy
 * replacement owns IRQ0).
 */
export class IsaPit extends EnvironmentDevice<typeof pitProps> {
  readonly irq = this.outputLine('irq');
  readonly irqControl = this.inputLine('irq-control', (level) =>
    this.pit.setIrqEnabled(level !== 0),
  );
  #core: I8254 | undefined;
  ioRegion: MemoryRegion | undefined;

  /** The device core (after realize). */
  get pit(): I8254 {
    if (!this.#core) throw new Error('isa-pit: not realized');
    return this.#core;
  }

  get core(): I8254State {
    return this.pit.state();
  }

  set core(state: I8254State) {
    this.pit.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, io, time, log } = env.value;
    const core = new I8254({ time, irq: this.irq, log });
    this.#core = core;
    this.ioRegion = memory.io('pit', 4, {
      read: (offset) => core.read(offset),
      write: (offset, value) => core.write(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    this.mapRegion(io, this.props.iobase, this.ioRegion);
    return undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const ISA_PIT = defineDevice({
  name: 'isa-pit',
  instance: IsaPit,
  props: pitProps,
  desc: 'Intel 8254 programmable interval timer',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(pitDescription) } },
});

const pcspkProps = {
  iobase: prop.uint32({ default: 0x61, max: 0xffff, description: 'system control port B' }),
  pit: prop.link<IsaPit>('isa-pit', { description: 'the PIT whose counter 2 it gates and reads' }),
};

const portBDescription = defineState<SystemControlPortBState>({
  name: 'pcspk-core',
  fields: { control: vmstate.uint8(), refresh: vmstate.bool() },
});

/**
 * QEMU's `isa-pcspk`: system control port B (0x61), counter 2's gate and OUT, linked to the
 * `isa-pit` named by its `pit` property. The speaker itself makes no sound here.
 */
export class IsaPcspk extends EnvironmentDevice<typeof pcspkProps> {
  #core: SystemControlPortB | undefined;
  ioRegion: MemoryRegion | undefined;

  /** The device core (after realize). */
  get portB(): SystemControlPortB {
    if (!this.#core) throw new Error('isa-pcspk: not realized');
    return this.#core;
  }

  get core(): SystemControlPortBState {
    return this.portB.state();
  }

  set core(state: SystemControlPortBState) {
    this.portB.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const pit = this.props.pit;
    if (!pit?.realized) return err('isa-pcspk: the pit property must name a realized isa-pit');
    const core = new SystemControlPortB(pit.pit);
    this.#core = core;
    this.ioRegion = env.value.memory.io('pcspk', 1, {
      read: () => core.read(),
      write: (_offset, value) => core.write(0, value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    this.mapRegion(env.value.io, this.props.iobase, this.ioRegion);
    return undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const ISA_PCSPK = defineDevice({
  name: 'isa-pcspk',
  instance: IsaPcspk,
  props: pcspkProps,
  desc: 'PC speaker and system control port B',
  categories: ['sound'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(portBDescription) } },
});
