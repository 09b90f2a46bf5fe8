/**
 * qcow2 reference counts (QEMU's qcow2-refcount.c, in our own shape): every host cluster in
 * use (header, tables, data) has a refcount, kept in refcount blocks listed by the refcount
 * table. Allocating a cluster means finding one with refcount 0 and setting it to 1; the
 * blocks and the table grow as the file grows. Every change is written through to the file
 * at once, and always before the L1/L2 entry that points at the cluster, so an interrupted
 * write can leak a cluster but never leave a cluster in use with refcount 0.
 */
import { BlockIoFailure } from '../errors.js';
import type { ImageFile } from '../image-file.js';
import { LruCache } from '../util/lru-cache.js';
import { readUint64, writeUint64 } from './format.js';

export interface RefcountState {
  readonly clusterBits: number;
  readonly refcountOrder: number;
  readonly tableOffset: number;
  readonly tableClusters: number;
  /** Refcount block offsets by table index (0: not allocated). */
  readonly table: number[];
}

/** Writes the refcount table location into the image header. */
export type RefcountTableHeaderWriter = (offset: number, clusters: number) => Promise<void>;

/** Cache at most this many bytes of refcount blocks. */
const BLOCK_CACHE_BYTES = 4 * 1024 * 1024;

export class Refcounts {
  private readonly clusterSize: number;
  private readonly refcountBits: number;
  /** Refcount entries in one block. */
  readonly entriesPerBlock: number;
  private readonly maxRefcount: number;
  private tableOffset: number;
  private tableClusters: number;
  private table: number[];
  private readonly blocks: LruCache<number, Uint8Array>;
  /** No cluster below this index is free (QEMU's free_cluster_index). */
  private freeHint = 0;
  /** Every cluster from this index on is free and past the end of the file. */
  private endCluster: number;

  constructor(
    private readonly file: ImageFile,
    state: RefcountState,
    private readonly writeHeader: RefcountTableHeaderWriter,
  ) {
    this.clusterSize = 2 ** state.clusterBits;
    this.refcountBits = 2 ** state.refcountOrder;
    this.entriesPerBlock = (this.clusterSize * 8) / this.refcountBits;
    this.maxRefcount =
      this.refcountBits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** this.refcountBits - 1;
    this.tableOffset = state.tableOffset;
    this.tableClusters = state.tableClusters;
    this.table = [...state.table];
    this.blocks = new LruCache(Math.max(8, Math.floor(BLOCK_CACHE_BYTES / this.clusterSize)));
    this.endCluster = Math.ceil(file.length() / this.clusterSize);
  }

  /** Reads a refcount table from `file` and checks every block offset in it. */
  static async readTable(
    file: ImageFile,
    clusterSize: number,
    offset: number,
    clusters: number,
    corrupt: (what: string) => Error,
  ): Promise<number[]> {
    const bytes = new Uint8Array(clusters * clusterSize);
    const got = await file.read(offset, bytes);
    if (got < bytes.length) throw corrupt('the refcount table is truncated');
    const view = new DataView(bytes.buffer);
    const table: number[] = [];
    for (let i = 0; i < bytes.length / 8; i++) {
      const block = readUint64(view, i * 8);
      if (block === null) throw corrupt(`refcount table entry ${i} is out of range`);
      const aligned = block - (block % 512);
      if (aligned % clusterSize !== 0)
        throw corrupt(`refcount block ${i} is not aligned to a cluster`);
      if (aligned !== 0 && aligned < clusterSize)
        throw corrupt(`refcount block ${i} overlaps the image header`);
      if (aligned + clusterSize > file.length() && aligned !== 0) {
        throw corrupt(
          `refcount block ${i} (at offset ${aligned}) is beyond the end of the file: truncated image?`,
        );
      }
      table.push(aligned);
    }
    return table;
  }

  /** The refcount of the host cluster with index `cluster`. */
  async get(cluster: number): Promise<number> {
    const blockIndex = Math.floor(cluster / this.entriesPerBlock);
    const blockOffset = this.table[blockIndex] ?? 0;
    if (blockOffset === 0) return 0;
    const block = await this.loadBlock(blockOffset);
    return this.readEntry(block, cluster % this.entriesPerBlock);
  }

  /**
   * Allocates `count` contiguous free clusters, sets their refcounts to 1 and returns the
   * byte offset of the first. The clusters' contents are whatever the file holds: the
   * caller writes them before pointing anything at them.
   */
  async allocate(count: number): Promise<number> {
    for (;;) {
      const start = await this.findFreeRun(count);
      // The run's refcounts live in blocks that may not exist yet. Creating one takes a
      // cluster (maybe from this very run), so look again afterwards (QEMU's -EAGAIN).
      const firstBlock = Math.floor(start / this.entriesPerBlock);
      const lastBlock = Math.floor((start + count - 1) / this.entriesPerBlock);
      let createdMetadata = false;
      for (let index = firstBlock; index <= lastBlock && !createdMetadata; index++) {
        if (!this.table[index]) {
          await this.createBlock(index, Math.max(start, index * this.entriesPerBlock));
          createdMetadata = true;
        }
      }
      if (createdMetadata) continue;
      await this.update(start, count, +1);
      this.freeHint = start + count;
      this.endCluster = Math.max(this.endCluster, start + count);
      return start * this.clusterSize;
    }
  }

