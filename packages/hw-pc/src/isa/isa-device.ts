/**
 * ISADevice: the base of devices that sit on the ISA bus (QEMU's `isa-device`).
 *
 * A subclass builds its device core and regions in `isaRealize`, maps its ports with
 * `registerIoPort` (undone at unrealize) and wires its interrupt outputs to the bus with
 * `connectIsaIrq`:
 *
 * ```ts
 * class IsaToy extends IsaDevice<typeof toyProps> {
 *   readonly irq = this.outputLine('irq');
 *   protected override isaRealize() {
 *     const { memory } = this.isaEnvironment;
 *     const core = new ToyCore({ irq: this.irq });
 *     this.registerIoPort(this.props.iobase, memory.io('toy', 8, {
 *       read: (offset) => core.read(offset),
 *       write: (offset, value) => core.write(offset, value),
 *     }));
 *     this.connectIsaIrq(this.irq, this.props.irq);
 *   }
 * }
 * ```
 */
import type { MemoryRegion } from '@tsemu/memory';
import {
  Device,
  defineDevice,
  err,
  type OutputLine,
  type PropSpecs,
  QomError,
  type Result,
} from '@tsemu/qom';
import type { LogSink } from '../device-env.js';
import { type IsaBus, type IsaBusEnvironment, TYPE_ISA_BUS } from './isa-bus.js';

export const TYPE_ISA_DEVICE = 'isa-device';

export class IsaDevice<P extends PropSpecs = {}> extends Device<P> {
  /** Regions this device mapped, with the space they went into; unmapped at unrealize. */
  #mapped: Array<[MemoryRegion, MemoryRegion]> = [];
  /** ISA IRQs this device's outputs are connected to (QEMU's isairq[]), for `info qtree`. */
  readonly isaIrqs: number[] = [];
  #connected: OutputLine[] = [];

  /** The ISA bus the device is plugged into. */
  get isaBus(): IsaBus {
    const bus = this.parentBus;
    if (bus === undefined) throw new QomError(`${this.typeName} is not on an ISA bus`);
    return bus as IsaBus;
  }

  /** The bus's region factory, spaces, clock and log. */
  get isaEnvironment(): IsaBusEnvironment {
    return this.isaBus.environment;
  }

  protected get log(): LogSink {
    return this.isaBus.log;
  }

  protected override onRealize(): Result<void> | undefined {
    if (!this.isaBus.configured) {
      return err(
        `ISA bus '${this.isaBus.name}' has no environment (call configure before realizing devices)`,
      );
    }
    let outcome: Result<void> | undefined | void;
    try {
      outcome = this.isaRealize();
    } catch (e) {
      this.#unmapAll();
      throw e;
    }
    if (outcome && !outcome.ok) {
      this.#unmapAll();
      return outcome;
    }
    return undefined;
  }

  /** Build the device: its core, its regions (registerIoPort), its IRQs (connectIsaIrq). */
  protected isaRealize(): Result<void> | undefined | void {}

  /** Undo what isaRealize did beyond the port mappings (those are removed by the base). */
  protected isaUnrealize(): void {}

  protected override onUnrealize(): void {
    this.isaUnrealize();
    this.#unmapAll();
  }

  #unmapAll(): void {
    for (const [space, region] of this.#mapped.reverse()) space.removeSubregion(region);
    this.#mapped = [];
    for (const output of this.#connected) output.disconnect();
    this.#connected = [];
    this.isaIrqs.length = 0;
  }

  /** Map an I/O region at port `start` of the bus's I/O space (QEMU's isa_register_ioport). */
  registerIoPort(start: number, region: MemoryRegion): void {
    this.#map(this.isaEnvironment.ioSpace, start, region, 0);
  }

  /**
   * Map a region into the ISA memory space at `start`, over what is there when `priority`
   * is above 0 (the VGA window over the PCI hole).
   */
  registerMemory(start: number, region: MemoryRegion, priority = 0): void {
    const space = this.isaEnvironment.memorySpace;
    if (!space) throw new QomError(`ISA bus '${this.isaBus.name}' has no memory space`);
    this.#map(space, start, region, priority);
  }

  #map(space: MemoryRegion, start: number, region: MemoryRegion, priority: number): void {
    if (priority === 0) space.addSubregion(start, region);
    else space.addSubregionOverlap(start, region, priority);
    this.#mapped.push([space, region]);
  }

  /** The bus's IRQ line `isairq` (QEMU's isa_get_irq). */
  isaIrq(isairq: number): ReturnType<IsaBus['getIrq']> {
    return this.isaBus.getIrq(isairq);
  }

  /** Connect one of this device's outputs to ISA IRQ `isairq` (QEMU's isa_connect_gpio_out). */
  connectIsaIrq(output: OutputLine, isairq: number): void {
    output.connect(this.isaIrq(isairq));
    this.#connected.push(output);
    this.isaIrqs.push(isairq);
  }
}

/** QEMU's abstract `isa-device`. */
export const ISA_DEVICE = defineDevice({
  name: TYPE_ISA_DEVICE,
  instance: IsaDevice,
  abstract: true,
  busType: TYPE_ISA_BUS,
  desc: 'ISA device',
});
