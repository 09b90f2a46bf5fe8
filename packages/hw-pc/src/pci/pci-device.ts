/**
 * PCIDevice: the base of every PCI function (QEMU's hw/pci/pci.c, the device half).
 *
 * It owns the 256-byte configuration space and the masks that say what the guest may change
 * in it (QEMU's `wmask`: writable bits; `w1cmask`: write-1-to-clear bits), maps its BARs
 * into the bus's memory and I/O spaces when the command register enables decoding, and
 * drives its INTx# pin through the bus's routing to the host bridge.
 *
 * A concrete function extends PciDevice, declares its IDs with {@link definePciDevice}, and
 * overrides the hooks: `pciRealize` (create regions, `registerBar`), `configWrite` (react to
 * its own registers, calling `super.configWrite` first), `resetHold` (calling
 * `super.resetHold` first).
 */
import type { AddressSpace, MemoryRegion } from '@tsemu/memory';
import {
  Device,
  DeviceClass,
  type DeviceDefinition,
  defineDevice,
  err,
  type PropSpecs,
  prop,
  QomError,
  type ResetType,
  type Result,
  type StateFields,
  type TypeInfo,
  vmstate,
} from '@tsemu/qom';
import type { LogSink } from '../device-env.js';
import type { PciBus, PciBusEnvironment } from './pci-bus.js';
import { TYPE_PCI_BUS } from './pci-bus.js';
import { formatPciAddr, PCI_DEVFN_AUTO, pciDevfnProp } from './pci-devfn-prop.js';
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_CACHE_LINE_SIZE,
  PCI_CLASS_DEVICE,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_SERR,
  PCI_CONFIG_HEADER_SIZE,
  PCI_CONFIG_SPACE_SIZE,
  PCI_DEVICE_ID,
  PCI_FUNC_MAX,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_HEADER_TYPE_MULTI_FUNCTION,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_NUM_PINS,
  PCI_NUM_REGIONS,
  PCI_REVISION_ID,
  PCI_ROM_ADDRESS,
  PCI_ROM_ADDRESS_ENABLE,
  PCI_ROM_ADDRESS1,
  PCI_ROM_SLOT,
  PCI_STATUS,
  PCI_STATUS_DETECTED_PARITY,
  PCI_STATUS_INTERRUPT,
  PCI_STATUS_PARITY,
  PCI_STATUS_REC_MASTER_ABORT,
  PCI_STATUS_REC_TARGET_ABORT,
  PCI_STATUS_SIG_SYSTEM_ERROR,
  PCI_STATUS_SIG_TARGET_ABORT,
  PCI_SUBDEVICE_ID_QEMU,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
  PCI_VENDOR_ID,
  pciDevfn,
  pciFunc,
  pciSlot,
} from './pci-regs.js';

export const TYPE_PCI_DEVICE = 'pci-device';

/** A BAR that is not decoded (QEMU's PCI_BAR_UNMAPPED). */
export const PCI_BAR_UNMAPPED = -1;

/** Addresses a 64-bit BAR may hold and still be reachable (the access path uses Numbers). */
const MAX_BAR_END = 2 ** 53;
const TWO_32 = 2 ** 32;

/** Per-type identity of a PCI function (QEMU's PCIDeviceClass fields). */
export class PciDeviceClass extends DeviceClass {
  vendorId = 0;
  deviceId = 0;
  revision = 0;
  /** Class and subclass (16 bits), e.g. 0x0601 ISA bridge; the programming interface is separate. */
  classId = 0;
  /** Programming interface (the class code's low byte). */
  classProg = 0;
  /** 0 with subsystemId 0 means QEMU's default 1af4:1100. */
  subsystemVendorId = 0;
  subsystemId = 0;
  /** A PCI-to-PCI bridge (type-1 header); no subsystem IDs. */
  isBridge = false;
}

/** One BAR (or the ROM BAR): what is registered and where it is mapped (QEMU's PCIIORegion). */
export interface PciIoRegion {
  /** Size in bytes (a power of two); 0 when the BAR is not registered. */
  size: number;
  /** The BAR's type bits: I/O, 64-bit, prefetchable. */
  type: number;
  region: MemoryRegion | undefined;
  /** Where it is mapped, or PCI_BAR_UNMAPPED. */
  addr: number;
}

