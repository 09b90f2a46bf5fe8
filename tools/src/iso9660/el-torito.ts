/**
 * El Torito (the "Bootable CD-ROM Format Specification" 1.0): a Boot Record volume descriptor
 * that points at a boot catalog, whose default entry tells the BIOS which sectors to load and
 * where; and the "boot info table" that mkisofs's -boot-info-table patches into the boot
 * image, which isolinux reads to find the rest of itself.
 */
import { SECTOR_SIZE, writePaddedAscii, writeUint16LE, writeUint32LE } from './encoding.js';

const BOOT_SYSTEM_ID = 'EL TORITO SPECIFICATION';

/** Validation entry: header ID 1, platform 0 = 80x86, then the 0x55 0xAA key bytes. */
const HEADER_ID = 0x01;
const PLATFORM_X86 = 0x00;
/** Initial/default entry: boot indicator 0x88 = bootable, media type 0 = no emulation. */
const BOOTABLE = 0x88;
const MEDIA_NO_EMULATION = 0x00;

/** Writes the Boot Record volume descriptor (type 0) into one sector. */
export function writeBootRecord(sector: Uint8Array, catalogLba: number): void {
  sector[0] = 0; // volume descriptor type 0: boot record
  writePaddedAscii(sector, 1, 5, 'CD001');
  sector[6] = 1; // descriptor version
  writePaddedAscii(sector, 7, 32, BOOT_SYSTEM_ID, 0);
  // 32 bytes of boot identifier (unused), then the catalog's absolute sector at 0x47.
  writeUint32LE(sector, 0x47, catalogLba);
}

export interface BootEntry {
  /** Sector of the boot image on the disc. */
  imageLba: number;
  /** How many 512-byte "virtual sectors" the BIOS loads (isolinux wants 4: one CD sector). */
  loadSectors: number;
  /** Real-mode segment to load at; 0 means the BIOS default, 0x7c0. */
  loadSegment: number;
  /** Manufacturer or developer string in the validation entry (up to 24 characters). */
  idString: string;
}

/** Writes a boot catalog with a validation entry and one no-emulation default entry. */
export function writeBootCatalog(sector: Uint8Array, entry: BootEntry): void {
  if (sector.length < SECTOR_SIZE) throw new Error('El Torito: the boot catalog needs one sector');
  if (!Number.isInteger(entry.loadSectors) || entry.loadSectors < 1 || entry.loadSectors > 0xffff) {
    throw new Error(`El Torito: load sector count must be 1..65535, got ${entry.loadSectors}`);
  }
  sector.fill(0, 0, SECTOR_SIZE);
  sector[0] = HEADER_ID;
  sector[1] = PLATFORM_X86;
  writePaddedAscii(sector, 4, 24, entry.idString, 0);
  sector[30] = 0x55;
  sector[31] = 0xaa;
  // The checksum word makes the sixteen little-endian words of the entry sum to zero.
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum += sector[i] | (sector[i + 1] << 8);
  writeUint16LE(sector, 28, (0x10000 - (sum & 0xffff)) & 0xffff);

  const d = 32;
  sector[d] = BOOTABLE;
  sector[d + 1] = MEDIA_NO_EMULATION;
  writeUint16LE(sector, d + 2, entry.loadSegment);
  sector[d + 4] = 0; // system type: the partition type byte, unused without hard-disk emulation
  writeUint16LE(sector, d + 6, entry.loadSectors);
  writeUint32LE(sector, d + 8, entry.imageLba);
}

/** Offsets of the boot info table inside the boot image (mkisofs's -boot-info-table). */
export const BOOT_INFO_TABLE_OFFSET = 8;
const BOOT_INFO_TABLE_END = 64;

/**
 * Patches the boot info table into a copy of the boot image: bytes 8-63 hold the primary
 * volume descriptor's sector, the image's own sector, its length and a checksum of its bytes
 * from offset 64 on (the sum of 32-bit little-endian words), then 40 reserved zero bytes.
 */
export function patchBootInfoTable(
  image: Uint8Array,
  primaryVolumeDescriptorLba: number,
  imageLba: number,
): Uint8Array {
  if (image.length < BOOT_INFO_TABLE_END) {
    throw new Error(
      `El Torito: a boot image with a boot info table must be at least 64 bytes, got ${image.length}`,
    );
  }
  const patched = new Uint8Array(image);
  writeUint32LE(patched, BOOT_INFO_TABLE_OFFSET, primaryVolumeDescriptorLba);
  writeUint32LE(patched, BOOT_INFO_TABLE_OFFSET + 4, imageLba);
  writeUint32LE(patched, BOOT_INFO_TABLE_OFFSET + 8, image.length);
  writeUint32LE(patched, BOOT_INFO_TABLE_OFFSET + 12, bootImageChecksum(image));
  patched.fill(0, BOOT_INFO_TABLE_OFFSET + 16, BOOT_INFO_TABLE_END);
  return patched;
}

/** The boot info table's checksum: 32-bit LE words from offset 64, a short tail zero-padded. */
export function bootImageChecksum(image: Uint8Array): number {
  let sum = 0;
  for (let i = BOOT_INFO_TABLE_END; i < image.length; i += 4) {
    const word =
      image[i] |
      ((image[i + 1] ?? 0) << 8) |
      ((image[i + 2] ?? 0) << 16) |
      ((image[i + 3] ?? 0) << 24);
    sum = (sum + word) >>> 0;
  }
  return sum;
}