  /**
   * Drops one reference from every cluster that the byte range touches (a compressed
   * cluster's range may start and end inside clusters, as QEMU's update_refcount allows).
   */
  async release(offset: number, length: number): Promise<void> {
    const first = Math.floor(offset / this.clusterSize);
    const last = Math.floor((offset + length - 1) / this.clusterSize);
    await this.update(first, last - first + 1, -1);
  }

  /** Adds `delta` to the refcounts of `count` clusters from `first` on. */
  private async update(first: number, count: number, delta: 1 | -1): Promise<void> {
    let cluster = first;
    const end = first + count;
    while (cluster < end) {
      const blockIndex = Math.floor(cluster / this.entriesPerBlock);
      const blockOffset = this.table[blockIndex] ?? 0;
      if (blockOffset === 0) {
        throw new BlockIoFailure(
          'io-error',
          `qcow2: no refcount block for cluster ${cluster} (corrupt image)`,
        );
      }
      const block = await this.loadBlock(blockOffset);
      const blockEnd = Math.min(end, (blockIndex + 1) * this.entriesPerBlock);
      let lowByte = Number.POSITIVE_INFINITY;
      let highByte = 0;
      for (; cluster < blockEnd; cluster++) {
        const index = cluster % this.entriesPerBlock;
        const value = this.readEntry(block, index) + delta;
        if (value < 0 || value > this.maxRefcount) {
          throw new BlockIoFailure(
            'io-error',
            `qcow2: refcount of cluster ${cluster} would become ${value} (corrupt image)`,
          );
        }
        this.writeEntry(block, index, value);
        if (value === 0 && cluster < this.freeHint) this.freeHint = cluster;
        const [low, high] = this.entryBytes(index);
        lowByte = Math.min(lowByte, low);
        highByte = Math.max(highByte, high);
      }
      await this.file.write(blockOffset + lowByte, block.subarray(lowByte, highByte));
    }
  }

  /** The first run of `count` clusters with refcount 0, from the free hint on. */
  private async findFreeRun(count: number): Promise<number> {
    let start = this.freeHint;
    let run = 0;
    let cluster = start;
    while (run < count) {
      const blockIndex = Math.floor(cluster / this.entriesPerBlock);
      const blockEnd = (blockIndex + 1) * this.entriesPerBlock;
      const blockOffset = this.table[blockIndex] ?? 0;
      if (blockOffset === 0) {
        // No block: every cluster it would describe is free.
        if (run === 0) start = cluster;
        const take = Math.min(count - run, blockEnd - cluster);
        run += take;
        cluster += take;
        continue;
      }
      const block = await this.loadBlock(blockOffset);
      for (; cluster < blockEnd && run < count; cluster++) {
        if (this.readEntry(block, cluster % this.entriesPerBlock) === 0) {
          if (run === 0) start = cluster;
          run++;
        } else {
          run = 0;
        }
      }
    }
    return start;
  }

  /**
   * Creates refcount block `index` in free cluster `home` (inside the range it describes,
   * so it counts itself), growing the refcount table first if it has no entry `index`.
   */
  private async createBlock(index: number, home: number): Promise<void> {
    if (index >= this.tableEntries) {
      await this.growTable(index + 1);
      return;
    }
    const block = new Uint8Array(this.clusterSize);
    this.writeEntry(block, home % this.entriesPerBlock, 1);
    const offset = home * this.clusterSize;
    await this.file.write(offset, block);
    this.blocks.set(offset, block);
    await this.setTableEntry(index, offset);
    this.endCluster = Math.max(this.endCluster, home + 1);
  }

  private get tableEntries(): number {
    return (this.tableClusters * this.clusterSize) / 8;
  }

  private async setTableEntry(index: number, offset: number): Promise<void> {
    this.table[index] = offset;
    const entry = new Uint8Array(8);
    writeUint64(new DataView(entry.buffer), 0, offset);
    await this.file.write(this.tableOffset + index * 8, entry);
  }

