/**
 * The PIIX3 PCI-to-ISA bridge, function 0 of the 82371SB (8086:7000), as QEMU's
 * hw/isa/piix.c models it:
 *
 * - it provides the ISA bus `isa.0` (its I/O space is the PCI I/O space, its memory space
 *   the PCI memory space);
 * - its PIRQ route control registers 0x60-0x63 steer PCI INTA#-INTD# (PIRQA-D) to ISA
 *   IRQs; several PIRQs routed to one IRQ are ORed (level-triggered sharing);
 * - its reset control register at port 0xcf9 asks for a system reset.
 *
 * The i8259 pair, with the ELCR that makes routed IRQs level-triggered, is its own device;
 * the machine registers the interrupt inputs of the ISA bus. Each PIRQ's level is also an
 * output (`pirq[0-3]`) a machine may wire to IOAPIC pins 16-19 (QEMU's pc machine leaves
 * them unused and sends PCI interrupts through the ISA IRQs, which reach the IOAPIC too).
 */
import type { MemoryRegion } from '@tsemu/memory';
import { err, type ResetType, type Result, vmstate } from '@tsemu/qom';
import { definePciDevice, PciDevice, pciDeviceStateFields } from '../pci/pci-device.js';
import { PCI_CLASS_BRIDGE_ISA, PCI_NUM_PINS, PCI_VENDOR_ID_INTEL } from '../pci/pci-regs.js';
import { PciHostBridge } from '../pci-host/pci-host.js';
import { ISA_BUS, ISA_NUM_IRQS, type IsaBus } from './isa-bus.js';

export const TYPE_PIIX3_DEVICE = 'PIIX3';

/** 82371SB PIIX3 function 0. */
export const PCI_DEVICE_ID_INTEL_82371SB_0 = 0x7000;

/** PIRQ route control registers (PIRQRC[A:D]), one byte per PIRQ. */
export const PIIX_PIRQCA = 0x60;
/** PIRQRC bit 7: routing disabled (the reset value 0x80). */
export const PIIX_PIRQ_DISABLE = 0x80;
/** PIRQRC bits 0-3: the ISA IRQ the PIRQ drives. */
export const PIIX_PIRQ_IRQ_MASK = 0x0f;
export const PIIX_NUM_PIRQS = PCI_NUM_PINS;

/** The reset control register's port (RC, 0xcf9). */
export const PIIX_RCR_IOPORT = 0xcf9;
/** RC bit 1: SRST, the kind of reset the next RCPU requests (kept; 1 = hard reset). */
export const PIIX_RCR_SYSTEM_RESET = 0x02;
/** RC bit 2: RCPU, reset the system now. */
export const PIIX_RCR_RESET_CPU = 0x04;

/** Register values after reset (QEMU's piix_reset, from the 82371SB datasheet). */
const PIIX3_RESET_VALUES: readonly (readonly [number, number])[] = [
  [0x04, 0x07], // command: I/O, memory, bus master
  [0x05, 0x00],
  [0x06, 0x00],
  [0x07, 0x02], // status: DEVSEL medium
  [0x4c, 0x4d], // IORT: ISA I/O recovery timer
  [0x4e, 0x03], // XBCS: X-bus chip select (RTC, keyboard controller)
  [0x4f, 0x00],
  [0x60, 0x80], // PIRQRC[A-D]: routing disabled
  [0x61, 0x80],
  [0x62, 0x80],
  [0x63, 0x80],
  [0x69, 0x02], // TOM: top of memory
  [0x70, 0x80], // MBIRQ0: motherboard IRQ routing disabled
  [0x76, 0x0c], // MBDMA0/1
  [0x77, 0x0c],
  [0x78, 0x02], // PCSC: programmable chip select
  [0x79, 0x00],
  [0x80, 0x00], // APICBASE
  [0x82, 0x00], // DLC: deterministic latency
  [0xa0, 0x08], // SMICNTL
  [0xa2, 0x00],
  [0xa3, 0x00],
  [0xa4, 0x00], // SMIEN, SEE
  [0xa5, 0x00],
  [0xa6, 0x00],
  [0xa7, 0x00],
  [0xa8, 0x0f], // FTMR: fast off timer
  [0xaa, 0x00],
  [0xab, 0x00],
  [0xac, 0x00],
  [0xae, 0x00],
];

export class Piix3 extends PciDevice {
  /** Pulsed when the guest asks for a reset through 0xcf9 (QEMU: SHUTDOWN_CAUSE_GUEST_RESET). */
  readonly resetRequest = this.outputLine('reset-request');
  /** The level of PIRQA-D, before routing (for IOAPIC pins 16-19 if a machine wants them). */
  readonly pirqOut = this.outputLines('pirq', PIIX_NUM_PIRQS);
  /** Reset control register: only SRST is kept (state). */
  rcr = 0;
  /** Per ISA IRQ, which PIRQs drive it (bit n = PIRQn); QEMU's pic_levels. */
  readonly picLevels = new Uint8Array(ISA_NUM_IRQS);
  #isaBus: IsaBus | undefined;
  /** Our own 0xcf9 region, when no host bridge decodes the port for us. */
  #rcrRegion: MemoryRegion | undefined;

