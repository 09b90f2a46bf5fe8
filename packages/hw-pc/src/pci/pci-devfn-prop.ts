import { fail, ok, type PropSpec, type Result } from '@tsemu/qom';
import { pciDevfn, pciFunc, pciSlot } from './pci-regs.js';

/** The `addr` value meaning "the first free slot" (QEMU's -1 devfn). */
export const PCI_DEVFN_AUTO = -1;

/**
 * Parses QEMU's PCI address syntax `SLOT[.FN]` (hex, slot 0-0x1f, function 0-7), as in
 * `-device piix4-ide,addr=01.1`. Returns the devfn.
 */
export function parsePciAddr(text: string): Result<number, string> {
  const match = /^(?:0[xX])?([0-9a-fA-F]{1,2})(?:\.([0-7]))?$/.exec(text.trim());
  if (!match) {
    return fail(`expected a PCI slot and optional function, such as 06.0 or 06 (pci-devfn)`);
  }
  const slot = Number.parseInt(match[1], 16);
  const fn = match[2] === undefined ? 0 : Number.parseInt(match[2], 10);
  if (slot > 0x1f) return fail(`slot 0x${slot.toString(16)} is above 0x1f (pci-devfn)`);
  return ok(pciDevfn(slot, fn));
}

/** A devfn as QEMU prints it: `01.3`, or `<unset>` for auto. */
export function formatPciAddr(devfn: number): string {
  if (devfn === PCI_DEVFN_AUTO) return '<unset>';
  return `${pciSlot(devfn).toString(16).padStart(2, '0')}.${pciFunc(devfn)}`;
}

/**
 * QEMU's `pci-devfn` property kind (DEFINE_PROP_PCI_DEVFN): an int32 devfn that text sets
 * as `SLOT[.FN]`; -1 picks the first free slot when the device is realized.
 */
export function pciDevfnProp(options: { description?: string } = {}): PropSpec<number> {
  return {
    typeName: 'int32',
    description: options.description,
    defaultValue: PCI_DEVFN_AUTO,
    hasDefault: true,
    isLink: false,
    parse: (text) => parsePciAddr(text),
    check: (value) =>
      typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 0xff
        ? ok(value)
        : fail('expected a devfn from -1 (auto) to 255 (pci-devfn)'),
    format: formatPciAddr,
    toJson: (value) => value,
  };
}
