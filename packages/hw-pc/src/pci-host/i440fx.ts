/**
 * The Intel 82441FX PCI and Memory Controller (i440FX, datasheet 290549) as QEMU's
 * hw/pci-host/i440fx.c models it, in two devices:
 *
 * - `i440FX-pcihost`, the host side: the CPU's view. Configuration mechanism #1 at
 *   0xcf8/0xcfc, the root bus `pci.0`, the PCI memory space mapped under all of system
 *   memory, the SMRAM window at 0xa0000 and the 13 PAM segments shadowing 0xc0000-0xfffff.
 * - `i440FX`, function 00:00.0 (8086:1237, the PMC): its PAM registers 0x59-0x5f route each
 *   segment to the ROMs on PCI or to the DRAM below, its SMRAM register 0x72 opens the RAM
 *   behind the VGA window.
 */
import {
  I440FX_PAM_SEGMENTS,
  i440fxPamAttribute,
  type MemoryRegion,
  PamRegion,
} from '@tsemu/memory';
import { defineDevice, err, prop, type ResetType, type Result, unwrap, vmstate } from '@tsemu/qom';
import type { PciMapIrqFn } from '../pci/pci-bus.js';
import { definePciDevice, PciDevice, pciDeviceStateFields } from '../pci/pci-device.js';
import {
  PCI_CLASS_BRIDGE_HOST,
  PCI_NUM_PINS,
  PCI_VENDOR_ID_INTEL,
  pciSlot,
} from '../pci/pci-regs.js';
import { PciHostBridge, TYPE_PCI_HOST_BRIDGE } from './pci-host.js';

export const TYPE_I440FX_PCI_HOST_BRIDGE = 'i440FX-pcihost';
export const TYPE_I440FX_PCI_DEVICE = 'i440FX';

/** 82441FX device ID. */
export const PCI_DEVICE_ID_INTEL_82441 = 0x1237;

/** PAM0: the first of seven Programmable Attribute Map registers (0x59-0x5f). */
export const I440FX_PAM = 0x59;
export const I440FX_PAM_SIZE = 7;
/** SMRAM control register. */
export const I440FX_SMRAM = 0x72;
/**
 * A register real hardware does not have: old coreboot read the RAM size (in 8 MiB units,
 * at most 255) from it, and QEMU keeps filling it.
 */
export const I440FX_COREBOOT_RAM_SIZE = 0x57;

/** SMRAM bits 0-2: C_BASE_SEG, hardwired to 010 (SMRAM at 0xa0000). */
export const SMRAM_C_BASE_SEG = 0x07;
/** SMRAM bit 3: G_SMRAME, SMRAM is enabled for SMM code. */
export const SMRAM_G_SMRAME = 0x08;
/** SMRAM bit 4: D_LCK, locks the register until reset (and closes D_OPEN). */
export const SMRAM_D_LCK = 0x10;
/** SMRAM bit 5: D_CLS, data accesses of SMM code go to PCI (not modelled: no SMM). */
export const SMRAM_D_CLS = 0x20;
/** SMRAM bit 6: D_OPEN, the RAM at 0xa0000-0xbffff is visible outside SMM (VGA hidden). */
export const SMRAM_D_OPEN = 0x40;
/** SMRAM value after reset: C_BASE_SEG = 010, everything closed. */
export const SMRAM_RESET_VALUE = 0x02;

/** The SMRAM window: 128 KiB at 0xa0000 (QEMU's SMRAM_C_BASE / SMRAM_C_SIZE). */
export const SMRAM_C_BASE = 0xa0000;
export const SMRAM_C_SIZE = 0x20000;

/** Where the 32-bit PCI hole ends: the IOAPIC (QEMU's IO_APIC_DEFAULT_ADDRESS). */
export const PCI_HOLE_END = 0xfec00000;

/**
 * How the PC machine wires INTx to PIRQs (QEMU's pc_pci_slot_get_pirq, which SeaBIOS's
 * piix_pci_slot_get_irq and the ACPI tables mirror): pin `pin` of slot `n` drives PIRQ
 * (pin + n - 1) mod 4, so slot 1 INTA# is PIRQA.
 */
export const pcPciSlotGetPirq: PciMapIrqFn = (dev, pin) =>
  (pin + pciSlot(dev.devfn) - 1 + PCI_NUM_PINS) & (PCI_NUM_PINS - 1);