  /**
   * Moves the refcount table to the end of the file with room for at least `minEntries`
   * blocks (QEMU's qcow2_refcount_area). The new table and any refcount blocks needed to
   * count it are placed together and count themselves; the header is switched over only
   * once they are on disk; then the old table's clusters are released.
   */
  private async growTable(minEntries: number): Promise<void> {
    const per = this.entriesPerBlock;
    const first = Math.max(this.endCluster, Math.ceil(this.file.length() / this.clusterSize));
    let entries = Math.max(minEntries, Math.ceil(this.tableEntries * 1.5));
    let newBlocks: number[] = [];
    let tableClusters = 0;
    for (;;) {
      tableClusters = Math.ceil((entries * 8) / this.clusterSize);
      const areaEnd = first + tableClusters + newBlocks.length;
      const lastIndex = Math.floor((areaEnd - 1) / per);
      const missing: number[] = [];
      for (let index = Math.floor(first / per); index <= lastIndex; index++) {
        if (!this.table[index]) missing.push(index);
      }
      const neededEntries = Math.max(entries, lastIndex + 1);
      const stable = missing.length === newBlocks.length && neededEntries === entries;
      newBlocks = missing;
      entries = neededEntries;
      if (stable) break;
    }
    entries = (tableClusters * this.clusterSize) / 8;
    const areaEnd = first + tableClusters + newBlocks.length;

    // The new refcount blocks, each counting the area's clusters in its range.
    const blockHomes = new Map<number, number>();
    newBlocks.forEach((index, i) => {
      blockHomes.set(index, first + tableClusters + i);
    });
    for (const [index, home] of blockHomes) {
      const block = new Uint8Array(this.clusterSize);
      for (
        let cluster = Math.max(first, index * per);
        cluster < Math.min(areaEnd, (index + 1) * per);
        cluster++
      ) {
        this.writeEntry(block, cluster % per, 1);
      }
      await this.file.write(home * this.clusterSize, block);
      this.blocks.set(home * this.clusterSize, block);
    }
    // Area clusters counted by blocks that already exist.
    for (let cluster = first; cluster < areaEnd; cluster++) {
      const index = Math.floor(cluster / per);
      if (!blockHomes.has(index)) await this.update(cluster, 1, +1);
    }
    // The new table: the old entries plus the new blocks.
    const newTable = new Array<number>(entries).fill(0);
    this.table.forEach((offset, index) => {
      newTable[index] = offset;
    });
    for (const [index, home] of blockHomes) newTable[index] = home * this.clusterSize;
    const tableBytes = new Uint8Array(tableClusters * this.clusterSize);
    const view = new DataView(tableBytes.buffer);
    newTable.forEach((offset, index) => {
      writeUint64(view, index * 8, offset);
    });
    const newTableOffset = first * this.clusterSize;
    await this.file.write(newTableOffset, tableBytes);
    await this.file.flush();
    await this.writeHeader(newTableOffset, tableClusters);

    const oldOffset = this.tableOffset;
    const oldClusters = this.tableClusters;
    this.table = newTable;
    this.tableOffset = newTableOffset;
    this.tableClusters = tableClusters;
    this.endCluster = Math.max(this.endCluster, areaEnd);
    await this.release(oldOffset, oldClusters * this.clusterSize);
  }

  private async loadBlock(offset: number): Promise<Uint8Array> {
    const cached = this.blocks.get(offset);
    if (cached) return cached;
    const block = new Uint8Array(this.clusterSize);
    const got = await this.file.read(offset, block);
    if (got < block.length) block.fill(0, got);
    this.blocks.set(offset, block);
    return block;
  }

  /** The byte range [low, high) of `block` that holds entry `index`. */
  private entryBytes(index: number): [number, number] {
    if (this.refcountBits >= 8) {
      const width = this.refcountBits / 8;
      return [index * width, (index + 1) * width];
    }
    const byte = Math.floor((index * this.refcountBits) / 8);
    return [byte, byte + 1];
  }

  private readEntry(block: Uint8Array, index: number): number {
    switch (this.refcountBits) {
      case 64: {
        const at = index * 8;
        const hi = (block[at] << 24) | (block[at + 1] << 16) | (block[at + 2] << 8) | block[at + 3];
        const lo =
          (block[at + 4] << 24) | (block[at + 5] << 16) | (block[at + 6] << 8) | block[at + 7];
        return (hi >>> 0) * 0x100000000 + (lo >>> 0);
      }
      case 32: {
        const at = index * 4;
        return (
          ((block[at] << 24) | (block[at + 1] << 16) | (block[at + 2] << 8) | block[at + 3]) >>> 0
        );
      }
      case 16:
        return (block[index * 2] << 8) | block[index * 2 + 1];
      case 8:
        return block[index];
      default: {
        // Sub-byte widths: bit 0 of an entry is the least significant bit of its byte part.
        const bit = index * this.refcountBits;
        return (block[bit >> 3] >> (bit & 7)) & ((1 << this.refcountBits) - 1);
      }
    }
  }

  private writeEntry(block: Uint8Array, index: number, value: number): void {
    switch (this.refcountBits) {
      case 64: {
        const at = index * 8;
        const hi = Math.floor(value / 0x100000000);
        const lo = value >>> 0;
        block.set([hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255], at);
        block.set([lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255], at + 4);
        return;
      }
      case 32: {
        const at = index * 4;
        block.set([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255], at);
        return;
      }
      case 16:
        block[index * 2] = value >>> 8;
        block[index * 2 + 1] = value & 255;
        return;
      case 8:
        block[index] = value;
        return;
      default: {
        const bit = index * this.refcountBits;
        const mask = ((1 << this.refcountBits) - 1) << (bit & 7);
        block[bit >> 3] = (block[bit >> 3] & ~mask) | ((value << (bit & 7)) & mask);
      }
    }
  }
}
