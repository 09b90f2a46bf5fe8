/**
 * The PC chipset as QEMU's pc_init1 builds it for `pc-i440fx`: the i440FX host bridge
 * (`/machine/i440fx`, with its PMC at 00:00.0), the PIIX3 ISA bridge at 01.0 providing
 * `isa.0`, and the PIIX4 PM function at 01.3 with its SCI on ISA IRQ 9 and its SMBus at
 * 0xb100; with the `ide` option also the PIIX3 IDE function at 01.1 with its drives. The
 * machine then registers the ISA IRQ inputs (the GSI lines), puts its ISA devices on
 * `isaBus`, and its other PCI devices (VGA) on `pciBus`.
 */
import type { MemoryCore, MemoryRegion } from '@tsemu/memory';
import { IrqLine, type QomObject, type TypeRegistry, unwrap } from '@tsemu/qom';
import type { PmSystemRequests } from '../acpi/acpi-pm.js';
import { PIIX4_PM, PIIX4_SCI_IRQ, type Piix4Pm } from '../acpi/piix4-pm.js';
import type { DeviceTime, LogSink } from '../device-env.js';
import type { IdeDriveSpec } from '../ide/ide-drives.js';
import { createPiix3Ide, PIIX3_IDE, type PiixIde } from '../ide/piix-ide.js';
import { ISA_BUS, type IsaBus } from '../isa/isa-bus.js';
import { ISA_DEVICE } from '../isa/isa-device.js';
import { PIIX3_DEVICE, type Piix3 } from '../isa/piix3.js';
import { PCI_BUS, type PciBus } from '../pci/pci-bus.js';
import { PCI_DEVICE } from '../pci/pci-device.js';
import { pciDevfn, pciSlot } from '../pci/pci-regs.js';
import {
  I440FX_PCI_DEVICE,
  I440FX_PCI_HOST_BRIDGE,
  type I440fxPciHost,
  type I440fxPmc,
} from './i440fx.js';
import { PCI_HOST_BRIDGE } from './pci-host.js';

/** QEMU's pc machine puts the SMBus here. */
export const PC_SMBUS_IO_BASE = 0xb100;

/**
 * Every type the chipset needs, bases included (the PCI and ISA buses, `pci-device`,
 * `pci-host-bridge`, `isa-device`), and `piix3-ide`, for one `registry.registerAll`.
 */
export const I440FX_PIIX_TYPES = [
  PCI_BUS,
  PCI_DEVICE,
  PCI_HOST_BRIDGE,
  ISA_BUS,
  ISA_DEVICE,
  I440FX_PCI_HOST_BRIDGE,
  I440FX_PCI_DEVICE,
  PIIX3_DEVICE,
  PIIX4_PM,
  PIIX3_IDE,
] as const;

export interface I440fxPiixOptions {
  /** A registry holding the PCI/ISA base types and I440FX_PIIX_TYPES. */
  registry: TypeRegistry;
  memory: MemoryCore;
  /** System memory (the PCI space goes under it; PAM and SMRAM windows over it). */
  system: MemoryRegion;
  /** The I/O port space. */
  io: MemoryRegion;
  /** Guest RAM (`pc.ram`). */
  ram: MemoryRegion;
  /** The PCI memory space; created when omitted. */
  pci?: MemoryRegion;
  /** RAM below the 32-bit PCI hole, and above 4 GiB. */
  belowFourGig: number;
  aboveFourGig?: number;
  time: DeviceTime;
  log?: LogSink;
  /** Where `i440fx` hangs in the QOM tree (QEMU: the machine object). */
  parent?: QomObject;
  /** Reset (0xcf9), power-off and suspend (ACPI) requests: @tsemu/system's SystemRequests fits. */
  requests?: PmSystemRequests & { reset(cause: 'guest-reset'): void };
  /** Create the PIIX4 PM function (QEMU's `acpi=on`); default true. */
  acpi?: boolean;
  /** SMBus base; default 0xb100. */
  smbusIoBase?: number;
  /**
   * Create the PIIX3 IDE function at 01.1 (QEMU's pc always does) with these drives by IDE
   * index (`ideDrivesFromBlock` makes them from `-drive`/`-hda`/`-cdrom`); default: none.
   */
  ide?: { drives?: readonly IdeDriveSpec[] };
}

export interface I440fxPiix {
  host: I440fxPciHost;
  pmc: I440fxPmc;
  pciBus: PciBus;
  piix3: Piix3;
  isaBus: IsaBus;
  pm: Piix4Pm | undefined;
  /** The PIIX3 IDE function, when the `ide` option asked for it. */
  ide: PiixIde | undefined;
}

/** Build and realize the i440FX/PIIX3/PIIX4-PM chipset (QEMU's pc_init1, PCI part). */
export function createI440fxPiix(options: I440fxPiixOptions): I440fxPiix {
  const { registry } = options;
  const host = registry.objectNew(I440FX_PCI_HOST_BRIDGE);
  options.parent?.addChild('i440fx', host);
  host.props['below-4g-mem-size'] = options.belowFourGig;
  host.props['above-4g-mem-size'] = options.aboveFourGig ?? 0;
  host.setEnvironment({
    memory: options.memory,
    system: options.system,
    io: options.io,
    ram: options.ram,
    pci: options.pci,
    time: options.time,
    log: options.log,
  });
  unwrap(host.realize());
  const pciBus = host.bus;

  const piix3 = registry.objectNew(PIIX3_DEVICE);
  piix3.props.multifunction = true;
  unwrap(piix3.realize(pciBus));
  const requests = options.requests;
  if (requests) {
    piix3.resetRequest.connect(new IrqLine((level) => level && requests.reset('guest-reset')));
  }

  // QEMU's pc_init1 creates the IDE function (01.1) before the PM function (01.3).
  const ide = options.ide
    ? createPiix3Ide({
        registry,
        pciBus,
        isaBus: piix3.isaBus,
        devfn: pciDevfn(pciSlot(piix3.devfn), 1),
        drives: options.ide.drives,
      })
    : undefined;

  let pm: Piix4Pm | undefined;
  if (options.acpi ?? true) {
    pm = registry.objectNew(PIIX4_PM);
    pm.props.addr = pciDevfn(pciSlot(piix3.devfn), 3);
    pm.props.smb_io_base = options.smbusIoBase ?? PC_SMBUS_IO_BASE;
    if (requests) pm.setRequests(requests);
    unwrap(pm.realize(pciBus));
    pm.sci.connect(piix3.isaBus.getIrq(PIIX4_SCI_IRQ));
  }
  return { host, pmc: host.pmc, pciBus, piix3, isaBus: piix3.isaBus, pm, ide };
}
