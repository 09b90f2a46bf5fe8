import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, prop, type Result, vmstate } from '@tsemu/qom';
import { EnvironmentDevice } from '../intc/hw-environment.js';
import { HPET_INTCAP_PC, HPET_MMIO_SIZE, HPET_NUM_TIMERS, Hpet, type HpetState } from './hpet.js';

/** Number of interrupt routes an HPET can drive (QEMU's HPET_NUM_IRQ_ROUTES). */
export const HPET_NUM_IRQ_ROUTES = 32;

const hpetProps = {
  'hpet-intcap': prop.uint32({
    default: HPET_INTCAP_PC,
    description: 'interrupt routing capability of each timer (bit n: GSI n)',
  }),
  address: prop.uint64({
    default: 0xfed00000,
    description: 'physical address of the register block (mapped at realize)',
  }),
};

type HpetTimerState = HpetState['timers'][number];

const timerDescription = defineState<HpetTimerState>({
  name: 'hpet-timer',
  fields: {
    config: vmstate.uint32(),
    cmpLow: vmstate.uint32(),
    cmpHigh: vmstate.uint32(),
    periodLow: vmstate.uint32(),
    periodHigh: vmstate.uint32(),
    fsbValue: vmstate.uint32(),
    fsbAddress: vmstate.uint32(),
    wrapFlag: vmstate.bool(),
  },
});

const hpetDescription = defineState<HpetState>({
  name: 'hpet-core',
  fields: {
    config: vmstate.uint8(),
    isr: vmstate.uint8(),
    counter: vmstate.float64(),
    counterBaseNs: vmstate.float64(),
    rtcIrqLevel: vmstate.bool(),
    timers: vmstate.array(vmstate.struct(timerDescription), HPET_NUM_TIMERS),
  },
});

/**
 * QEMU's `hpet` as a qdev device: the MMIO region `hpet` at `address`, outputs `irq[0-31]`
 * (route n: connect GSI n; legacy replacement uses 0 and 8) and `pit-enabled` (to the PIT's
 * `irq-control`), inputs `legacy[0]` (the PIT's IRQ0) and `legacy[1]` (the RTC's IRQ8).
 */
export class HpetDevice extends EnvironmentDevice<typeof hpetProps> {
  readonly irqs = this.outputLines('irq', HPET_NUM_IRQ_ROUTES);
  readonly pitEnabled = this.outputLine('pit-enabled');
  readonly legacy = this.inputLines('legacy', 2, (n, level) => {
    const line = n === 0 ? this.hpet.legacyPitIrq : this.hpet.legacyRtcIrq;
    line.set(level !== 0);
  });
  #core: Hpet | undefined;
  mmio: MemoryRegion | undefined;

  /** The device core (after realize). */
  get hpet(): Hpet {
    if (!this.#core) throw new Error('hpet: not realized');
    return this.#core;
  }

  get core(): HpetState {
    return this.hpet.state();
  }

  set core(state: HpetState) {
    this.hpet.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, system, time, log } = env.value;
    const core = new Hpet({
      time,
      irqs: this.irqs,
      pitEnable: this.pitEnabled,
      intcap: this.props['hpet-intcap'],
      log,
    });
    this.#core = core;
    // Dword registers; the memory API splits wider accesses (impl.maxAccessSize = 4).
    this.mmio = memory.io('hpet', HPET_MMIO_SIZE, {
      read: (offset, size) => core.read(offset, size),
      write: (offset, value, size) => core.write(offset, value, size),
      valid: { minAccessSize: 4, maxAccessSize: 8 },
      impl: { minAccessSize: 4, maxAccessSize: 4 },
    });
    this.mapRegion(system, this.props.address, this.mmio);
    return undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const HPET = defineDevice({
  name: 'hpet',
  instance: HpetDevice,
  props: hpetProps,
  desc: 'High Precision Event Timer',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(hpetDescription) } },
});
