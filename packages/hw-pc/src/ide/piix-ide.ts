/**
 * QEMU's `piix3-ide` (hw/ide/piix.c): function 1 of the 82371SB PIIX3, the PC's IDE
 * controller, PCI 8086:7010, class 0x0101 (IDE) with programming interface 0x80.
 *
 * - Both channels are always in compatibility ("legacy") mode, which is all the PIIX3 has:
 *   the primary channel answers at 0x1f0-0x1f7 and 0x3f6 and interrupts on ISA IRQ 14, the
 *   secondary at 0x170-0x177 and 0x376 on IRQ 15, whatever the BARs and the command
 *   register say. Prog-if 0x80 tells the guest exactly that: bus-master capable, neither
 *   channel switchable to native mode.
 * - BAR4 (16 bytes of I/O, `piix-bmdma-container`) holds the bus-master DMA registers of
 *   both channels (channel 1 at +8), decoded only while the command register's I/O enable
 *   is set; the DMA itself reaches memory only while its bus-master enable is set.
 * - IDETIM (0x40 primary, 0x42 secondary) and SIDETIM (0x44) are plain storage: timings
 *   mean nothing to an emulated drive, but firmware writes them (SeaBIOS sets IDETIM's
 *   decode-enable bit 15 on both channels) and Linux's ata_piix reads them back.
 *
 * The drives are given with {@link PiixIde.setDrives} before realize (qom has no property
 * kind for a block backend); `isa-irq[0]` and `isa-irq[1]` are wired to ISA IRQ 14 and 15
 * by {@link createPiix3Ide} or the chipset builder.
 */
import type { MemoryRegion } from '@tsemu/memory';
import {
  err,
  QomError,
  type ResetType,
  type Result,
  type TypeRegistry,
  unwrap,
  vmstate,
} from '@tsemu/qom';
import type { IsaBus } from '../isa/isa-bus.js';
import type { PciBus } from '../pci/pci-bus.js';
import { definePciDevice, PciDevice, pciDeviceStateFields } from '../pci/pci-device.js';
import {
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_CLASS_STORAGE_IDE,
  PCI_STATUS,
  PCI_STATUS_DEVSEL_MEDIUM,
  PCI_STATUS_FAST_BACK,
  PCI_VENDOR_ID_INTEL,
} from '../pci/pci-regs.js';
import { BM_PRD_TABLE, BusMasterDma } from './bmdma.js';
import { IdeChannel } from './ide-channel.js';
import type { IdeDriveConfig } from './ide-drive.js';
import { type IdeDriveSpec, type IdeDriveTable, ideDriveTable } from './ide-drives.js';
import { IDE_DATA } from './ide-regs.js';
import {
  channelFromSaved,
  channelToSaved,
  type PiixIdeSavedState,
  piixIdeStateDescription,
} from './piix-ide-state.js';

export const TYPE_PIIX3_IDE = 'piix3-ide';

/** 82371SB PIIX3 function 1 (IDE). */
export const PCI_DEVICE_ID_INTEL_82371SB_1 = 0x7010;

/** Programming interface: both channels in compatibility mode, not switchable, bus master. */
export const PIIX_IDE_PROG_IF = 0x80;

/** The BAR holding the bus-master registers (BMIBA, config 0x20). */
export const PIIX_IDE_BMDMA_BAR = 4;
/** Bus-master registers: 8 bytes per channel. */
export const PIIX_IDE_BMDMA_SIZE = 16;

/** IDE timing register of the primary channel (16 bits); bit 15 is its decode enable. */
export const PIIX_IDETIM_PRIMARY = 0x40;
/** IDE timing register of the secondary channel (16 bits). */
export const PIIX_IDETIM_SECONDARY = 0x42;
/** Slave IDE timing register (8 bits, PIIX3 only). */
export const PIIX_SIDETIM = 0x44;
/** IDETIM bit 15: IDE decode enable (kept; the ports are decoded regardless, as in QEMU). */
export const PIIX_IDETIM_DECODE_ENABLE = 0x8000;

