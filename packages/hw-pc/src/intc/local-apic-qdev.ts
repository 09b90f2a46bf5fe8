import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, err, prop, type Result, vmstate } from '@tsemu/qom';
import type { ExtIntSource } from './cpu-interrupts.js';
import { EnvironmentDevice } from './hw-environment.js';
import { LocalApic, type LocalApicState } from './local-apic.js';
import { APIC_MMIO_SIZE, LVT_COUNT } from './local-apic-regs.js';

const apicProps = {
  id: prop.uint8({ description: 'initial APIC ID' }),
  bsp: prop.bool({ default: true, description: 'bootstrap processor (IA32_APIC_BASE.BSP)' }),
  'tsc-deadline': prop.bool({ description: 'offer the TSC-deadline timer mode' }),
  'tsc-frequency': prop.uint64({
    default: 1_000_000_000,
    min: 1,
    description: 'TSC frequency in Hz, for IA32_TSC_DEADLINE',
  }),
};

const words = (n: number) => vmstate.array(vmstate.uint32(), n);

const apicStateDescription = defineState<LocalApicState>({
  name: 'apic-core',
  fields: {
    baseAddress: vmstate.uint64(),
    bsp: vmstate.bool(),
    enabled: vmstate.bool(),
    id: vmstate.uint8(),
    tpr: vmstate.uint8(),
    svr: vmstate.uint16(),
    ldr: vmstate.uint8(),
    dfrModel: vmstate.uint8(),
    isr: words(8),
    tmr: words(8),
    irr: words(8),
    esr: vmstate.uint8(),
    pendingErrors: vmstate.uint8(),
    icrLow: vmstate.uint32(),
    icrHigh: vmstate.uint32(),
    lvt: words(LVT_COUNT),
    initialCount: vmstate.uint32(),
    divideConfig: vmstate.uint8(),
    timerLoadNs: vmstate.int64(),
    tscDeadline: vmstate.uint64(),
    lint0Level: vmstate.bool(),
    lint1Level: vmstate.bool(),
    nmiPending: vmstate.bool(),
    initPending: vmstate.bool(),
    sipiPending: vmstate.bool(),
    sipiVector: vmstate.uint8(),
    smiPending: vmstate.bool(),
    extIntPending: vmstate.bool(),
    waitForSipi: vmstate.bool(),
  },
});

/**
 * QEMU's `apic` (one CPU's local APIC) as a qdev device: inputs `lint[0]` and `lint[1]`, the
 * MMIO region `apic` mapped in system memory at the IA32_APIC_BASE address (and moved when
 * the CPU writes that MSR through {@link writeBaseMsr}). The CPU polls {@link apic}, which
 * implements `CpuInterruptLines`.
 *
 * With several CPUs, each needs its own view of the APIC page (QEMU dispatches the one page
 * to the current CPU's APIC); this wrapper maps its page into the environment's system
 * memory, which suits one CPU.
 */
export class LocalApicDevice extends EnvironmentDevice<typeof apicProps> {
  readonly lint = this.inputLines('lint', 2, (n, level) => {
    const pin = n === 0 ? this.apic.lint0 : this.apic.lint1;
    pin.set(level !== 0);
  });
  /** Called when the CPU should look at its interrupts (set by the CPU before realize). */
  onKick: () => void = () => {};
  #core: LocalApic | undefined;
  #extInt: ExtIntSource | undefined;
  mmio: MemoryRegion | undefined;

  /** The device core (after realize): also the CPU's CpuInterruptLines. */
  get apic(): LocalApic {
    if (!this.#core) throw new Error('apic: not realized');
    return this.#core;
  }

  get core(): LocalApicState {
    return this.apic.state();
  }

  set core(state: LocalApicState) {
    this.apic.loadState(state);
    this.mmio?.setAddress(this.apic.mmioAddress);
  }

  /** Name the 8259 pair for ExtINT (before or after realize). */
  connectExtInt(source: ExtIntSource): void {
    this.#extInt = source;
    this.#core?.connectExtInt(source);
  }

  /** WRMSR IA32_APIC_BASE: false means #GP; the MMIO page follows the new address. */
  writeBaseMsr(value: number): boolean {
    const accepted = this.apic.writeBaseMsr(value);
    if (accepted) this.mmio?.setAddress(this.apic.mmioAddress);
    return accepted;
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, system, apicBus, time, log } = env.value;
    if (!apicBus) return err('apic: the environment has no APIC bus');
    const core = new LocalApic({
      bus: apicBus,
      time,
      id: this.props.id,
      bsp: this.props.bsp,
      kick: () => this.onKick(),
      extInt: this.#extInt,
      tscDeadline: this.props['tsc-deadline'],
      tscFrequencyHz: this.props['tsc-frequency'],
      log,
    });
    this.#core = core;
    this.mmio = memory.io('apic', APIC_MMIO_SIZE, {
      read: (offset, size) => core.read(offset, size),
      write: (offset, value, size) => core.write(offset, value, size),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
    });
    this.mapRegion(system, core.mmioAddress, this.mmio);
    return undefined;
  }

  protected override resetHold(): void {
    if (!this.#core) return;
    this.#core.reset();
    this.mmio?.setAddress(this.#core.mmioAddress);
  }
}

export const LOCAL_APIC = defineDevice({
  name: 'apic',
  instance: LocalApicDevice,
  props: apicProps,
  desc: 'local APIC (xAPIC)',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(apicStateDescription) } },
});
