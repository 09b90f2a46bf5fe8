/**
 * The ISA bus (QEMU's hw/isa/isa-bus.c): an I/O space where ISA devices decode their ports,
 * a memory space for the few that decode memory (the VGA window), and sixteen interrupt
 * lines IRQ0-IRQ15 that end at the interrupt controllers.
 *
 * The bridge that provides the bus (the PIIX3) configures its spaces; the machine registers
 * the interrupt inputs (QEMU's isa_bus_register_input_irqs) once the controllers exist. Until
 * then, and whatever the order of creation, the bus's IRQ lines are stable objects that
 * devices can connect to: they forward each level to the input registered at the time.
 */
import type { MemoryCore, MemoryRegion } from '@tsemu/memory';
import { Bus, defineBus, type Irq, IrqLine, QomError } from '@tsemu/qom';
import type { DeviceTime, LogSink } from '../device-env.js';
import { SILENT_LOG } from '../device-env.js';

export const TYPE_ISA_BUS = 'ISA';

/** IRQ0-IRQ15. */
export const ISA_NUM_IRQS = 16;

/** What ISA devices are built with. */
export interface IsaBusEnvironment {
  /** Creates the devices' regions. */
  memory: MemoryCore;
  /** The I/O space the devices' ports are mapped into (the PC's 64 KiB port space). */
  ioSpace: MemoryRegion;
  /**
   * The ISA memory space (QEMU's isa_address_space): on a PC the PCI memory space, which
   * shows through system memory where nothing else is mapped.
   */
  memorySpace?: MemoryRegion;
  /** The virtual clock, for devices that keep time. */
  time?: DeviceTime;
  log?: LogSink;
}

export class IsaBus extends Bus {
  #env: IsaBusEnvironment | undefined;
  readonly #inputs: (Irq | undefined)[] = new Array(ISA_NUM_IRQS).fill(undefined);
  /** The bus's IRQ lines; each forwards to the registered input (QEMU's isa_get_irq). */
  readonly irqs: readonly IrqLine[] = Array.from(
    { length: ISA_NUM_IRQS },
    (_, n) => new IrqLine((level) => this.#inputs[n]?.set(level), `isa-irq[${n}]`),
  );

  /** Give the bus its spaces and services (the providing bridge does this at its realize). */
  configure(env: IsaBusEnvironment): void {
    this.#env = env;
  }

  get configured(): boolean {
    return this.#env !== undefined;
  }

  /** The bus's environment; throws if nobody configured it (a wiring mistake). */
  get environment(): IsaBusEnvironment {
    if (this.#env === undefined) {
      throw new QomError(`ISA bus '${this.name}' has no environment (call configure first)`);
    }
    return this.#env;
  }

  get log(): LogSink {
    return this.#env?.log ?? SILENT_LOG;
  }

  /**
   * Where IRQ0-IRQ15 go (QEMU's isa_bus_register_input_irqs): on a PC, the GSI lines that
   * fan out to the 8259 pair and the IOAPIC. A line's current level is passed on at once.
   */
  registerInputIrqs(inputs: readonly Irq[]): void {
    if (inputs.length !== ISA_NUM_IRQS) {
      throw new QomError(`An ISA bus needs ${ISA_NUM_IRQS} interrupt inputs, got ${inputs.length}`);
    }
    inputs.forEach((input, n) => {
      this.#inputs[n] = input;
      if (this.irqs[n].level) input.set(1);
    });
  }

  /** IRQ line `n` of the bus (QEMU's isa_bus_get_irq / isa_get_irq). */
  getIrq(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n >= ISA_NUM_IRQS) {
      throw new QomError(`ISA bus '${this.name}': no IRQ ${n} (IRQ0-IRQ15 exist)`);
    }
    return this.irqs[n];
  }
}

/** QEMU's `ISA` bus type. */
export const ISA_BUS = defineBus({ name: TYPE_ISA_BUS, instance: IsaBus });