const pciDeviceProps = {
  addr: pciDevfnProp({ description: 'Slot and optional function number, example: 06.0 or 06' }),
  multifunction: prop.bool({
    default: false,
    description: 'on/off: the function-0 header says functions 1-7 may exist',
  }),
};

export type PciDeviceProps = typeof pciDeviceProps;

const W1C_STATUS =
  PCI_STATUS_PARITY |
  PCI_STATUS_SIG_TARGET_ABORT |
  PCI_STATUS_REC_TARGET_ABORT |
  PCI_STATUS_REC_MASTER_ABORT |
  PCI_STATUS_SIG_SYSTEM_ERROR |
  PCI_STATUS_DETECTED_PARITY;

function rangesOverlap(a: number, aLen: number, b: number, bLen: number): boolean {
  return a < b + bLen && b < a + aLen;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

export class PciDevice<P extends PropSpecs = {}> extends Device<PciDeviceProps & P> {
  /** The configuration space as the guest sees it (state: saved and loaded). */
  readonly config = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  /** Bits the guest may write (QEMU's wmask). */
  readonly wmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  /** Bits the guest clears by writing 1 (QEMU's w1cmask). */
  readonly w1cmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  /** Bit n: INTx pin n is asserted by the device (state). */
  irqState = 0;
  /** The device/function number on its bus, from realize on. */
  devfn = PCI_DEVFN_AUTO;
  /** BAR0-BAR5 and the ROM BAR. */
  readonly ioRegions: PciIoRegion[] = Array.from({ length: PCI_NUM_REGIONS }, () => ({
    size: 0,
    type: 0,
    region: undefined,
    addr: PCI_BAR_UNMAPPED,
  }));
  #busMasterRegion: MemoryRegion | undefined;
  #dmaSpace: AddressSpace | undefined;

  get pciClass(): PciDeviceClass {
    return this.objectClass as PciDeviceClass;
  }

  /** The bus the function is on (throws before it is plugged). */
  get pciBus(): PciBus {
    const bus = this.parentBus;
    if (bus === undefined) throw new QomError(`${this.typeName} is not on a PCI bus`);
    return bus as PciBus;
  }

  /** The bus's environment: region factory, spaces, clock, log. */
  get pciEnvironment(): PciBusEnvironment {
    return this.pciBus.environment;
  }

  protected get log(): LogSink {
    return this.pciBus.log;
  }

  /** `SS.F`, as QEMU prints an address. */
  get pciAddress(): string {
    return formatPciAddr(this.devfn);
  }

  // ---- realize ---------------------------------------------------------------------------

  protected override onRealize(): Result<void> | undefined {
    const bus = this.pciBus;
    if (!bus.configured) {
      return err(
        `PCI bus '${bus.name}' has no environment (call configure before realizing devices)`,
      );
    }
    const devfn = this.#pickDevfn(bus);
    if (!devfn.ok) return devfn;
    this.devfn = devfn.value;
    this.#initConfig();
    const multi = this.#checkMultifunction(bus);
    if (!multi.ok) {
      this.devfn = PCI_DEVFN_AUTO;
      return multi;
    }
    bus.registerDevice(this, this.devfn);
    let outcome: Result<void> | undefined | void;
    try {
      outcome = this.pciRealize();
    } catch (e) {
      this.#undoRegistration();
      throw e;
    }
    if (outcome && !outcome.ok) {
      this.#undoRegistration();
      return outcome;
    }
    return undefined;
  }

  /** Build the function: create regions, register BARs, set device registers. */
  protected pciRealize(): Result<void> | undefined | void {}

  /** Undo pciRealize (BAR mappings are removed by the base). */
  protected pciUnrealize(): void {}

  protected override onUnrealize(): void {
    this.pciUnrealize();
    this.#undoRegistration();
  }

  #undoRegistration(): void {
    const env = this.pciBus.environment;
    env.memory.transaction(() => {
      for (const r of this.ioRegions) {
        if (r.region && r.addr !== PCI_BAR_UNMAPPED) this.#barSpace(r).removeSubregion(r.region);
        r.addr = PCI_BAR_UNMAPPED;
      }
    });
    this.#dmaSpace?.destroy();
    this.#dmaSpace = undefined;
    this.#busMasterRegion = undefined;
    this.pciBus.unregisterDevice(this);
  }

  #pickDevfn(bus: PciBus): Result<number> {
    const wanted = this.props.addr;
    if (wanted === PCI_DEVFN_AUTO) {
      for (let devfn = bus.devfnMin; devfn < bus.devices.length; devfn += PCI_FUNC_MAX) {
        if (!bus.devices[devfn]) return { ok: true, value: devfn };
      }
      return err(`PCI: no slot/function available for ${this.typeName}, all in use`);
    }
    const other = bus.devices[wanted];
    if (other) {
      return err(
        `PCI: slot ${pciSlot(wanted)} function ${pciFunc(wanted)} not available for ${this.typeName}, in use by ${other.typeName}`,
      );
    }
    return { ok: true, value: wanted };
  }

  /** QEMU's pci_init_multifunction: function 0 decides whether a slot holds several functions. */
  #checkMultifunction(bus: PciBus): Result<void> {
    const slot = pciSlot(this.devfn);
    if (this.props.multifunction) this.config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    if (pciFunc(this.devfn) !== 0) {
      const f0 = bus.devices[pciDevfn(slot, 0)];
      if (f0 && !f0.props.multifunction) {
        return err(
          `PCI: single function device can't be populated in function ${slot.toString(16)}.${pciFunc(this.devfn)}`,
        );
      }
      return { ok: true, value: undefined };
    }
    if (this.props.multifunction) return { ok: true, value: undefined };
    for (let fn = 1; fn < PCI_FUNC_MAX; fn++) {
      if (bus.devices[pciDevfn(slot, fn)]) {
        return err(
          `PCI: ${slot.toString(16)}.0 indicates single function, but ${slot.toString(16)}.${fn} is already populated.`,
        );
      }
    }
    return { ok: true, value: undefined };
  }

  /** IDs from the class, and QEMU's default masks (pci_init_wmask / pci_init_w1cmask). */
  #initConfig(): void {
    const c = this.pciClass;
    const config = this.config;
    config.fill(0);
    this.wmask.fill(0);
    this.w1cmask.fill(0);
    this.setWord(PCI_VENDOR_ID, c.vendorId);
    this.setWord(PCI_DEVICE_ID, c.deviceId);
    config[PCI_REVISION_ID] = c.revision;
    config[PCI_CLASS_PROG] = c.classProg;
    this.setWord(PCI_CLASS_DEVICE, c.classId);
    if (c.isBridge) {
      config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_BRIDGE;
    } else if (c.subsystemVendorId || c.subsystemId) {
      this.setWord(PCI_SUBSYSTEM_VENDOR_ID, c.subsystemVendorId);
      this.setWord(PCI_SUBSYSTEM_ID, c.subsystemId);
    } else {
      this.setWord(PCI_SUBSYSTEM_VENDOR_ID, PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
      this.setWord(PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
    }
    this.wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    this.wmask[PCI_INTERRUPT_LINE] = 0xff;
    this.setWordIn(
      this.wmask,
      PCI_COMMAND,
      PCI_COMMAND_IO |
        PCI_COMMAND_MEMORY |
        PCI_COMMAND_MASTER |
        PCI_COMMAND_INTX_DISABLE |
        PCI_COMMAND_SERR,
    );
    this.wmask.fill(0xff, PCI_CONFIG_HEADER_SIZE);
    this.setWordIn(this.w1cmask, PCI_STATUS, W1C_STATUS);
    this.irqState = 0;
  }

  // ---- configuration space helpers ---------------------------------------------------------

  getByte(offset: number): number {
    return this.config[offset];
  }

  getWord(offset: number): number {
    return this.config[offset] | (this.config[offset + 1] << 8);
  }

  getLong(offset: number): number {
    return (this.getWord(offset) | (this.getWord(offset + 2) << 16)) >>> 0;
  }

  setByte(offset: number, value: number): void {
    this.config[offset] = value;
  }

  setWord(offset: number, value: number): void {
    this.setWordIn(this.config, offset, value);
  }

  setLong(offset: number, value: number): void {
    this.setLongIn(this.config, offset, value);
  }

  protected setWordIn(bytes: Uint8Array, offset: number, value: number): void {
    bytes[offset] = value & 0xff;
    bytes[offset + 1] = (value >>> 8) & 0xff;
  }

  protected setLongIn(bytes: Uint8Array, offset: number, value: number): void {
    this.setWordIn(bytes, offset, value & 0xffff);
    this.setWordIn(bytes, offset + 2, (value >>> 16) & 0xffff);
  }

  /** Set the INTx pin the function uses (1 = INTA# .. 4 = INTD#; 0 none). */
  setInterruptPin(pin: number): void {
    if (!Number.isInteger(pin) || pin < 0 || pin > PCI_NUM_PINS) {
      throw new QomError(`${this.typeName}: interrupt pin must be 0-4, got ${pin}`);
    }
    this.config[PCI_INTERRUPT_PIN] = pin;
  }

  // ---- configuration space accesses (from the host bridge) ---------------------------------

  /**
   * A configuration read of `size` bytes at `offset` (QEMU's config_read; the default is
   * pci_default_read_config). The caller keeps the access inside the 256 bytes.
   */
  configRead(offset: number, size: number): number {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | this.config[offset + i];
    return value >>> 0;
  }

  /**
   * A configuration write (pci_default_write_config): each byte changes only in its
   * writable bits, write-1-to-clear bits clear, and a change to the command register or a
   * BAR remaps the BARs. Overrides call `super.configWrite` first and then react.
   */
  configWrite(offset: number, value: number, size: number): void {
    const wasIntxDisabled = this.intxDisabled;
    let v = value >>> 0;
    for (let i = 0; i < size; i++, v >>>= 8) {
      const at = offset + i;
      const w = this.wmask[at];
      const w1c = this.w1cmask[at];
      let byte = (this.config[at] & ~w) | (v & w);
      byte &= ~(v & w1c);
      this.config[at] = byte & 0xff;
    }
    if (
      rangesOverlap(offset, size, PCI_BASE_ADDRESS_0, 24) ||
      rangesOverlap(offset, size, PCI_ROM_ADDRESS, 4) ||
      rangesOverlap(offset, size, PCI_ROM_ADDRESS1, 4) ||
      rangesOverlap(offset, size, PCI_COMMAND, 1)
    ) {
      this.updateMappings();
    }
    if (rangesOverlap(offset, size, PCI_COMMAND, 2)) {
      this.#updateIntxDisabled(wasIntxDisabled);
      this.#busMasterRegion?.setEnabled((this.getWord(PCI_COMMAND) & PCI_COMMAND_MASTER) !== 0);
    }
  }

  // ---- BARs ------------------------------------------------------------------------------

  /**
   * Register BAR `index` (0-5, or PCI_ROM_SLOT) backed by `region` (QEMU's
   * pci_register_bar). `type` is PCI_BASE_ADDRESS_SPACE_IO, or memory with
   * PCI_BASE_ADDRESS_MEM_TYPE_64 and/or PCI_BASE_ADDRESS_MEM_PREFETCH. The size is the
   * region's and must be a power of two; the guest sizes the BAR by writing all ones.
   */
  registerBar(index: number, type: number, region: MemoryRegion): void {
    if (!Number.isInteger(index) || index < 0 || index > PCI_ROM_SLOT) {
      throw new QomError(`${this.typeName}: BAR index must be 0-6, got ${index}`);
    }
    const size = Number(region.size);
    // The spec's minimum sizes: 4 bytes of I/O, 16 of memory (the low bits hold the type).
    const minimum = index === PCI_ROM_SLOT ? 2048 : type & PCI_BASE_ADDRESS_SPACE_IO ? 4 : 16;
    if (!isPowerOfTwo(size) || size < minimum) {
      throw new QomError(
        `${this.typeName}: BAR${index} must be a power of two of at least ${minimum} bytes, got 0x${size.toString(16)}`,
      );
    }
    const is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) && (type & PCI_BASE_ADDRESS_MEM_TYPE_64) !== 0;
    if (is64 && index >= 5) {
      throw new QomError(`${this.typeName}: a 64-bit BAR needs two slots; BAR${index} is the last`);
    }
    const r = this.ioRegions[index];
    if (r.region && r.addr !== PCI_BAR_UNMAPPED) this.#barSpace(r).removeSubregion(r.region);
    r.size = size;
    r.type = type & 0xff;
    r.region = region;
    r.addr = PCI_BAR_UNMAPPED;
    const at = this.barOffset(index);
    // Writable address bits: all above the size (QEMU's wmask = ~(size - 1)).
    const lowMask = size >= TWO_32 ? 0 : (TWO_32 - size) >>> 0;
    const enable = index === PCI_ROM_SLOT ? PCI_ROM_ADDRESS_ENABLE : 0;
    this.setLong(at, r.type);
    this.setLongIn(this.wmask, at, (lowMask | enable) >>> 0);
    if (is64) {
      const highMask = size > TWO_32 ? (0x100000000 - size / TWO_32) >>> 0 : 0xffffffff;
      this.setLong(at + 4, 0);
      this.setLongIn(this.wmask, at + 4, highMask);
    }
  }

  /** Config offset of BAR `index` (QEMU's pci_bar). */
  barOffset(index: number): number {
    if (index !== PCI_ROM_SLOT) return PCI_BASE_ADDRESS_0 + index * 4;
    const type = this.config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MULTI_FUNCTION;
    return type === PCI_HEADER_TYPE_BRIDGE ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
  }

  /** Where BAR `index` is mapped, or PCI_BAR_UNMAPPED (QEMU's pci_get_bar_addr). */
  barAddress(index: number): number {
    return this.ioRegions[index]?.addr ?? PCI_BAR_UNMAPPED;
  }

  /**
   * The address BAR `index` decodes now, or PCI_BAR_UNMAPPED (QEMU's pci_bar_address):
   * decoding must be enabled in the command register, and a BAR that wraps, sits at 0, or
   * (32-bit) ends at the top of 4 GiB is treated as unmapped, as QEMU does.
   */
  #barDecodedAddress(index: number, r: PciIoRegion): number {
    const cmd = this.getWord(PCI_COMMAND);
    const at = this.barOffset(index);
    const size = r.size;
    if (r.type & PCI_BASE_ADDRESS_SPACE_IO) {
      if (!(cmd & PCI_COMMAND_IO)) return PCI_BAR_UNMAPPED;
      const addr = this.getLong(at) - (this.getLong(at) % size);
      const last = addr + size - 1;
      if (last <= addr || addr === 0 || last >= 0xffffffff) return PCI_BAR_UNMAPPED;
      return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) return PCI_BAR_UNMAPPED;
    let raw = this.getLong(at);
    if (r.type & PCI_BASE_ADDRESS_MEM_TYPE_64) raw += this.getLong(at + 4) * TWO_32;
    if (index === PCI_ROM_SLOT && !(raw & PCI_ROM_ADDRESS_ENABLE)) return PCI_BAR_UNMAPPED;
    const addr = raw - (raw % size);
    const last = addr + size - 1;
    if (last <= addr || addr === 0) return PCI_BAR_UNMAPPED;
    if (!(r.type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= 0xffffffff) return PCI_BAR_UNMAPPED;
    if (last >= MAX_BAR_END) return PCI_BAR_UNMAPPED;
    return addr;
  }

  #barSpace(r: PciIoRegion): MemoryRegion {
    const env = this.pciBus.environment;
    return r.type & PCI_BASE_ADDRESS_SPACE_IO ? env.ioSpace : env.memorySpace;
  }

  /**
   * Map, move or unmap the BARs to match the configuration space (QEMU's
   * pci_update_mappings). BARs sit at priority 1 in their space, over anything the machine
   * put there at priority 0.
   */
  updateMappings(): void {
    const env = this.pciBus.environment;
    env.memory.transaction(() => {
      for (let i = 0; i < PCI_NUM_REGIONS; i++) {
        const r = this.ioRegions[i];
        if (!r.size || !r.region) continue;
        const addr = this.#barDecodedAddress(i, r);
        if (addr === r.addr) continue;
        const space = this.#barSpace(r);
        if (r.addr !== PCI_BAR_UNMAPPED) space.removeSubregion(r.region);
        r.addr = addr;
        if (addr !== PCI_BAR_UNMAPPED) space.addSubregionOverlap(addr, r.region, 1);
      }
    });
  }

  /**
   * An expansion ROM (QEMU's `romfile`): a read-only region of the next power of two in
   * size, behind the ROM BAR.
   */
  addOptionRom(name: string, image: Uint8Array): MemoryRegion {
    let size = 2048;
    while (size < image.length) size *= 2;
    const rom = this.pciEnvironment.memory.rom(name, size);
    rom.bytes.set(image);
    this.registerBar(PCI_ROM_SLOT, 0, rom);
    return rom;
  }

  // ---- DMA -------------------------------------------------------------------------------

  /**
   * What this function reaches as a bus master (QEMU's bus_master_as): the bus's DMA root,
   * seen only while the command register's bus-master bit is set. Created on first use.
   */
  dmaSpace(): AddressSpace {
    if (this.#dmaSpace) return this.#dmaSpace;
    const env = this.pciEnvironment;
    if (!env.dmaRoot) {
      throw new QomError(`${this.typeName}: the PCI bus has no DMA root (dmaRoot)`);
    }
    const region = env.memory.alias(
      `${this.typeName}.bus-master`,
      env.dmaRoot,
      0,
      env.dmaRoot.size,
    );
    region.setEnabled((this.getWord(PCI_COMMAND) & PCI_COMMAND_MASTER) !== 0);
    this.#busMasterRegion = region;
    this.#dmaSpace = env.memory.addressSpace(`${this.typeName} ${this.pciAddress}`, region);
    return this.#dmaSpace;
  }

  // ---- INTx ------------------------------------------------------------------------------

  /** Whether the command register disables INTx. */
  get intxDisabled(): boolean {
    return (this.getWord(PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) !== 0;
  }

  /** Whether pin `pin` (0 = INTA#) is asserted on the bus (asserted and not disabled). */
  intxAsserted(pin: number): boolean {
    return ((this.irqState >> pin) & 1) !== 0 && !this.intxDisabled;
  }

  /** Drive the function's interrupt pin (QEMU's pci_set_irq). Without a pin it does nothing. */
  setIrq(level: boolean | number): void {
    const pin = this.config[PCI_INTERRUPT_PIN] - 1;
    if (pin < 0 || pin >= PCI_NUM_PINS) return;
    this.#irqHandler(pin, level ? 1 : 0);
  }

  /** Deassert every pin (QEMU's pci_device_deassert_intx). */
  deassertIntx(): void {
    for (let pin = 0; pin < PCI_NUM_PINS; pin++) this.#irqHandler(pin, 0);
  }

  #irqHandler(pin: number, level: number): void {
    const change = level - ((this.irqState >> pin) & 1);
    if (!change) return;
    this.irqState = (this.irqState & ~(1 << pin)) | (level << pin);
    this.#updateIrqStatus();
    if (this.intxDisabled) return;
    this.pciBus.changeIrqLevel(this, pin, change);
  }

  #updateIrqStatus(): void {
    if (this.irqState) this.config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else this.config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
  }

  #updateIntxDisabled(wasDisabled: boolean): void {
    const disabled = this.intxDisabled;
    if (disabled === wasDisabled) return;
    for (let pin = 0; pin < PCI_NUM_PINS; pin++) {
      const state = (this.irqState >> pin) & 1;
      if (state) this.pciBus.changeIrqLevel(this, pin, disabled ? -1 : 1);
    }
  }

  // ---- reset and state -------------------------------------------------------------------

  /**
   * PCI reset (QEMU's pci_do_device_reset): INTx deasserted, writable command and status
   * bits cleared, cache line and interrupt line 0, BARs back to their type bits and unmapped.
   * Subclasses override and call `super.resetHold` first, then set their own reset values.
   */
  protected override resetHold(_type: ResetType): void {
    this.deassertIntx();
    const clearCommand = this.getWord(PCI_COMMAND) & (this.#maskWord(PCI_COMMAND) ^ 0xffff);
    this.setWord(PCI_COMMAND, clearCommand);
    const clearStatus = this.getWord(PCI_STATUS) & (this.#maskWord(PCI_STATUS) ^ 0xffff);
    this.setWord(PCI_STATUS, clearStatus);
    this.config[PCI_CACHE_LINE_SIZE] = 0;
    this.config[PCI_INTERRUPT_LINE] = 0;
    for (let i = 0; i < PCI_NUM_REGIONS; i++) {
      const r = this.ioRegions[i];
      if (!r.size) continue;
      const at = this.barOffset(i);
      this.setLong(at, r.type);
      if (!(r.type & PCI_BASE_ADDRESS_SPACE_IO) && r.type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        this.setLong(at + 4, 0);
      }
    }
    this.updateMappings();
    this.#busMasterRegion?.setEnabled(false);
  }

  /** Writable or write-1-to-clear bits of a 16-bit register. */
  #maskWord(offset: number): number {
    return (
      this.wmask[offset] |
      this.w1cmask[offset] |
      ((this.wmask[offset + 1] | this.w1cmask[offset + 1]) << 8)
    );
  }

  /**
   * After the configuration space was loaded from a snapshot: remap the BARs, the bus-master
   * window and the bus's interrupt counts (without driving interrupt lines: the interrupt
   * controllers restore their own state).
   */
  pciPostLoad(): void {
    this.#updateIrqStatus();
    if (!this.realized) return;
    this.updateMappings();
    this.#busMasterRegion?.setEnabled((this.getWord(PCI_COMMAND) & PCI_COMMAND_MASTER) !== 0);
    this.pciBus.recomputeIrqCounts();
  }

  /** A BAR's description for `info pci`. */
  barInfo(): {
    bar: number;
    size: number;
    addr: number;
    io: boolean;
    is64: boolean;
    prefetch: boolean;
  }[] {
    const out = [];
    for (let i = 0; i < PCI_NUM_REGIONS; i++) {
      const r = this.ioRegions[i];
      if (!r.size) continue;
      const io = (r.type & PCI_BASE_ADDRESS_SPACE_IO) !== 0;
      out.push({
        bar: i,
        size: r.size,
        addr: r.addr,
        io,
        is64: !io && (r.type & PCI_BASE_ADDRESS_MEM_TYPE_64) !== 0,
        prefetch: !io && (r.type & PCI_BASE_ADDRESS_MEM_PREFETCH) !== 0,
      });
    }
    return out;
  }
}

