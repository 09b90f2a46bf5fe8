/**
 * QEMU's `info pci` (hmp_info_pci over qmp_query_pci): every function on a bus, in devfn
 * order, with its class, IDs, interrupt and BARs.
 */
import type { PciBus } from './pci-bus.js';
import { PCI_BAR_UNMAPPED, type PciDevice } from './pci-device.js';
import {
  PCI_CLASS_DEVICE,
  PCI_DEVICE_ID,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_CARDBUS,
  PCI_HEADER_TYPE_MULTI_FUNCTION,
  PCI_HEADER_TYPE_NORMAL,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
  pciFunc,
  pciSlot,
} from './pci-regs.js';

/** QEMU's pci_class_descriptions: how `info pci` names a class. */
const CLASS_DESCRIPTIONS: ReadonlyMap<number, string> = new Map([
  [0x0001, 'VGA controller'],
  [0x0100, 'SCSI controller'],
  [0x0101, 'IDE controller'],
  [0x0102, 'Floppy controller'],
  [0x0103, 'IPI controller'],
  [0x0104, 'RAID controller'],
  [0x0106, 'SATA controller'],
  [0x0107, 'SAS controller'],
  [0x0180, 'Storage controller'],
  [0x0200, 'Ethernet controller'],
  [0x0201, 'Token Ring controller'],
  [0x0202, 'FDDI controller'],
  [0x0203, 'ATM controller'],
  [0x0280, 'Network controller'],
  [0x0300, 'VGA controller'],
  [0x0301, 'XGA controller'],
  [0x0302, '3D controller'],
  [0x0380, 'Display controller'],
  [0x0400, 'Video controller'],
  [0x0401, 'Audio controller'],
  [0x0402, 'Phone'],
  [0x0403, 'Audio controller'],
  [0x0480, 'Multimedia controller'],
  [0x0500, 'RAM controller'],
  [0x0501, 'Flash controller'],
  [0x0580, 'Memory controller'],
  [0x0600, 'Host bridge'],
  [0x0601, 'ISA bridge'],
  [0x0602, 'EISA bridge'],
  [0x0603, 'MC bridge'],
  [0x0604, 'PCI bridge'],
  [0x0605, 'PCMCIA bridge'],
  [0x0606, 'NUBUS bridge'],
  [0x0607, 'CARDBUS bridge'],
  [0x0608, 'RACEWAY bridge'],
  [0x0680, 'Bridge'],
  [0x0700, 'Serial port'],
  [0x0701, 'Parallel port'],
  [0x0800, 'Interrupt controller'],
  [0x0801, 'DMA controller'],
  [0x0802, 'Timer'],
  [0x0803, 'RTC'],
  [0x0900, 'Keyboard'],
  [0x0901, 'Pen'],
  [0x0902, 'Mouse'],
  [0x0a00, 'Dock station'],
  [0x0b00, 'i386 cpu'],
  [0x0c00, 'Fireware contorller'],
  [0x0c01, 'Access bus controller'],
  [0x0c02, 'SSA controller'],
  [0x0c03, 'USB controller'],
  [0x0c04, 'Fibre channel controller'],
  [0x0c05, 'SMBus'],
]);

/** QEMU's description of a PCI class (`Host bridge`), or undefined when it has none. */
export function pciClassDescription(classId: number): string | undefined {
  return CLASS_DESCRIPTIONS.get(classId);
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/** One function's lines of `info pci` (QEMU's hmp_info_pci_device). */
export function formatInfoPciDevice(dev: PciDevice, busNumber = 0): string {
  const lines: string[] = [];
  lines.push(
    `  Bus ${String(busNumber).padStart(2)}, device ${String(pciSlot(dev.devfn)).padStart(3)}, function ${pciFunc(dev.devfn)}:`,
  );
  const classId = dev.getWord(PCI_CLASS_DEVICE);
  const desc = pciClassDescription(classId) ?? `Class ${hex(classId, 4)}`;
  lines.push(
    `    ${desc}: PCI device ${hex(dev.getWord(PCI_VENDOR_ID), 4)}:${hex(dev.getWord(PCI_DEVICE_ID), 4)}`,
  );
  const headerType = dev.getByte(PCI_HEADER_TYPE) & ~PCI_HEADER_TYPE_MULTI_FUNCTION;
  if (headerType === PCI_HEADER_TYPE_NORMAL || headerType === PCI_HEADER_TYPE_CARDBUS) {
    const subVendor = dev.getWord(
      headerType === PCI_HEADER_TYPE_NORMAL ? PCI_SUBSYSTEM_VENDOR_ID : 0x40,
    );
    const subId = dev.getWord(headerType === PCI_HEADER_TYPE_NORMAL ? PCI_SUBSYSTEM_ID : 0x42);
    lines.push(`      PCI subsystem ${hex(subVendor, 4)}:${hex(subId, 4)}`);
  }
  const pin = dev.getByte(PCI_INTERRUPT_PIN);
  if (pin !== 0) {
    lines.push(
      `      IRQ ${dev.getByte(PCI_INTERRUPT_LINE)}, pin ${String.fromCharCode(0x41 + pin - 1)}`,
    );
  }
  for (const bar of dev.barInfo()) {
    const mapped = bar.addr !== PCI_BAR_UNMAPPED;
    if (bar.io) {
      lines.push(
        mapped
          ? `      BAR${bar.bar}: I/O at 0x${hex(bar.addr, 4)} [0x${hex(bar.addr + bar.size - 1, 4)}]`
          : `      BAR${bar.bar}: I/O (not mapped)`,
      );
    } else {
      const kind = `${bar.is64 ? 64 : 32} bit${bar.prefetch ? ' prefetchable' : ''} memory`;
      lines.push(
        mapped
          ? `      BAR${bar.bar}: ${kind} at 0x${hex(bar.addr, 8)} [0x${hex(bar.addr + bar.size - 1, 8)}]`
          : `      BAR${bar.bar}: ${kind} (not mapped)`,
      );
    }
  }
  lines.push(`      id "${dev.id ?? ''}"`);
  return `${lines.join('\n')}\n`;
}

/** `info pci` for the given root buses, in devfn order. */
export function formatInfoPci(buses: readonly PciBus[]): string {
  let out = '';
  for (const bus of buses) {
    for (const dev of bus.devices) {
      if (dev) out += formatInfoPciDevice(dev, bus.busNumber);
    }
  }
  return out;
}