/** The regions the PMC's registers switch, built by the host bridge. */
interface I440fxWindows {
  pam: PamRegion[];
  smramRegion: MemoryRegion;
  smram: MemoryRegion;
}

/** `i440FX`: the PMC at 00:00.0. */
export class I440fxPmc extends PciDevice {
  #windows: I440fxWindows | undefined;

  /** The PAM segments (after the host bridge realized), in QEMU's order. */
  get pamRegions(): readonly PamRegion[] {
    return this.#windows?.pam ?? [];
  }

  /** The alias of PCI space over 0xa0000 (enabled while SMRAM is closed: VGA shows). */
  get smramRegion(): MemoryRegion | undefined {
    return this.#windows?.smramRegion;
  }

  /** What an SMM CPU sees over system memory: the SMRAM RAM at 0xa0000 (QEMU's `smram`). */
  get smram(): MemoryRegion | undefined {
    return this.#windows?.smram;
  }

  protected override pciRealize(): undefined {
    this.setByte(I440FX_SMRAM, SMRAM_RESET_VALUE);
    this.#setSmramWritable();
    return undefined;
  }

  /** @internal The host bridge hands over the windows it built. */
  attachWindows(windows: I440fxWindows): void {
    this.#windows = windows;
    this.updateMemoryMappings();
  }

  override configWrite(offset: number, value: number, size: number): void {
    super.configWrite(offset, value, size);
    const touchesPam = offset < I440FX_PAM + I440FX_PAM_SIZE && offset + size > I440FX_PAM;
    const touchesSmram = offset <= I440FX_SMRAM && offset + size > I440FX_SMRAM;
    if (touchesSmram) this.#lockSmramIfAsked();
    if (touchesPam || touchesSmram) this.updateMemoryMappings();
  }

  /** D_LCK: D_OPEN closes and only D_CLS stays writable until reset (the datasheet's lock). */
  #lockSmramIfAsked(): void {
    const smram = this.getByte(I440FX_SMRAM);
    if (smram & SMRAM_D_LCK) {
      this.setByte(I440FX_SMRAM, smram & ~SMRAM_D_OPEN);
      this.wmask[I440FX_SMRAM] = SMRAM_D_CLS;
    }
  }

  #setSmramWritable(): void {
    this.wmask[I440FX_SMRAM] = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME;
  }

  /** Route every PAM segment and the SMRAM window per the registers (i440fx_update_memory_mappings). */
  updateMemoryMappings(): void {
    const windows = this.#windows;
    if (!windows) return;
    const smram = this.getByte(I440FX_SMRAM);
    windows.smramRegion.core.transaction(() => {
      I440FX_PAM_SEGMENTS.forEach((seg, i) => {
        windows.pam[i].setAttribute(i440fxPamAttribute(this.getByte(seg.register), i));
      });
      windows.smramRegion.setEnabled((smram & SMRAM_D_OPEN) === 0);
      windows.smram.setEnabled((smram & SMRAM_G_SMRAME) !== 0);
    });
  }

  /**
   * Reset: the PCI header, then the datasheet's values: every PAM segment routed to PCI
   * (the ROMs show again) and SMRAM closed and unlocked. QEMU keeps PAM across a reset
   * (SeaBIOS copies its image back before it resets for that reason); we follow the chip.
   */
  protected override resetHold(type: ResetType): void {
    super.resetHold(type);
    this.config.fill(0, I440FX_PAM, I440FX_PAM + I440FX_PAM_SIZE);
    this.setByte(I440FX_SMRAM, SMRAM_RESET_VALUE);
    this.#setSmramWritable();
    this.updateMemoryMappings();
  }

  /** After a state load: re-derive the lock and the windows from the registers. */
  postLoad(): void {
    this.#setSmramWritable();
    this.#lockSmramIfAsked();
    this.pciPostLoad();
    this.updateMemoryMappings();
  }
}

export const I440FX_PCI_DEVICE = definePciDevice<I440fxPmc>({
  name: TYPE_I440FX_PCI_DEVICE,
  instance: I440fxPmc,
  desc: 'Host bridge',
  userCreatable: false,
  hotpluggable: false,
  categories: ['bridge'],
  pci: {
    vendorId: PCI_VENDOR_ID_INTEL,
    deviceId: PCI_DEVICE_ID_INTEL_82441,
    revision: 0x02,
    classId: PCI_CLASS_BRIDGE_HOST,
  },
  state: {
    name: 'I440FX',
    version: 3,
    fields: pciDeviceStateFields<I440fxPmc>(),
    postLoad: (dev) => dev.postLoad(),
  },
});