/**
 * State fields every PCI function saves (QEMU's VMSTATE_PCI_DEVICE): the configuration
 * space and the pin levels. Spread them into a device's state and call `pciPostLoad`.
 */
export function pciDeviceStateFields<T extends PciDevice>(): StateFields<T> {
  return {
    config: vmstate.uint8Array(PCI_CONFIG_SPACE_SIZE),
    irqState: vmstate.uint8(),
  } as StateFields<T>;
}

/** IDs of a PCI function type (QEMU's PCIDeviceClass fields). */
export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  revision?: number;
  /** Class and subclass (16 bits). */
  classId: number;
  classProg?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  isBridge?: boolean;
}

/** A PCI function type: defineDevice on the PCI bus with its IDs. */
export function definePciDevice<I extends PciDevice, C extends PciDeviceClass = PciDeviceClass>(
  def: DeviceDefinition<I, C> & { readonly pci?: PciIdentity },
): TypeInfo<I, C> {
  const { pci, ...rest } = def;
  return defineDevice<I, C>({
    parent: TYPE_PCI_DEVICE,
    busType: TYPE_PCI_BUS,
    ...rest,
    classInit(dc) {
      if (pci) {
        dc.vendorId = pci.vendorId;
        dc.deviceId = pci.deviceId;
        dc.revision = pci.revision ?? 0;
        dc.classId = pci.classId;
        dc.classProg = pci.classProg ?? 0;
        dc.subsystemVendorId = pci.subsystemVendorId ?? 0;
        dc.subsystemId = pci.subsystemId ?? 0;
        dc.isBridge = pci.isBridge ?? false;
      }
      rest.classInit?.(dc);
    },
  });
}

/** QEMU's abstract `pci-device` type. */
export const PCI_DEVICE = defineDevice<PciDevice, PciDeviceClass>({
  name: TYPE_PCI_DEVICE,
  instance: PciDevice,
  classType: PciDeviceClass,
  abstract: true,
  busType: TYPE_PCI_BUS,
  props: pciDeviceProps,
  desc: 'PCI function',
});