/** Where each channel lives in compatibility mode (QEMU's port_info). */
export const PIIX_IDE_LEGACY = [
  { iobase: 0x1f0, ctrlPort: 0x3f6, isaIrq: 14 },
  { iobase: 0x170, ctrlPort: 0x376, isaIrq: 15 },
] as const;

/** Command block registers per channel (data .. status/command). */
const COMMAND_BLOCK_SIZE = 8;
/** Offset of a channel's PRD table pointer within its 8 bus-master bytes. */
const BMDMA_ADDR_OFFSET = BM_PRD_TABLE;

export class PiixIde extends PciDevice {
  /** INTRQ of the primary and secondary channel: ISA IRQ 14 and 15 (QEMU 8.2's `isa-irq`). */
  readonly isaIrq = this.outputLines('isa-irq', 2);
  #drives: IdeDriveTable = [undefined, undefined, undefined, undefined];
  #channels: [IdeChannel, IdeChannel] | undefined;
  #bmdma: BusMasterDma | undefined;
  /** The legacy port regions, mapped in the I/O space at realize. */
  #legacyRegions: MemoryRegion[] = [];

  /**
   * The drives (IDE indexes 0-3), before realize: each becomes an ATA disk or an ATAPI
   * CD-ROM on its channel.
   * @throws Error for an index outside 0-3, two drives at one index, or after realize.
   */
  setDrives(specs: readonly IdeDriveSpec[]): void {
    if (this.realized) throw new Error(`${TYPE_PIIX3_IDE}: drives are set before realize`);
    this.#drives = ideDriveTable(specs);
  }

  /** The drive at each IDE index (as given to setDrives). */
  get drives(): IdeDriveTable {
    return this.#drives;
  }

