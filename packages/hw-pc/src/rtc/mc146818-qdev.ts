import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, prop, type Result, vmstate } from '@tsemu/qom';
import { EnvironmentDevice } from '../intc/hw-environment.js';
import { CMOS_SIZE, Mc146818, type Mc146818State } from './mc146818.js';

const rtcProps = {
  iobase: prop.uint32({ default: 0x70, max: 0xffff, description: 'index/data ports (2 bytes)' }),
  'base-time-ms': prop.int64({
    description: "the guest's time at realize, ms since 1970 (what `-rtc base=` gives)",
  }),
};

const rtcDescription = defineState<Mc146818State>({
  name: 'mc146818rtc-core',
  fields: {
    cmos: vmstate.array(vmstate.uint8(), CMOS_SIZE),
    index: vmstate.uint8(),
    nmiMasked: vmstate.bool(),
    baseSeconds: vmstate.float64(),
    baseNs: vmstate.float64(),
    frozenSubsecondNs: vmstate.float64(),
    lastSecondSeen: vmstate.float64(),
    periodicSeen: vmstate.float64(),
  },
});

/**
 * QEMU's `mc146818rtc` as a qdev device: the I/O region `rtc` (2 ports at `iobase`), outputs
 * `irq` (ISA IRQ8) and `nmi-mask` (high while port 0x70 bit 7 masks NMI). The machine fills
 * the CMOS through {@link rtc}'s `setCmosByte`.
 */
export class Mc146818Device extends EnvironmentDevice<typeof rtcProps> {
  readonly irq = this.outputLine('irq');
  readonly nmiMask = this.outputLine('nmi-mask');
  #core: Mc146818 | undefined;
  ioRegion: MemoryRegion | undefined;

  /** The device core (after realize). */
  get rtc(): Mc146818 {
    if (!this.#core) throw new Error('mc146818rtc: not realized');
    return this.#core;
  }

  get core(): Mc146818State {
    return this.rtc.state();
  }

  set core(state: Mc146818State) {
    this.rtc.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, io, time, log } = env.value;
    const core = new Mc146818({
      time,
      baseTimeMs: this.props['base-time-ms'],
      irq: this.irq,
      nmiMask: this.nmiMask,
      log,
    });
    this.#core = core;
    this.ioRegion = memory.io('rtc', 2, {
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

export const MC146818_RTC = defineDevice({
  name: 'mc146818rtc',
  instance: Mc146818Device,
  props: rtcProps,
  desc: 'MC146818 real-time clock and CMOS RAM',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(rtcDescription) } },
});
