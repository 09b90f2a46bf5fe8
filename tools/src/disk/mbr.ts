/**
 * Raw disk images with a Master Boot Record: the BIOS loads sector 0 to 0x7c00 and jumps to
 * it when the last two bytes are 0x55 0xaa. Used by IDE boot tests with a boot sector of their
 * own, optionally followed by more sectors the boot code reads with INT 13h.
 */

export const SECTOR_BYTES = 512;
/** Boot code fits before the partition table at 446; without partitions it may use 510 bytes. */
export const BOOT_CODE_WITH_PARTITIONS = 446;
export const BOOT_CODE_WITHOUT_PARTITIONS = 510;
const PARTITION_TABLE_OFFSET = 446;
const PARTITION_ENTRY_SIZE = 16;
const BOOT_SIGNATURE_OFFSET = 510;

/**
 * The CHS geometry written into partition entries (and what a BIOS reports for a small disk):
 * 16 heads and 63 sectors per track, as QEMU guesses for disks up to 504 MiB.
 */
export const DEFAULT_GEOMETRY = { heads: 16, sectorsPerTrack: 63 } as const;

export interface MbrPartition {
  /** Partition type byte, e.g. 0x83 Linux, 0x0c FAT32 LBA. */
  type: number;
  /** First sector, as an LBA. */
  startLba: number;
  sectorCount: number;
  /** Boot indicator 0x80 (the BIOS does not look at it; boot loaders do). */
  bootable?: boolean;
}

export interface BootDiskOptions {
  /** Code placed at offset 0 of sector 0 (at most 446 bytes with partitions, 510 without). */
  bootCode: Uint8Array;
  /** Up to four primary partitions. */
  partitions?: readonly MbrPartition[];
  /** Bytes placed from sector 1 on, for boot code that loads more of itself. */
  payload?: Uint8Array;
  /** Image size in bytes, a multiple of 512; defaults to 1 MiB or what the content needs. */
  sizeBytes?: number;
}

const DEFAULT_SIZE = 1024 * 1024;

/**
 * A raw disk image with the boot code in sector 0, an optional partition table, the 0x55 0xaa
 * signature and an optional payload after it.
 *
 * @example
 * // A boot sector that halts: cli; hlt; jmp $-1.
 * const disk = buildBootDisk({ bootCode: Uint8Array.of(0xfa, 0xf4, 0xeb, 0xfd) });
 */
export function buildBootDisk(options: BootDiskOptions): Uint8Array {
  const partitions = options.partitions ?? [];
  const codeLimit =
    partitions.length > 0 ? BOOT_CODE_WITH_PARTITIONS : BOOT_CODE_WITHOUT_PARTITIONS;
  if (options.bootCode.length > codeLimit) {
    throw new Error(
      `boot disk: boot code is ${options.bootCode.length} bytes; at most ${codeLimit} fit ${partitions.length > 0 ? 'before the partition table' : 'before the boot signature'}`,
    );
  }
  if (partitions.length > 4)
    throw new Error(`boot disk: an MBR holds 4 partitions, got ${partitions.length}`);

  const payload = options.payload ?? new Uint8Array(0);
  const needed = SECTOR_BYTES + roundUpToSector(payload.length);
  const partitionEnd =
    Math.max(0, ...partitions.map((p) => p.startLba + p.sectorCount)) * SECTOR_BYTES;
  const size = options.sizeBytes ?? Math.max(DEFAULT_SIZE, needed, partitionEnd);
  if (!Number.isInteger(size) || size % SECTOR_BYTES !== 0) {
    throw new Error(`boot disk: size must be a multiple of 512 bytes, got ${size}`);
  }
  if (size < needed) {
    throw new Error(
      `boot disk: ${size} bytes is too small for the boot sector and a ${payload.length}-byte payload`,
    );
  }

  const disk = new Uint8Array(size);
  disk.set(options.bootCode, 0);
  partitions.forEach((partition, index) => {
    checkPartition(partition, index, size / SECTOR_BYTES);
    writePartitionEntry(disk, PARTITION_TABLE_OFFSET + index * PARTITION_ENTRY_SIZE, partition);
  });
  disk[BOOT_SIGNATURE_OFFSET] = 0x55;
  disk[BOOT_SIGNATURE_OFFSET + 1] = 0xaa;
  disk.set(payload, SECTOR_BYTES);
  return disk;
}

function roundUpToSector(bytes: number): number {
  return Math.ceil(bytes / SECTOR_BYTES) * SECTOR_BYTES;
}

function checkPartition(partition: MbrPartition, index: number, diskSectors: number): void {
  const { type, startLba, sectorCount } = partition;
  if (!Number.isInteger(type) || type < 1 || type > 0xff) {
    throw new Error(`boot disk: partition ${index + 1} type must be 1..255, got ${type}`);
  }
  if (
    !Number.isInteger(startLba) ||
    startLba < 1 ||
    !Number.isInteger(sectorCount) ||
    sectorCount < 1
  ) {
    throw new Error(
      `boot disk: partition ${index + 1} must start at LBA 1 or later and hold at least one sector`,
    );
  }
  if (startLba + sectorCount > diskSectors) {
    throw new Error(
      `boot disk: partition ${index + 1} ends past the disk's ${diskSectors} sectors`,
    );
  }
}

/** A partition entry: status, CHS of the first sector, type, CHS of the last, LBA, count. */
function writePartitionEntry(disk: Uint8Array, offset: number, partition: MbrPartition): void {
  const view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
  disk[offset] = partition.bootable ? 0x80 : 0x00;
  disk.set(chsBytes(partition.startLba), offset + 1);
  disk[offset + 4] = partition.type;
  disk.set(chsBytes(partition.startLba + partition.sectorCount - 1), offset + 5);
  view.setUint32(offset + 8, partition.startLba, true);
  view.setUint32(offset + 12, partition.sectorCount, true);
}

/**
 * An LBA as the 3 CHS bytes of a partition entry: head, then sector (bits 0-5) with the
 * cylinder's bits 8-9 on top, then the cylinder's low byte. Past cylinder 1023 the entry
 * holds the conventional maximum (1023, 254, 63) and readers use the LBA fields.
 */
export function chsBytes(lba: number): [number, number, number] {
  const { heads, sectorsPerTrack } = DEFAULT_GEOMETRY;
  const cylinder = Math.floor(lba / (heads * sectorsPerTrack));
  if (cylinder > 1023) return [0xfe, 0xff, 0xff];
  const head = Math.floor(lba / sectorsPerTrack) % heads;
  const sector = (lba % sectorsPerTrack) + 1;
  return [head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff];
}
