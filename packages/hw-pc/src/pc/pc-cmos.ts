/**
 * The CMOS bytes QEMU's pc machine fills for the BIOS (hw/i386/pc.c, pc_cmos_init): memory
 * sizes, the CPU count, the boot order and the equipment byte. SeaBIOS reads the sizes only
 * when fw_cfg gives no e820 table, but it always takes the boot order from here when there is
 * no `bootorder` file entry, and DOS-era software reads the equipment byte.
 */

/** One byte written into CMOS (the RTC's `setCmosByte`). */
export type CmosWriter = (index: number, value: number) => void;

export interface PcCmosConfig {
  /** RAM below the 4 GiB PCI hole, and above 4 GiB, in bytes. */
  belowFourGig: number;
  aboveFourGig: number;
  /** CPUs at boot. */
  cpus: number;
  /** `-boot order=`: up to three letters of `a` (floppy), `c` (disk), `d` (CD), `n` (net). */
  bootOrder: string;
}

const MIB = 1024 * 1024;

/** QEMU's boot_device2nibble. */
function bootNibble(letter: string | undefined): number {
  switch (letter) {
    case 'a':
    case 'b':
      return 0x01;
    case 'c':
      return 0x02;
    case 'd':
      return 0x03;
    case 'n':
      return 0x04;
    default:
      return 0;
  }
}

/** Letters `-boot order=` accepts on a PC (QEMU's PC_BOOT_DEVICES: floppy, disk, CD, net). */
export const PC_BOOT_DEVICES = 'abcdn';

/** Checks a `-boot order=` string; returns an error text or undefined. */
export function checkBootOrder(order: string): string | undefined {
  if (order.length === 0) return 'boot order is empty';
  for (const letter of order) {
    if (!PC_BOOT_DEVICES.includes(letter)) return `Invalid boot device for PC: '${letter}'`;
  }
  if (order.length > 3) return 'Too many boot devices for PC';
  return undefined;
}

export function fillPcCmos(write: CmosWriter, config: PcCmosConfig): void {
  const setWord = (index: number, value: number) => {
    write(index, value & 0xff);
    write(index + 1, (value >>> 8) & 0xff);
  };
  // Base memory (the first 640 KiB), in KiB.
  setWord(0x15, Math.min(config.belowFourGig / 1024, 640));
  // Extended memory above 1 MiB, in KiB (capped at 64 MiB worth), in two places.
  const extended = Math.min(
    config.belowFourGig > MIB ? Math.floor((config.belowFourGig - MIB) / 1024) : 0,
    0xffff,
  );
  setWord(0x17, extended);
  setWord(0x30, extended);
  // Memory between 16 MiB and the PCI hole, in 64 KiB units.
  const above16 = Math.min(
    config.belowFourGig > 16 * MIB ? Math.floor((config.belowFourGig - 16 * MIB) / 65536) : 0,
    0xffff,
  );
  setWord(0x34, above16);
  // Memory above 4 GiB, in 64 KiB units (three bytes).
  const high = Math.floor(config.aboveFourGig / 65536);
  write(0x5b, high & 0xff);
  write(0x5c, (high >>> 8) & 0xff);
  write(0x5d, (high >>> 16) & 0xff);
  write(0x5f, config.cpus - 1);
  // Boot order: first and second device in 0x3d, the third in 0x38's high nibble; bit 0 of
  // 0x38 set disables the floppy boot-signature check (QEMU's default).
  const order = config.bootOrder;
  write(0x3d, (bootNibble(order[1]) << 4) | bootNibble(order[0]));
  write(0x38, (bootNibble(order[2]) << 4) | 0x01);
  // Equipment byte: no floppy, a maths coprocessor, a PS/2 mouse; video: EGA/VGA (0).
  write(0x14, 0x02 | 0x04);
  // No floppy drives.
  write(0x10, 0);
}
