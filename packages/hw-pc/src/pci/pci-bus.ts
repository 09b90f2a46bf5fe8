/**
 * The PCI bus (QEMU's PCIBus): 256 device/function slots, the memory and I/O spaces that
 * BARs are mapped into, and the INTx wiring from a device's pin to the host bridge's
 * interrupt router (the PIIX3's PIRQA-D on a PC).
 */
import type { MemoryCore, MemoryRegion } from '@tsemu/memory';
import { Bus, defineBus, QomError } from '@tsemu/qom';
import type { DeviceTime, LogSink } from '../device-env.js';
import { SILENT_LOG } from '../device-env.js';
import type { PciDevice } from './pci-device.js';
import { PCI_DEVFN_MAX, PCI_NUM_PINS, pciSlot } from './pci-regs.js';

export const TYPE_PCI_BUS = 'PCI';

/** What the devices on a PCI bus are built with, given by whoever provides the bus. */
export interface PciBusEnvironment {
  /** Creates the devices' regions. */
  memory: MemoryCore;
  /** The PCI memory space: memory BARs are mapped here (QEMU's pci_address_space). */
  memorySpace: MemoryRegion;
  /** The PCI I/O space: I/O BARs and fixed ports go here (QEMU's pci_address_space_io). */
  ioSpace: MemoryRegion;
  /** What bus masters reach (system memory); a device's DMA space aliases it. */
  dmaRoot?: MemoryRegion;
  /** The virtual clock, for devices that keep time (the ACPI PM timer). */
  time?: DeviceTime;
  log?: LogSink;
}

/** Maps a device's interrupt pin (0 = INTA#) to an interrupt line of the bus (QEMU's pci_map_irq_fn). */
export type PciMapIrqFn = (dev: PciDevice, pin: number) => number;

/** Receives the level of the bus's interrupt line `irq` (QEMU's pci_set_irq_fn). */
export type PciSetIrqFn = (irq: number, level: boolean) => void;

/** The standard swizzle of a bridge: INTA# of slot n arrives on line (n mod 4). */
export const pciSwizzleMapIrq: PciMapIrqFn = (dev, pin) =>
  (pin + pciSlot(dev.devfn)) % PCI_NUM_PINS;

export class PciBus extends Bus {
  /** The devices by devfn (QEMU's bus->devices). */
  readonly devices: (PciDevice | undefined)[] = new Array(PCI_DEVFN_MAX).fill(undefined);
  /** The lowest devfn given to a device that asks for any free slot. */
  devfnMin = 0;
  #env: PciBusEnvironment | undefined;
  #mapIrq: PciMapIrqFn = pciSwizzleMapIrq;
  #setIrq: PciSetIrqFn | undefined;
  /** Per interrupt line, how many asserted INTx pins are routed to it (QEMU's irq_count). */
  #irqCount = new Int32Array(PCI_NUM_PINS);

  /** Give the bus its spaces and services; the provider does this before devices realize. */
  configure(env: PciBusEnvironment): void {
    this.#env = env;
  }

  get configured(): boolean {
    return this.#env !== undefined;
  }

  /** The bus's environment; throws if the provider never configured it (a wiring mistake). */
  get environment(): PciBusEnvironment {
    if (this.#env === undefined) {
      throw new QomError(`PCI bus '${this.name}' has no environment (call configure first)`);
    }
    return this.#env;
  }

  get log(): LogSink {
    return this.#env?.log ?? SILENT_LOG;
  }

  /** The bus number; the root bus of a host bridge is bus 0. */
  get busNumber(): number {
    return 0;
  }

  // ---- interrupts ------------------------------------------------------------------------

  /** Route the bus's interrupt lines to `setIrq` (QEMU's pci_bus_irqs). */
  setIrqHandler(setIrq: PciSetIrqFn, lines = PCI_NUM_PINS): void {
    if (!Number.isInteger(lines) || lines < 1) {
      throw new QomError(`A PCI bus needs at least one interrupt line, got ${lines}`);
    }
    this.#setIrq = setIrq;
    if (lines !== this.#irqCount.length) {
      this.#irqCount = new Int32Array(lines);
      this.recomputeIrqCounts();
    }
  }

  /** How device pins map to the bus's lines (QEMU's pci_bus_map_irqs). */
  setMapIrq(mapIrq: PciMapIrqFn): void {
    this.#mapIrq = mapIrq;
    this.recomputeIrqCounts();
  }

  /** The interrupt line a device pin (0 = INTA#) is wired to. */
  mapIrq(dev: PciDevice, pin: number): number {
    const line = this.#mapIrq(dev, pin);
    if (!Number.isInteger(line) || line < 0 || line >= this.#irqCount.length) {
      throw new QomError(
        `PCI bus '${this.name}': map_irq gave line ${line} for pin ${pin} of ${dev.typeName}; the bus has ${this.#irqCount.length}`,
      );
    }
    return line;
  }

  /** Number of interrupt lines (PIRQs). */
  get irqLines(): number {
    return this.#irqCount.length;
  }

  /** Whether any device drives line `irq` (QEMU's pci_bus_get_irq_level). */
  irqLevel(irq: number): boolean {
    return (this.#irqCount[irq] ?? 0) !== 0;
  }

  /** @internal A device pin changed by `change` (+1 asserted, -1 deasserted). */
  changeIrqLevel(dev: PciDevice, pin: number, change: number): void {
    const line = this.mapIrq(dev, pin);
    this.#irqCount[line] += change;
    this.#setIrq?.(line, this.#irqCount[line] !== 0);
  }

  /**
   * Rebuild the per-line counts from the devices' pin states, without driving the lines:
   * after a state load, or when the routing function changes.
   */
  recomputeIrqCounts(): void {
    this.#irqCount.fill(0);
    for (const dev of this.devices) {
      if (!dev) continue;
      for (let pin = 0; pin < PCI_NUM_PINS; pin++) {
        if (dev.intxAsserted(pin)) this.#irqCount[this.mapIrq(dev, pin)]++;
      }
    }
  }

  // ---- configuration space ---------------------------------------------------------------

  /** The function at `devfn`, if any. */
  findDevice(devfn: number): PciDevice | undefined {
    return this.devices[devfn & 0xff];
  }

  /**
   * A configuration read of `size` bytes at register `offset` of function `devfn`, as a
   * host bridge issues it (QEMU's pci_data_read): all ones where no function answers.
   */
  configRead(devfn: number, offset: number, size: 1 | 2 | 4): number {
    const dev = this.findDevice(devfn);
    const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    if (!dev) return mask;
    const reg = offset & 0xff;
    if (reg + size > 0x100) return mask;
    return dev.configRead(reg, size) >>> 0;
  }

  /** A configuration write (QEMU's pci_data_write); dropped where no function answers. */
  configWrite(devfn: number, offset: number, value: number, size: 1 | 2 | 4): void {
    const dev = this.findDevice(devfn);
    const reg = offset & 0xff;
    if (!dev || reg + size > 0x100) return;
    dev.configWrite(reg, value >>> 0, size);
  }

  /** @internal */
  registerDevice(dev: PciDevice, devfn: number): void {
    this.devices[devfn] = dev;
  }

  /** @internal */
  unregisterDevice(dev: PciDevice): void {
    const i = this.devices.indexOf(dev);
    if (i >= 0) this.devices[i] = undefined;
  }
}

/** QEMU's `PCI` bus type. */
export const PCI_BUS = defineBus({ name: TYPE_PCI_BUS, instance: PciBus });
