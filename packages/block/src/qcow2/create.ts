/**
 * Creating an empty qcow2 image (what `qemu-img create -f qcow2` writes): the header, a
 * refcount table and the refcount blocks that count the metadata, and an all-zero L1
 * table. Used for `-snapshot` overlays and by library users; `qemu-img check` accepts it.
 */
import type { ImageFile } from '../image-file.js';
import {
  EXTENSION,
  HEADER,
  MAX_BACKING_FILE_NAME,
  MAX_CLUSTER_BITS,
  MIN_CLUSTER_BITS,
  QCOW2_MAGIC,
  V2_HEADER_LENGTH,
  V3_HEADER_LENGTH,
  writeUint64,
} from './format.js';

export interface Qcow2CreateOptions {
  /** Virtual disk size in bytes. */
  size: number;
  /** A power of two from 512 bytes to 2 MiB; default 64 KiB (QEMU's default). */
  clusterSize?: number;
  /** 3 (QEMU's compat=1.1, the default) or 2 (compat=0.10). */
  version?: 2 | 3;
  /** Refcount width: 1, 2, 4, 8, 16 (the default), 32 or 64 bits; version 2 needs 16. */
  refcountBits?: number;
  /** The backing file name to record, as it should be read back (relative or absolute). */
  backingFile?: string;
  /** The backing file's format, recorded in a header extension. */
  backingFormat?: string;
}

/**
 * Writes an empty qcow2 image into `file` (which should be empty).
 * @throws Error for options QEMU would refuse (a bad cluster size, refcount width...).
 */
export async function createQcow2(file: ImageFile, options: Qcow2CreateOptions): Promise<void> {
  const { size } = options;
  const clusterSize = options.clusterSize ?? 65536;
  const version = options.version ?? 3;
  const refcountBits = options.refcountBits ?? 16;
  const clusterBits = Math.log2(clusterSize);
  if (
    !Number.isInteger(clusterBits) ||
    clusterBits < MIN_CLUSTER_BITS ||
    clusterBits > MAX_CLUSTER_BITS
  ) {
    throw new Error('Cluster size must be a power of two between 512 and 2048k');
  }
  const refcountOrder = Math.log2(refcountBits);
  if (!Number.isInteger(refcountOrder) || refcountOrder > 6) {
    throw new Error('Refcount width must be a power of two and may not exceed 64 bits');
  }
  if (version === 2 && refcountBits !== 16) {
    throw new Error(
      'Different refcount widths than 16 bits require compatibility level 1.1 or above',
    );
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`invalid image size ${size}`);
  const backingName =
    options.backingFile === undefined ? null : new TextEncoder().encode(options.backingFile);
  if (backingName && backingName.length > MAX_BACKING_FILE_NAME)
    throw new Error('Backing file name too long');

  // Layout: header cluster, refcount table, refcount blocks, L1 table. The blocks must
  // count every one of those clusters, and the table must list every block.
  const l2Entries = clusterSize / 8;
  const l1Size = Math.ceil(size / (clusterSize * l2Entries));
  const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / clusterSize));
  const perBlock = (clusterSize * 8) / refcountBits;
  let tableClusters = 1;
  let blocks = 1;
  for (;;) {
    const total = 1 + tableClusters + blocks + l1Clusters;
    const neededBlocks = Math.ceil(total / perBlock);
    const neededTable = Math.ceil((neededBlocks * 8) / clusterSize);
    if (neededBlocks === blocks && neededTable === tableClusters) break;
    blocks = neededBlocks;
    tableClusters = neededTable;
  }
  const tableOffset = clusterSize;
  const blocksOffset = tableOffset + tableClusters * clusterSize;
  const l1Offset = blocksOffset + blocks * clusterSize;
  const totalClusters = 1 + tableClusters + blocks + l1Clusters;

  // The header cluster.
  const headerCluster = new Uint8Array(clusterSize);
  const view = new DataView(headerCluster.buffer);
  view.setUint32(HEADER.magic, QCOW2_MAGIC);
  view.setUint32(HEADER.version, version);
  view.setUint32(HEADER.clusterBits, clusterBits);
  writeUint64(view, HEADER.size, size);
  view.setUint32(HEADER.l1Size, l1Size);
  writeUint64(view, HEADER.l1TableOffset, l1Offset);
  writeUint64(view, HEADER.refcountTableOffset, tableOffset);
  view.setUint32(HEADER.refcountTableClusters, tableClusters);
  const headerLength = version === 3 ? V3_HEADER_LENGTH : V2_HEADER_LENGTH;
  if (version === 3) {
    view.setUint32(HEADER.refcountOrder, refcountOrder);
    view.setUint32(HEADER.headerLength, headerLength);
  }
  let at = headerLength;
  if (options.backingFormat !== undefined) {
    const format = new TextEncoder().encode(options.backingFormat);
    view.setUint32(at, EXTENSION.backingFormat);
    view.setUint32(at + 4, format.length);
    headerCluster.set(format, at + 8);
    at += 8 + Math.ceil(format.length / 8) * 8;
  }
  at += 8; // the end-of-extensions marker (type 0, length 0)
  if (backingName) {
    if (at + backingName.length > clusterSize)
      throw new Error('Backing file name does not fit in the header cluster');
    writeUint64(view, HEADER.backingFileOffset, at);
    view.setUint32(HEADER.backingFileSize, backingName.length);
    headerCluster.set(backingName, at);
  }

  // The refcount table and blocks: every metadata cluster has refcount 1.
  const table = new Uint8Array(tableClusters * clusterSize);
  const tableView = new DataView(table.buffer);
  for (let i = 0; i < blocks; i++) writeUint64(tableView, i * 8, blocksOffset + i * clusterSize);
  const refcountBlocks = new Uint8Array(blocks * clusterSize);
  for (let cluster = 0; cluster < totalClusters; cluster++)
    setOne(refcountBlocks, cluster, refcountBits);

  await file.write(0, headerCluster);
  await file.write(tableOffset, table);
  await file.write(blocksOffset, refcountBlocks);
  await file.write(l1Offset, new Uint8Array(l1Clusters * clusterSize));
}

/** Sets refcount entry `index` (counted across consecutive blocks) to 1. */
function setOne(blocks: Uint8Array, index: number, bits: number): void {
  if (bits >= 8) {
    const width = bits / 8;
    blocks[index * width + width - 1] = 1;
  } else {
    const bit = index * bits;
    blocks[bit >> 3] |= 1 << (bit & 7);
  }
}