const i440fxHostProps = {
  'below-4g-mem-size': prop.size({
    description: 'RAM below 4 GiB: where the 32-bit PCI hole starts',
  }),
  'above-4g-mem-size': prop.size({ description: 'RAM above 4 GiB' }),
  'pci-type': prop.string({
    default: TYPE_I440FX_PCI_DEVICE,
    description: 'the type of the function created at 00:00.0',
  }),
};

/** `i440FX-pcihost`: the host side of the i440FX. */
export class I440fxPciHost extends PciHostBridge<typeof i440fxHostProps> {
  #pmc: I440fxPmc | undefined;

  /** The PMC at 00:00.0 (after realize). */
  get pmc(): I440fxPmc {
    if (!this.#pmc) throw new Error(`${TYPE_I440FX_PCI_HOST_BRIDGE}: not realized`);
    return this.#pmc;
  }

  /** The 32-bit PCI hole: from the end of low RAM to the IOAPIC (QEMU's pci-hole-start/end). */
  get pciHole(): { start: number; end: number } {
    return { start: this.props['below-4g-mem-size'], end: PCI_HOLE_END };
  }

  protected override hostRealize(): Result<void> | undefined {
    const env = this.environment;
    if (!env.ram)
      return err(`${TYPE_I440FX_PCI_HOST_BRIDGE}: the environment has no RAM to shadow`);
    const ram = env.ram;
    const bus = this.bus;
    const memory = env.memory;
    bus.setMapIrq(pcPciSlotGetPirq);
    const created = this.registry.objectNew(this.props['pci-type']);
    if (!(created instanceof I440fxPmc)) {
      created.unparent();
      return err(
        `${TYPE_I440FX_PCI_HOST_BRIDGE}: pci-type '${this.props['pci-type']}' is not an i440FX`,
      );
    }
    const pmc = created;
    unwrap(pmc.setProperty('addr', 0));
    const realized = pmc.realize(bus);
    if (!realized.ok) {
      pmc.unparent();
      return realized;
    }
    this.#pmc = pmc;
    let windows: I440fxWindows | undefined;
    memory.transaction(() => {
      if (this.confIdx && this.confData) {
        env.io.addSubregion(0xcf8, this.confIdx);
        env.io.addSubregion(0xcfc, this.confData);
      }
      // pc_pci_as_mapping_init: PCI answers wherever nothing else in system memory does.
      env.system.addSubregionOverlap(0, this.pciSpace, -1);
      // While SMRAM is closed the VGA window shows PCI (the VGA card), not the RAM below.
      const smramRegion = memory.alias('smram-region', this.pciSpace, SMRAM_C_BASE, SMRAM_C_SIZE);
      env.system.addSubregionOverlap(SMRAM_C_BASE, smramRegion, 1);
      const smram = memory.container('smram', 2 ** 32);
      smram.addSubregion(SMRAM_C_BASE, memory.alias('smram-low', ram, SMRAM_C_BASE, SMRAM_C_SIZE));
      const pam = I440FX_PAM_SEGMENTS.map(
        (seg) =>
          new PamRegion(memory, {
            ram,
            system: env.system,
            pci: this.pciSpace,
            start: seg.start,
            size: seg.size,
          }),
      );
      windows = { pam, smramRegion, smram };
    });
    const total = this.props['below-4g-mem-size'] + this.props['above-4g-mem-size'];
    pmc.setByte(I440FX_COREBOOT_RAM_SIZE, Math.min(255, Math.floor(total / (8 * 1024 * 1024))));
    pmc.attachWindows(windows as I440fxWindows);
    return undefined;
  }
}

export const I440FX_PCI_HOST_BRIDGE = defineDevice<I440fxPciHost>({
  name: TYPE_I440FX_PCI_HOST_BRIDGE,
  parent: TYPE_PCI_HOST_BRIDGE,
  instance: I440fxPciHost,
  props: i440fxHostProps,
  desc: 'i440FX host bridge (configuration ports, PAM, SMRAM)',
  userCreatable: false,
  categories: ['bridge'],
  state: {
    name: 'i440FX-pcihost',
    fields: { configAddress: vmstate.uint32() },
  },
});
