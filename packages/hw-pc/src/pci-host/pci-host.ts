/**
 * PCIHostState: the host side of a PCI host bridge (QEMU's hw/pci/pci_host.c and
 * `pci-host-bridge`). A bus-less device that owns the root PCI bus and answers
 * configuration mechanism #1 on two 4-byte I/O regions, `pci-conf-idx` and
 * `pci-conf-data`, which a concrete bridge maps (the i440FX at 0xcf8 and 0xcfc).
 */
import type { MemoryCore, MemoryRegion } from '@tsemu/memory';
import { Device, defineDevice, err, type PropSpecs, QomError, type Result } from '@tsemu/qom';
import type { DeviceTime, LogSink } from '../device-env.js';
import { PCI_BUS, type PciBus } from '../pci/pci-bus.js';
import { type ConfigAddressByteClaim, PciConfigMechanism1 } from './config-mechanism.js';

export const TYPE_PCI_HOST_BRIDGE = 'pci-host-bridge';

/** What a host bridge is wired to; the machine gives it before realize. */
export interface PciHostEnvironment {
  /** Creates the regions. */
  memory: MemoryCore;
  /** System memory: bus masters see it, and the PCI space is mapped into it. */
  system: MemoryRegion;
  /** The I/O port space (also the PCI I/O space on a PC). */
  io: MemoryRegion;
  /** The PCI memory space; the host bridge creates one (`pci`, 2^64 bytes) when omitted. */
  pci?: MemoryRegion;
  /** Guest RAM (`pc.ram`), which the i440FX shadows below 1 MiB. */
  ram?: MemoryRegion;
  /** The virtual clock, handed to the devices on the bus. */
  time?: DeviceTime;
  log?: LogSink;
}

export class PciHostBridge<P extends PropSpecs = {}> extends Device<P> {
  #env: PciHostEnvironment | undefined;
  #bus: PciBus | undefined;
  #pciSpace: MemoryRegion | undefined;
  /** CONFIG_ADDRESS / CONFIG_DATA (created at realize). */
  #mechanism: PciConfigMechanism1 | undefined;
  /** The `pci-conf-idx` and `pci-conf-data` regions (created at realize). */
  confIdx: MemoryRegion | undefined;
  confData: MemoryRegion | undefined;

  /** Give the bridge its memory, I/O space, RAM and clock; before realize. */
  setEnvironment(env: PciHostEnvironment): void {
    if (this.realized)
      throw new QomError(`${this.typeName}: the environment is set before realize`);
    this.#env = env;
  }

  protected get environment(): PciHostEnvironment {
    if (!this.#env) throw new QomError(`${this.typeName}: no environment`);
    return this.#env;
  }

  /** The root PCI bus (`pci.0`), from realize on. */
  get bus(): PciBus {
    if (!this.#bus) throw new QomError(`${this.typeName}: not realized`);
    return this.#bus;
  }

  /** The PCI memory space (the `pci` region), from realize on. */
  get pciSpace(): MemoryRegion {
    if (!this.#pciSpace) throw new QomError(`${this.typeName}: not realized`);
    return this.#pciSpace;
  }

  /** The configuration mechanism (CONFIG_ADDRESS is its state), from realize on. */
  get configMechanism(): PciConfigMechanism1 {
    if (!this.#mechanism) throw new QomError(`${this.typeName}: not realized`);
    return this.#mechanism;
  }

  /** CONFIG_ADDRESS as the guest last wrote it (for state). */
  get configAddress(): number {
    return this.#mechanism?.configAddress ?? 0;
  }

  set configAddress(value: number) {
    if (this.#mechanism) this.#mechanism.configAddress = value >>> 0;
  }

  /**
   * Let another device decode byte `offset` (1-3) of the CONFIG_ADDRESS window for
   * non-dword accesses (the PIIX3's reset control register at 0xcf9). Returns false when
   * the bridge is not realized yet.
   */
  claimConfigAddressByte(offset: number, claim: ConfigAddressByteClaim | undefined): boolean {
    if (!this.#mechanism) return false;
    this.#mechanism.claimAddressByte(offset, claim);
    return true;
  }

  protected override onRealize(): Result<void> | undefined {
    if (!this.#env)
      return err(`${this.typeName}: no environment (call setEnvironment before realize)`);
    const env = this.#env;
    this.#pciSpace = env.pci ?? env.memory.container('pci', 2n ** 64n);
    const bus = this.createBus(PCI_BUS, 'pci.0');
    bus.configure({
      memory: env.memory,
      memorySpace: this.#pciSpace,
      ioSpace: env.io,
      dmaRoot: env.system,
      time: env.time,
      log: env.log,
    });
    this.#bus = bus;
    const mechanism = new PciConfigMechanism1(bus);
    this.#mechanism = mechanism;
    this.confIdx = env.memory.io('pci-conf-idx', 4, {
      read: (offset, size) => mechanism.readAddress(offset, size),
      write: (offset, value, size) => mechanism.writeAddress(offset, value, size),
    });
    this.confData = env.memory.io('pci-conf-data', 4, {
      read: (offset, size) => mechanism.readData(offset, size),
      write: (offset, value, size) => mechanism.writeData(offset, value, size),
      // A word at 0xcfd is split into bytes 0xcfd and 0xcfe: every lane reaches its register.
      valid: { unaligned: true },
    });
    return this.hostRealize();
  }

  /** Map the configuration ports and build the rest of the bridge. */
  protected hostRealize(): Result<void> | undefined {
    return undefined;
  }

  protected override resetHold(): void {
    this.#mechanism?.reset();
  }
}

/** QEMU's abstract `pci-host-bridge`. */
export const PCI_HOST_BRIDGE = defineDevice({
  name: TYPE_PCI_HOST_BRIDGE,
  instance: PciHostBridge,
  abstract: true,
  userCreatable: false,
  categories: ['bridge'],
});