  /** The primary and secondary channel cores (after realize). */
  get channels(): readonly [IdeChannel, IdeChannel] {
    if (!this.#channels) throw new Error(`${TYPE_PIIX3_IDE}: not realized`);
    return this.#channels;
  }

  /** The bus-master core (after realize). */
  get bmdma(): BusMasterDma {
    if (!this.#bmdma) throw new Error(`${TYPE_PIIX3_IDE}: not realized`);
    return this.#bmdma;
  }

  /** Resolves once no block request of either channel is in flight (before a snapshot). */
  async drain(): Promise<void> {
    const channels = this.#channels;
    if (!channels) return;
    while (channels[0].busy || channels[1].busy) {
      await Promise.all([channels[0].drain(), channels[1].drain()]);
    }
  }

  protected override pciRealize(): Result<void> | undefined {
    const env = this.pciEnvironment;
    if (!env.dmaRoot) {
      return err(
        `${TYPE_PIIX3_IDE}: PCI bus '${this.pciBus.name}' has no DMA root; bus-master DMA needs one`,
      );
    }
    // The DMA address space is created on the first transfer: it follows the command
    // register's bus-master bit, so a guest that never enables it gets ERROR, not memory.
    const bmdma = new BusMasterDma({
      memory: { rw: (addr, buf, isWrite) => this.dmaSpace().rw(addr, buf, isWrite) },
      irqs: [this.isaIrq[0], this.isaIrq[1]],
    });
    this.#bmdma = bmdma;
    this.#channels = [this.#newChannel(0), this.#newChannel(1)];
    this.registerBar(PIIX_IDE_BMDMA_BAR, PCI_BASE_ADDRESS_SPACE_IO, this.#bmdmaBar(bmdma));
    this.#mapLegacyPorts();
    this.#applyResetValues();
    return undefined;
  }

  protected override pciUnrealize(): void {
    const io = this.pciEnvironment.ioSpace;
    for (const region of this.#legacyRegions) io.removeSubregion(region);
    this.#legacyRegions = [];
    for (const channel of this.#channels ?? []) {
      channel.reset(); // completions still in flight now change nothing
      channel.detach();
    }
    this.#channels = undefined;
    this.#bmdma = undefined;
  }

  #channelOptions(n: 0 | 1): {
    master: IdeDriveConfig | undefined;
    slave: IdeDriveConfig | undefined;
    firstSerial: number;
  } {
    // QEMU numbers every position's serial, present or not: QM00001 .. QM00004.
    return { master: this.#drives[2 * n], slave: this.#drives[2 * n + 1], firstSerial: 1 + 2 * n };
  }

  #newChannel(n: 0 | 1): IdeChannel {
    const bm = this.bmdma.channels[n];
    const channel = new IdeChannel({ ...this.#channelOptions(n), irq: bm.irqInput, log: this.log });
    bm.connect(channel);
    return channel;
  }

  /** BAR4 as QEMU lays it out: per channel, command/status bytes, then the PRD pointer. */
  #bmdmaBar(bmdma: BusMasterDma): MemoryRegion {
    const { memory } = this.pciEnvironment;
    const bar = memory.container('piix-bmdma-container', PIIX_IDE_BMDMA_SIZE);
    for (const n of [0, 1] as const) {
      const base = n * 8;
      // Command and status take byte accesses only (QEMU answers others with all ones).
      const registers = memory.io('piix-bmdma', 4, {
        read: (offset) => bmdma.read(base + offset, 1),
        write: (offset, value) => bmdma.write(base + offset, value, 1),
        valid: { minAccessSize: 1, maxAccessSize: 1 },
      });
      // The descriptor table pointer: bytes, words or the whole dword.
      const address = memory.io('bmdma', 4, {
        read: (offset, size) => bmdma.read(base + BMDMA_ADDR_OFFSET + offset, size),
        write: (offset, value, size) => bmdma.write(base + BMDMA_ADDR_OFFSET + offset, value, size),
      });
      bar.addSubregion(base, registers);
      bar.addSubregion(base + BMDMA_ADDR_OFFSET, address);
    }
    return bar;
  }

  /** The compatibility-mode ports, decoded whatever the BARs say (QEMU's ide_init_ioport). */
  #mapLegacyPorts(): void {
    const { memory, ioSpace } = this.pciEnvironment;
    for (const n of [0, 1] as const) {
      const { iobase, ctrlPort } = PIIX_IDE_LEGACY[n];
      const commandBlock = memory.io('ide', COMMAND_BLOCK_SIZE, {
        read: (offset, size) => this.#readCommandBlock(n, offset, size),
        write: (offset, value, size) => this.#writeCommandBlock(n, offset, value, size),
      });
      const controlBlock = memory.io('ide', 1, {
        read: () => this.channels[n].readControl(),
        write: (_offset, value) => this.channels[n].writeControl(value),
        impl: { maxAccessSize: 1 },
      });
      ioSpace.addSubregion(iobase, commandBlock);
      ioSpace.addSubregion(ctrlPort, controlBlock);
      this.#legacyRegions.push(commandBlock, controlBlock);
    }
  }

  /**
   * The data register takes 16- and 32-bit accesses (insw/insl); a wider access to the
   * other registers reaches them byte by byte, lowest first, as QEMU's portio splits it.
   * The memory API only passes aligned accesses inside the 8 bytes.
   */
  #readCommandBlock(n: 0 | 1, offset: number, size: 1 | 2 | 4): number {
    const channel = this.channels[n];
    if (offset === IDE_DATA && size !== 1) return channel.read(IDE_DATA, size);
    let value = 0;
    for (let i = 0; i < size; i++) value |= channel.read(offset + i, 1) << (8 * i);
    return value >>> 0;
  }

  #writeCommandBlock(n: 0 | 1, offset: number, value: number, size: 1 | 2 | 4): void {
    const channel = this.channels[n];
    if (offset === IDE_DATA && size !== 1) {
      channel.write(IDE_DATA, value, size);
      return;
    }
    for (let i = 0; i < size; i++) channel.write(offset + i, (value >>> (8 * i)) & 0xff, 1);
  }

  /** Values after reset (QEMU's piix_ide_reset; IDETIM/SIDETIM 0 as the datasheet says). */
  #applyResetValues(): void {
    this.setWord(PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);
    this.config.fill(0, PIIX_IDETIM_PRIMARY, PIIX_SIDETIM + 1);
  }

