import type { MemoryCore, MemoryRegion } from '@tsemu/memory';
import { Device, err, ok, type PropSpecs, type Result } from '@tsemu/qom';
import type { DeviceTime, LogSink } from '../device-env.js';
import type { ApicBus } from './apic-bus.js';

/**
 * What a PC device's qdev wrapper needs from the machine at realize time: where QEMU uses
 * globals (the virtual clock, `get_system_memory()`, `get_system_io()`, the APIC bus), tsemu
 * passes one object, so that two machines can live in one process.
 */
export interface HwEnvironment {
  /** Creates the device's MemoryRegions. */
  memory: MemoryCore;
  /** The virtual clock and its timers. */
  time: DeviceTime;
  log?: LogSink;
  /** The I/O port space: ISA devices map their ports here at their `iobase` when realized. */
  io?: MemoryRegion;
  /** System memory: MMIO devices (IOAPIC, HPET, local APIC) map their page here. */
  system?: MemoryRegion;
  /** The bus between IOAPICs and local APICs (needed by `ioapic` and `apic`). */
  apicBus?: ApicBus;
}

/**
 * A qdev device that is given a {@link HwEnvironment} before it is realized.
 *
 * @example
 * const pit = registry.objectNew(ISA_PIT);
 * pit.setEnvironment({ memory, time, io: ioSpace });
 * unwrap(pit.realize());
 */
export class EnvironmentDevice<P extends PropSpecs = {}> extends Device<P> {
  #env: HwEnvironment | undefined;
  /** Regions mapped at realize, with the container they went into. */
  #mapped: Array<[MemoryRegion, MemoryRegion]> = [];

  /** Give the device its environment; must come before realize. */
  setEnvironment(env: HwEnvironment): void {
    if (this.realized) throw new Error(`${this.typeName}: the environment is set before realize`);
    this.#env = env;
  }

  /** The environment, or an error naming what is missing. */
  protected environment(): Result<HwEnvironment> {
    if (this.#env === undefined) {
      return err(`${this.typeName}: no environment (call setEnvironment before realize)`);
    }
    return ok(this.#env);
  }

  /** Map `region` into `container` at `offset`, undone by unrealize. */
  protected mapRegion(
    container: MemoryRegion | undefined,
    offset: number,
    region: MemoryRegion,
  ): void {
    if (container === undefined) return;
    container.addSubregion(offset, region);
    this.#mapped.push([container, region]);
  }

  protected override onUnrealize(): void {
    for (const [container, region] of this.#mapped.reverse()) container.removeSubregion(region);
    this.#mapped = [];
  }
}
