/**
 * `info pci` (QEMU's hmp_info_pci): every function on the bus with its class, ids, IRQ and
 * the BARs as the guest programmed them.
 */
import type { PciBus } from '../pci/pci-bus.js';
import { PCI_BAR_UNMAPPED } from '../pci/pci-device.js';
import {
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_CLASS_DEVICE,
  PCI_DEVICE_ID,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
} from '../pci/pci-regs.js';

/** Class names QEMU prints (pci_class_descriptions), for the classes a PC has. */
const CLASS_NAMES: Record<number, string> = {
  257: 'IDE controller',
  768: 'VGA controller',
  1536: 'Host bridge',
  1537: 'ISA bridge',
  1664: 'Bridge',
  512: 'Ethernet controller',
};

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

export function formatPciInfo(bus: PciBus): string {
  const out: string[] = [];
  bus.devices.forEach((dev, devfn) => {
    if (!dev) return;
    const cls = dev.getWord(PCI_CLASS_DEVICE);
    const name = CLASS_NAMES[cls] ?? `Class ${hex(cls, 4)}`;
    out.push(`  Bus  0, device ${String(devfn >> 3).padStart(3)}, function ${devfn & 7}:`);
    out.push(
      `    ${name}: PCI device ${hex(dev.getWord(PCI_VENDOR_ID), 4)}:${hex(dev.getWord(PCI_DEVICE_ID), 4)}`,
    );
    out.push(
      `      PCI subsystem ${hex(dev.getWord(PCI_SUBSYSTEM_VENDOR_ID), 4)}:${hex(dev.getWord(PCI_SUBSYSTEM_ID), 4)}`,
    );
    const pin = dev.getByte(PCI_INTERRUPT_PIN);
    if (pin !== 0)
      out.push(
        `      IRQ ${dev.getByte(PCI_INTERRUPT_LINE)}, pin ${String.fromCharCode(64 + pin)}`,
      );
    for (let bar = 0; bar < 6; bar++) {
      const r = dev.ioRegions[bar];
      if (!r?.region) continue;
      const kind = r.type & PCI_BASE_ADDRESS_SPACE_IO ? 'I/O' : '32 bit memory';
      const mapped = r.addr !== PCI_BAR_UNMAPPED;
      const where = mapped ? `0x${hex(r.addr, 4)}` : '0xffffffffffffffff';
      const end = mapped ? `0x${hex(r.addr + r.size - 1, 4)}` : `0x${hex(r.size - 2, 16)}`;
      out.push(`      BAR${bar}: ${kind} at ${where} [${end}].`);
    }
    out.push(`      id "${dev.id ?? ''}"`);
  });
  return `${out.join('\n')}\n`;
}