  /** The ISA bus this bridge provides (after realize). */
  get isaBus(): IsaBus {
    if (!this.#isaBus) throw new Error(`${TYPE_PIIX3_DEVICE}: not realized`);
    return this.#isaBus;
  }

  protected override pciRealize(): Result<void> | undefined {
    const env = this.pciEnvironment;
    const isaBus = this.#isaBus ?? this.createBus(ISA_BUS, 'isa.0');
    isaBus.configure({
      memory: env.memory,
      ioSpace: env.ioSpace,
      memorySpace: env.memorySpace,
      time: env.time,
      log: env.log,
    });
    this.#isaBus = isaBus;
    const bus = this.pciBus;
    bus.setIrqHandler((pirq, level) => this.#setPciIrq(pirq, level), PIIX_NUM_PIRQS);
    const rcr = {
      read: () => this.rcr,
      write: (value: number) => this.writeResetControl(value),
    };
    // The host bridge decodes 0xcf8-0xcfb; it hands the byte at 0xcf9 to us, as the i440FX
    // forwards non-dword cycles there to PCI. Alone on a bus, we decode the port ourselves.
    const host = bus.parentDevice;
    if (!(host instanceof PciHostBridge && host.claimConfigAddressByte(1, rcr))) {
      const region = env.memory.io('piix-reset-control', 1, {
        read: () => rcr.read(),
        write: (_offset, value) => rcr.write(value),
        valid: { minAccessSize: 1, maxAccessSize: 1 },
      });
      env.ioSpace.addSubregionOverlap(PIIX_RCR_IOPORT, region, 1);
      this.#rcrRegion = region;
    }
    this.#applyResetValues();
    return undefined;
  }

  protected override pciUnrealize(): void {
    const host = this.pciBus.parentDevice;
    if (host instanceof PciHostBridge) host.claimConfigAddressByte(1, undefined);
    if (this.#rcrRegion) this.pciEnvironment.ioSpace.removeSubregion(this.#rcrRegion);
    this.#rcrRegion = undefined;
  }

  /** A write to the reset control register (QEMU's rcr_write). */
  writeResetControl(value: number): void {
    if (value & PIIX_RCR_RESET_CPU) {
      this.resetRequest.pulse();
      return;
    }
    this.rcr = value & PIIX_RCR_SYSTEM_RESET;
  }

  /** The ISA IRQ PIRQ `pirq` is routed to, or undefined while its routing is disabled. */
  pirqRoute(pirq: number): number | undefined {
    const value = this.getByte(PIIX_PIRQCA + pirq);
    return value < ISA_NUM_IRQS ? value : undefined;
  }

  override configWrite(offset: number, value: number, size: number): void {
    const before = [0, 1, 2, 3].map((pirq) => this.pirqRoute(pirq));
    super.configWrite(offset, value, size);
    if (offset < PIIX_PIRQCA + PIIX_NUM_PIRQS && offset + size > PIIX_PIRQCA) {
      this.#rebuildPicLevels();
      // Drive every ISA IRQ whose set of PIRQs may have changed: old and new targets.
      const touched = new Set<number>();
      for (let pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
        const old = before[pirq];
        const now = this.pirqRoute(pirq);
        if (old !== now) {
          if (old !== undefined) touched.add(old);
          if (now !== undefined) touched.add(now);
        }
      }
      for (const irq of touched) this.#driveIsaIrq(irq);
    }
  }

  /** PIRQ `pirq` of the PCI bus changed level (QEMU's piix_set_pci_irq). */
  #setPciIrq(pirq: number, level: boolean): void {
    this.pirqOut[pirq].set(level);
    const irq = this.pirqRoute(pirq);
    if (irq === undefined) return;
    this.#setPicLevel(irq, pirq, level);
    this.#driveIsaIrq(irq);
  }

  #setPicLevel(irq: number, pirq: number, level: boolean): void {
    if (level) this.picLevels[irq] |= 1 << pirq;
    else this.picLevels[irq] &= ~(1 << pirq);
  }

  /** Recompute which PIRQs drive which IRQ from the bus levels, without driving anything. */
  #rebuildPicLevels(): void {
    this.picLevels.fill(0);
    const bus = this.pciBus;
    for (let pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
      const irq = this.pirqRoute(pirq);
      if (irq !== undefined) this.#setPicLevel(irq, pirq, bus.irqLevel(pirq));
    }
  }

  #driveIsaIrq(irq: number): void {
    this.#isaBus?.irqs[irq].set(this.picLevels[irq] !== 0);
  }

  #applyResetValues(): void {
    for (const [offset, value] of PIIX3_RESET_VALUES) this.setByte(offset, value);
  }

  protected override resetHold(type: ResetType): void {
    super.resetHold(type);
    const routed = [0, 1, 2, 3].map((pirq) => this.pirqRoute(pirq));
    this.#applyResetValues();
    this.picLevels.fill(0);
    this.rcr = 0;
    for (const irq of routed) if (irq !== undefined) this.#driveIsaIrq(irq);
  }

  /** After a state load (QEMU's piix_post_load): levels rebuilt, nothing raised. */
  postLoad(): Result<void> | undefined {
    this.pciPostLoad();
    if (!this.realized) return err(`${TYPE_PIIX3_DEVICE}: state loaded before realize`);
    this.#rebuildPicLevels();
    return undefined;
  }
}

export const PIIX3_DEVICE = definePciDevice<Piix3>({
  name: TYPE_PIIX3_DEVICE,
  instance: Piix3,
  desc: 'ISA bridge',
  userCreatable: false,
  hotpluggable: false,
  categories: ['bridge'],
  pci: {
    vendorId: PCI_VENDOR_ID_INTEL,
    deviceId: PCI_DEVICE_ID_INTEL_82371SB_0,
    classId: PCI_CLASS_BRIDGE_ISA,
  },
  state: {
    name: 'PIIX3',
    version: 3,
    fields: { ...pciDeviceStateFields<Piix3>(), rcr: vmstate.uint8() },
    postLoad: (dev) => dev.postLoad(),
  },
});
