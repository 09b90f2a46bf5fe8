/**
 * The BIOS e820 memory map QEMU hands SeaBIOS as the fw_cfg file `etc/e820` (QEMU's
 * hw/i386/e820_memory_layout.c): packed little-endian entries of a 64-bit address, a 64-bit
 * length and a 32-bit type, 20 bytes each.
 */

/** Usable RAM. */
export const E820_RAM = 1;
/** Reserved: firmware, MMIO, holes. */
export const E820_RESERVED = 2;
/** ACPI tables, reclaimable once read. */
export const E820_ACPI = 3;
/** ACPI non-volatile storage. */
export const E820_NVS = 4;
export const E820_UNUSABLE = 5;

/** Bytes of one `etc/e820` entry. */
export const E820_ENTRY_SIZE = 20;

export interface E820Entry {
  readonly address: number;
  readonly length: number;
  readonly type: number;
}

const FOUR_GIB = 2 ** 32;

/** A list of e820 entries in the order added (QEMU's e820_add_entry), serialized for fw_cfg. */
export class E820Table {
  readonly #entries: E820Entry[] = [];

  /** Add a range. Addresses and lengths are byte counts below 2^53. */
  add(address: number, length: number, type: number): this {
    for (const [what, v] of [
      ['address', address],
      ['length', length],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new Error(`e820: ${what} must be a byte count, got ${v}`);
    }
    if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) {
      throw new Error(`e820: type must be a 32-bit integer, got ${type}`);
    }
    this.#entries.push({ address, length, type });
    return this;
  }

  get entries(): readonly E820Entry[] {
    return this.#entries;
  }

  /** The entries as `etc/e820` holds them. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#entries.length * E820_ENTRY_SIZE);
    const view = new DataView(out.buffer);
    this.#entries.forEach((e, i) => {
      const at = i * E820_ENTRY_SIZE;
      view.setBigUint64(at, BigInt(e.address), true);
      view.setBigUint64(at + 8, BigInt(e.length), true);
      view.setUint32(at + 16, e.type, true);
    });
    return out;
  }

  /** Parse `etc/e820` bytes (what a firmware test reads back). */
  static fromBytes(bytes: Uint8Array): E820Table {
    const table = new E820Table();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at + E820_ENTRY_SIZE <= bytes.length; at += E820_ENTRY_SIZE) {
      table.add(
        Number(view.getBigUint64(at, true)),
        Number(view.getBigUint64(at + 8, true)),
        view.getUint32(at + 16, true),
      );
    }
    return table;
  }
}

/**
 * The e820 table of QEMU's pc machine under TCG (pc_memory_init): RAM below the PCI hole
 * from 0, and the rest of RAM from 4 GiB. SeaBIOS adds its own reservations (the BIOS,
 * the low 640 KiB split) from this.
 */
export function pcE820Table(options: { belowFourGig: number; aboveFourGig?: number }): E820Table {
  const table = new E820Table();
  table.add(0, options.belowFourGig, E820_RAM);
  if (options.aboveFourGig) table.add(FOUR_GIB, options.aboveFourGig, E820_RAM);
  return table;
}
