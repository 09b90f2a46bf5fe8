/**
 * PAM (Programmable Attribute Map): how the i440FX (and later Intel chipsets) shadow the
 * legacy BIOS area 0xc0000-0xfffff. Each segment is routed, by a 2-bit field in a PAM
 * register, either to PCI (where the ROMs are) or to the DRAM underneath.
 *
 * Modelled as QEMU's hw/pci-host/pam.c does: four aliases per segment, all mapped over
 * system memory at priority 1, exactly one enabled at a time.
 */
import type { MemoryCore } from './core.js';
import type { MemoryRegion } from './region.js';

/** Read enable bit of a PAM field: reads come from DRAM. */
export const PAM_ATTR_RE = 1;
/** Write enable bit of a PAM field: writes go to DRAM. */
export const PAM_ATTR_WE = 2;
export const PAM_ATTR_MASK = 3;

/** The four values of a PAM field. */
export const PamAttribute = {
  /** DRAM disabled: reads and writes go to PCI (the ROMs). */
  PCI: 0,
  /** RE: reads from DRAM, writes to PCI; modelled as a read-only alias of RAM (writes dropped). */
  READ_ONLY: PAM_ATTR_RE,
  /** WE: writes to DRAM, reads from PCI; modelled, as in QEMU, as read-write RAM. */
  WRITE_ONLY: PAM_ATTR_WE,
  /** RE|WE: reads and writes to DRAM (the shadow copy is live). */
  READ_WRITE: PAM_ATTR_RE | PAM_ATTR_WE,
} as const;
export type PamAttribute = (typeof PamAttribute)[keyof typeof PamAttribute];

export interface PamOptions {
  /** The RAM region holding the shadow copy (pc.ram), at the same offsets as the segment. */
  ram: MemoryRegion;
  /** Where the segment's aliases are mapped (system memory). */
  system: MemoryRegion;
  /** The PCI address space, where accesses go when DRAM is not selected. */
  pci: MemoryRegion;
  /** Segment start address (in system memory, RAM and PCI alike). */
  start: number;
  size: number;
  /** Initial attribute; default PCI, the value of PAM registers after reset. */
  attribute?: PamAttribute;
}

const ALIAS_NAMES = ['pam-pci', 'pam-rom', 'pam-we', 'pam-ram'] as const;

/** One PAM segment (QEMU's PAMMemoryRegion). */
export class PamRegion {
  readonly start: number;
  readonly size: number;
  /** The alias for each attribute value, indexed by it. */
  readonly aliases: readonly MemoryRegion[];
  private current: PamAttribute;

  constructor(core: MemoryCore, options: PamOptions) {
    const { ram, system, pci, start, size } = options;
    this.start = start;
    this.size = size;
    const suffix = `-0x${start.toString(16)}`;
    const targets = [pci, ram, ram, ram];
    this.aliases = targets.map((t, i) => core.alias(`${ALIAS_NAMES[i]}${suffix}`, t, start, size));
    this.current = options.attribute ?? PamAttribute.PCI;
    core.transaction(() => {
      this.aliases[PamAttribute.READ_ONLY].setReadonly(true);
      this.aliases.forEach((alias, i) => {
        alias.setEnabled(i === this.current);
        system.addSubregionOverlap(start, alias, 1);
      });
    });
  }

  get attribute(): PamAttribute {
    return this.current;
  }

  /** Routes the segment per a PAM field value (only its low two bits are used). */
  setAttribute(value: number): void {
    const next = (value & PAM_ATTR_MASK) as PamAttribute;
    if (next === this.current) return;
    const core = this.aliases[0].core;
    core.transaction(() => {
      this.aliases[this.current].setEnabled(false);
      this.aliases[next].setEnabled(true);
    });
    this.current = next;
  }
}

/** Where one i440FX PAM segment lives and which register nibble controls it. */
export interface PamSegment {
  readonly start: number;
  readonly size: number;
  /** PCI config-space offset of the PAM register (0x59-0x5f). */
  readonly register: number;
  /** The field is the register's high nibble (else its low nibble). */
  readonly highNibble: boolean;
}

/**
 * The i440FX's 13 segments, in QEMU's order: PAM0's high nibble maps the 64 KiB BIOS
 * segment 0xf0000-0xfffff; PAM1-PAM6 map 0xc0000-0xeffff in 16 KiB segments, low nibble
 * first.
 */
export const I440FX_PAM_SEGMENTS: readonly PamSegment[] = Object.freeze([
  { start: 0xf0000, size: 0x10000, register: 0x59, highNibble: true },
  ...Array.from({ length: 12 }, (_, i) => ({
    start: 0xc0000 + i * 0x4000,
    size: 0x4000,
    register: 0x5a + (i >> 1),
    highNibble: (i & 1) === 1,
  })),
]);

/** The attribute of segment `index` of I440FX_PAM_SEGMENTS given its register's value. */
export function i440fxPamAttribute(registerValue: number, index: number): PamAttribute {
  const seg = I440FX_PAM_SEGMENTS[index];
  if (!seg) throw new Error(`i440FX has no PAM segment ${index}`);
  return ((registerValue >> (seg.highNibble ? 4 : 0)) & PAM_ATTR_MASK) as PamAttribute;
}
