/**
 * qcow2 on-disk constants (QEMU's docs/interop/qcow2.txt). All numbers are big-endian.
 */

export const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"

/** Header field offsets. */
export const HEADER = {
  magic: 0,
  version: 4,
  backingFileOffset: 8,
  backingFileSize: 16,
  clusterBits: 20,
  size: 24,
  cryptMethod: 32,
  l1Size: 36,
  l1TableOffset: 40,
  refcountTableOffset: 48,
  refcountTableClusters: 56,
  nbSnapshots: 60,
  snapshotsOffset: 64,
  // Version 3 from here on.
  incompatibleFeatures: 72,
  compatibleFeatures: 80,
  autoclearFeatures: 88,
  refcountOrder: 96,
  headerLength: 100,
  compressionType: 104,
} as const;

export const V2_HEADER_LENGTH = 72;
export const V3_MIN_HEADER_LENGTH = 104;
/** The header length tsemu writes for version 3 (with the compression type, padded to 8). */
export const V3_HEADER_LENGTH = 112;

/** QEMU's limits: clusters of 512 bytes to 2 MiB. */
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 21;
/** QEMU's implementation limits on table sizes (bytes). */
export const MAX_L1_BYTES = 32 * 1024 * 1024;
export const MAX_REFTABLE_BYTES = 8 * 1024 * 1024;
export const MAX_BACKING_FILE_NAME = 1023;

/** Incompatible feature bits: an implementation must refuse images with bits it does not know. */
export const INCOMPAT = {
  dirty: 0,
  corrupt: 1,
  externalDataFile: 2,
  compressionType: 3,
  extendedL2: 4,
} as const;

/** Header extension types. */
export const EXTENSION = {
  end: 0,
  backingFormat: 0xe2792aca,
  featureNameTable: 0x6803f857,
  bitmaps: 0x23852875,
  fullDiskEncryption: 0x0537be77,
  externalDataFile: 0x44415441,
} as const;

/** Bits of the high 32-bit word of an L1 or L2 entry. */
export const OFLAG_COPIED_HI = 0x80000000; // bit 63: refcount is exactly one, write in place
export const OFLAG_COMPRESSED_HI = 0x40000000; // bit 62: compressed cluster (L2 only)
/** Bit 0 of a standard L2 entry (version 3): the cluster reads as zeros. */
export const OFLAG_ZERO_LO = 1;
/** Bits 32-55 of an L1/L2 entry hold the high part of the offset. */
export const OFFSET_HI_MASK = 0x00ffffff;
/** Bits 9-31 hold the low part (offsets are at least sector-aligned). */
export const OFFSET_LO_MASK = 0xfffffe00;

/** Reads a big-endian 64-bit value as a Number; null when it does not fit in 2^53. */
export function readUint64(view: DataView, at: number): number | null {
  const hi = view.getUint32(at);
  const lo = view.getUint32(at + 4);
  if (hi >= 0x200000) return null;
  return hi * 0x100000000 + lo;
}

export function writeUint64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / 0x100000000));
  view.setUint32(at + 4, value >>> 0);
}

/** The offset field of an L1 entry or standard L2 entry (bits 9-55). */
export function entryOffset(hi: number, lo: number): number {
  return (hi & OFFSET_HI_MASK) * 0x100000000 + ((lo & OFFSET_LO_MASK) >>> 0);
}