  protected override resetHold(type: ResetType): void {
    super.resetHold(type);
    this.#applyResetValues();
    this.#bmdma?.reset();
    for (const channel of this.#channels ?? []) channel.reset();
  }

  // ---- state -----------------------------------------------------------------------------

  /** The channels' and bus masters' state; block requests must have settled (`drain()`). */
  get ide(): PiixIdeSavedState {
    const channels = this.channels;
    if (channels[0].busy || channels[1].busy) {
      throw new QomError(
        `${TYPE_PIIX3_IDE}: a block request is in flight; await drain() before saving or loading`,
      );
    }
    return {
      channels: channels.map((channel) => channelToSaved(channel.state())),
      bmdma: this.bmdma.state(),
    };
  }

  set ide(state: PiixIdeSavedState) {
    const old = this.channels;
    if (old[0].busy || old[1].busy) {
      throw new QomError(
        `${TYPE_PIIX3_IDE}: a block request is in flight; await drain() before saving or loading`,
      );
    }
    const channels: [IdeChannel, IdeChannel] = [old[0], old[1]];
    for (const n of [0, 1] as const) {
      old[n].detach();
      const bm = this.bmdma.channels[n];
      // A channel is rebuilt from its state with the same drives; it re-raises the
      // interrupt its state implies (through the bus master, whose status is loaded next).
      channels[n] = IdeChannel.fromState(channelFromSaved(state.channels[n]), {
        ...this.#channelOptions(n),
        irq: bm.irqInput,
        log: this.log,
      });
      bm.connect(channels[n]);
    }
    this.#channels = channels;
    this.bmdma.loadState([state.bmdma[0], state.bmdma[1]]);
    for (const n of [0, 1] as const) {
      // The line was perhaps high before the load and the loaded state has it low.
      const asserted = channels[n].irqAsserted;
      if ((this.isaIrq[n].level !== 0) !== asserted) this.isaIrq[n].set(asserted);
    }
  }
}

export const PIIX3_IDE = definePciDevice<PiixIde>({
  name: TYPE_PIIX3_IDE,
  instance: PiixIde,
  desc: 'PIIX3 IDE controller (fixed legacy ports 0x1f0/0x170, IRQ 14/15)',
  // Its ports and IRQs are fixed: a second one would collide with the first.
  userCreatable: false,
  hotpluggable: false,
  categories: ['storage'],
  pci: {
    vendorId: PCI_VENDOR_ID_INTEL,
    deviceId: PCI_DEVICE_ID_INTEL_82371SB_1,
    classId: PCI_CLASS_STORAGE_IDE,
    classProg: PIIX_IDE_PROG_IF,
  },
  state: {
    name: 'ide',
    version: 1,
    fields: {
      ...pciDeviceStateFields<PiixIde>(),
      ide: vmstate.struct(piixIdeStateDescription),
    },
    postLoad: (dev) => dev.pciPostLoad(),
  },
});

export interface Piix3IdeOptions {
  /** A registry holding PIIX3_IDE and the PCI base types. */
  registry: TypeRegistry;
  pciBus: PciBus;
  /** The ISA bus whose IRQ 14 and 15 the channels drive (the PIIX3's `isa.0`). */
  isaBus: IsaBus;
  /** Where to put it; QEMU's pc machine uses 01.1, function 1 of the PIIX3's slot. */
  devfn?: number;
  /** The drives by IDE index (see {@link ideDrivesFromBlock}). */
  drives?: readonly IdeDriveSpec[];
}

/**
 * Create, wire and realize a `piix3-ide` (QEMU's pc_init1: `pci_create_simple(pci_bus,
 * piix3_devfn + 1, TYPE_PIIX3_IDE)` and `pci_ide_create_devs`).
 * @throws Error for a bad drive table; QomError if realize fails (an address in use).
 */
export function createPiix3Ide(options: Piix3IdeOptions): PiixIde {
  const ide = options.registry.objectNew(PIIX3_IDE);
  if (options.devfn !== undefined) ide.props.addr = options.devfn;
  ide.setDrives(options.drives ?? []);
  ide.isaIrq[0].connect(options.isaBus.getIrq(PIIX_IDE_LEGACY[0].isaIrq));
  ide.isaIrq[1].connect(options.isaBus.getIrq(PIIX_IDE_LEGACY[1].isaIrq));
  unwrap(ide.realize(options.pciBus));
  return ide;
}
