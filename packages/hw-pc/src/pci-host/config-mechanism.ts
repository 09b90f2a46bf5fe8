/**
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2; QEMU's
 * hw/pci/pci_host.c): the CONFIG_ADDRESS register (port 0xcf8, dword accesses only) selects
 * a bus, device, function and register; CONFIG_DATA (ports 0xcfc-0xcff) reads and writes
 * that register, in bytes, words or dwords, at any of its four byte lanes.
 *
 * This is the device core: offsets are inside the two 4-byte regions, the bus is anything
 * that answers configuration cycles.
 */

/** CONFIG_ADDRESS bit 31: configuration cycles enabled; without it CONFIG_DATA reads all ones. */
export const CONFIG_ADDRESS_ENABLE = 0x80000000;
/** CONFIG_ADDRESS bits 16-23: bus number. */
export const CONFIG_ADDRESS_BUS_SHIFT = 16;
/** CONFIG_ADDRESS bits 8-15: device (5 bits) and function (3 bits). */
export const CONFIG_ADDRESS_DEVFN_SHIFT = 8;
/** CONFIG_ADDRESS bits 2-7: dword-aligned register number; bits 0-1 are not part of it. */
export const CONFIG_ADDRESS_REGISTER_MASK = 0xfc;

/** Where configuration cycles go: a PCI bus, by number (only the root bus exists here). */
export interface PciConfigTarget {
  /** The number of the bus that answers; cycles for other bus numbers find no function. */
  readonly busNumber: number;
  configRead(devfn: number, offset: number, size: 1 | 2 | 4): number;
  configWrite(devfn: number, offset: number, value: number, size: 1 | 2 | 4): void;
}

/**
 * A byte of 0xcf8-0xcfb that another device decodes when it is not part of a dword
 * CONFIG_ADDRESS access: the PIIX3's reset control register at 0xcf9.
 */
export interface ConfigAddressByteClaim {
  read(): number;
  write(value: number): void;
}

const SIZE_MASK = [0, 0xff, 0xffff, 0xffffff, 0xffffffff];

export class PciConfigMechanism1 {
  /** CONFIG_ADDRESS as last written (QEMU's config_reg); state. */
  configAddress = 0;
  readonly #claims: (ConfigAddressByteClaim | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
  ];

  constructor(private readonly target: PciConfigTarget) {}

  /**
   * Let `claim` decode byte `offset` (1-3) of the CONFIG_ADDRESS window for accesses other
   * than a dword at 0xcf8, as the i440FX forwards them to the PCI bus where the PIIX3
   * decodes 0xcf9. Pass undefined to release it.
   */
  claimAddressByte(offset: number, claim: ConfigAddressByteClaim | undefined): void {
    if (!Number.isInteger(offset) || offset < 1 || offset > 3) {
      throw new Error(`CONFIG_ADDRESS byte claims are for offsets 1-3, got ${offset}`);
    }
    this.#claims[offset] = claim;
  }

  /** A read in the 0xcf8 window: CONFIG_ADDRESS, or a claimed byte. */
  readAddress(offset: number, size: number): number {
    if (size === 4) return this.configAddress >>> 0;
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      const at = offset + i;
      const claim = this.#claims[at];
      const byte = claim ? claim.read() & 0xff : (this.configAddress >>> (at * 8)) & 0xff;
      value = (value << 8) | byte;
    }
    return value >>> 0;
  }

  /**
   * A write in the 0xcf8 window: only a dword write sets CONFIG_ADDRESS (QEMU ignores
   * narrower ones); bytes another device claimed go to it.
   */
  writeAddress(offset: number, value: number, size: number): void {
    if (size === 4 && offset === 0) {
      this.configAddress = value >>> 0;
      return;
    }
    for (let i = 0; i < size; i++) {
      this.#claims[offset + i]?.write((value >>> (i * 8)) & 0xff);
    }
  }

  /** Whether CONFIG_ADDRESS enables configuration cycles. */
  get enabled(): boolean {
    return (this.configAddress & CONFIG_ADDRESS_ENABLE) !== 0;
  }

  /** A read of CONFIG_DATA at byte lane `offset` (0-3), `size` bytes within the dword. */
  readData(offset: number, size: number): number {
    const mask = SIZE_MASK[size] ?? 0xffffffff;
    if (!this.enabled || !this.#fits(offset, size)) return mask;
    const { busNumber, devfn, register } = this.#decode(offset);
    if (busNumber !== this.target.busNumber) return mask;
    return (this.target.configRead(devfn, register, size as 1 | 2 | 4) & mask) >>> 0;
  }

  /** A write of CONFIG_DATA; dropped while configuration cycles are disabled. */
  writeData(offset: number, value: number, size: number): void {
    if (!this.enabled || !this.#fits(offset, size)) return;
    const { busNumber, devfn, register } = this.#decode(offset);
    if (busNumber !== this.target.busNumber) return;
    this.target.configWrite(
      devfn,
      register,
      value & (SIZE_MASK[size] ?? 0xffffffff),
      size as 1 | 2 | 4,
    );
  }

  #fits(offset: number, size: number): boolean {
    return (size === 1 || size === 2 || size === 4) && offset >= 0 && offset + size <= 4;
  }

  #decode(offset: number): { busNumber: number; devfn: number; register: number } {
    const a = this.configAddress;
    return {
      busNumber: (a >>> CONFIG_ADDRESS_BUS_SHIFT) & 0xff,
      devfn: (a >>> CONFIG_ADDRESS_DEVFN_SHIFT) & 0xff,
      register: (a & CONFIG_ADDRESS_REGISTER_MASK) + offset,
    };
  }

  reset(): void {
    this.configAddress = 0;
  }
}
