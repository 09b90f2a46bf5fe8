/**
 * The qcow2 format driver (QEMU's block/qcow2.c, qcow2-cluster.c), read and write.
 *
 * A guest offset is split into an L1 index, an L2 index and an offset in the cluster; the
 * L2 entry says where the cluster is: nowhere yet (read the backing image, or zeros), all
 * zeros (the v3 zero flag), a host cluster, or compressed bytes. Writing to a cluster that
 * is not ours alone (unallocated, zero, compressed, or shared with an internal snapshot)
 * allocates a new host cluster, fills the part the guest did not write from the old
 * content (copy-on-write, also from the backing image), and only then points the L2 entry
 * at it and drops the old reference. L2 tables are created or copied the same way.
 *
 * Metadata is written through (no dirty cache to lose) and the refcount update always
 * precedes the pointer to the cluster, so the image stays consistent for `qemu-img check`.
 * Requests run one at a time through a queue, so two of them never allocate concurrently.
 */
import type { BlockDriver } from '../block-driver.js';
import { BlockIoFailure, BlockOpenError } from '../errors.js';
import { type ImageFile, readOrZero } from '../image-file.js';
import { LruCache } from '../util/lru-cache.js';
import { SerialQueue } from '../util/serial-queue.js';
import { inflateCluster } from './decompress.js';
import {
  entryOffset,
  HEADER,
  OFLAG_COMPRESSED_HI,
  OFLAG_COPIED_HI,
  OFLAG_ZERO_LO,
  writeUint64,
} from './format.js';
import { headerBytesWanted, parseQcow2Header, type Qcow2Header } from './header.js';
import { Refcounts } from './refcounts.js';

/** What the header says about the backing image. */
export interface BackingReference {
  /** The name as stored in the image (relative names are relative to the image's folder). */
  readonly filename: string;
  /** The format recorded in the header extension, or null (then it is probed). */
  readonly format: string | null;
}

export interface Qcow2OpenOptions {
  /** Opens the backing image the header names (the host opener resolves the path). */
  openBacking?: (reference: BackingReference) => Promise<BlockDriver>;
  /** Use this backing image instead of the one the header names (a `-snapshot` overlay). */
  backing?: BlockDriver;
}

/** Where a guest cluster's data is. */
type ClusterMapping =
  | { readonly kind: 'unallocated' }
  /** Reads as zeros; `host` is a preallocated cluster or 0. */
  | { readonly kind: 'zero'; readonly host: number; readonly copied: boolean }
  | { readonly kind: 'normal'; readonly host: number; readonly copied: boolean }
  /** Deflate data at byte `host`, `length` bytes; `sectors` whole sectors from `sectorStart`. */
  | {
      readonly kind: 'compressed';
      readonly host: number;
      readonly length: number;
      readonly sectorStart: number;
      readonly sectorBytes: number;
    };

interface L2Table {
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

const UNALLOCATED: ClusterMapping = Object.freeze({ kind: 'unallocated' });
/** Cache at most this many bytes of L2 tables. */
const L2_CACHE_BYTES = 16 * 1024 * 1024;
/** Copy-on-write buffers are at most this large; longer writes take several rounds. */
const MAX_ALLOCATION_BYTES = 8 * 1024 * 1024;

export class Qcow2Driver implements BlockDriver {
  readonly format = 'qcow2';
  readonly size: number;
  readonly backing: BlockDriver | null;
  /** The header as read at open time. */
  readonly header: Qcow2Header;
  private readonly clusterSize: number;
  private readonly l2Entries: number;
  private readonly l1: DataView;
  private readonly l2Cache: LruCache<number, L2Table>;
  private readonly refcounts: Refcounts;
  private readonly queue = new SerialQueue();
  private readonly maxRunClusters: number;
  private lastInflated: { host: number; data: Uint8Array } | null = null;

  private constructor(
    private readonly file: ImageFile,
    header: Qcow2Header,
    l1: Uint8Array,
    refcountTable: number[],
    backing: BlockDriver | null,
  ) {
    this.header = header;
    this.size = header.size;
    this.backing = backing;
    this.clusterSize = header.clusterSize;
    this.l2Entries = header.clusterSize / 8;
    this.l1 = new DataView(l1.buffer, l1.byteOffset, l1.byteLength);
    this.l2Cache = new LruCache(Math.max(16, Math.floor(L2_CACHE_BYTES / this.clusterSize)));
    this.maxRunClusters = Math.max(1, Math.floor(MAX_ALLOCATION_BYTES / this.clusterSize));
    this.refcounts = new Refcounts(
      file,
      {
        clusterBits: header.clusterBits,
        refcountOrder: header.refcountOrder,
        tableOffset: header.refcountTableOffset,
        tableClusters: header.refcountTableClusters,
        table: refcountTable,
      },
      (offset, clusters) => this.writeRefcountTableLocation(offset, clusters),
    );
  }

  /**
   * Opens a qcow2 image on `file`, checking its header and tables against the file's
   * length, and opens its backing image.
   * @throws BlockOpenError with one line saying what is wrong.
   */
  static async open(file: ImageFile, options: Qcow2OpenOptions = {}): Promise<Qcow2Driver> {
    const corrupt = (what: string) =>
      new BlockOpenError(`Could not open '${file.name}': corrupt qcow2 image: ${what}`);
    const start = new Uint8Array(Math.min(4096, file.length()));
    await file.read(0, start);
    let headerBytes = start;
    const wanted = Math.min(headerBytesWanted(start), file.length());
    if (wanted > start.length) {
      headerBytes = new Uint8Array(wanted);
      await file.read(0, headerBytes);
    }
    const header = parseQcow2Header(headerBytes, file.length(), file.name, file.readOnly);

    const l1 = new Uint8Array(header.l1Size * 8);
    await file.read(header.l1TableOffset, l1);
    checkL1Entries(l1, header.clusterSize, file.length(), corrupt);
    const refcountTable = await Refcounts.readTable(
      file,
      header.clusterSize,
      header.refcountTableOffset,
      header.refcountTableClusters,
      corrupt,
    );

    let backing: BlockDriver | null = options.backing ?? null;
    if (!backing && header.backingFile !== null) {
      if (!options.openBacking) {
        throw new BlockOpenError(
          `Could not open '${file.name}': it has a backing file ('${header.backingFile}') and no way to open it was given`,
        );
      }
      backing = await options.openBacking({
        filename: header.backingFile,
        format: header.backingFormat,
      });
    }

    try {
      // Auto-clear features we do not maintain (bitmaps) must be cleared before writing.
      if (!file.readOnly && header.version === 3 && header.autoclearFeatures !== 0n) {
        await file.write(HEADER.autoclearFeatures, new Uint8Array(8));
      }
    } catch (error) {
      if (!options.backing) backing?.closeSync();
      throw error;
    }
    return new Qcow2Driver(file, header, l1, refcountTable, backing);
  }

  get filename(): string {
    return this.file.name;
  }

  get readOnly(): boolean {
    return this.file.readOnly;
  }

  read(offset: number, dest: Uint8Array): Promise<void> {
    return this.queue.run(() =>
      this.forEachL2Range(offset, dest, (l1, pos, part) => this.readRange(l1, pos, part)),
    );
  }

  write(offset: number, src: Uint8Array): Promise<void> {
    return this.queue.run(() =>
      this.forEachL2Range(offset, src, (l1, pos, part) => this.writeRange(l1, pos, part)),
    );
  }

  flush(): Promise<void> {
    return this.queue.run(() => this.file.flush());
  }

  async close(): Promise<void> {
    await this.queue.drain();
    await this.file.close();
    await this.backing?.close();
  }

  closeSync(): void {
    try {
      this.file.closeSync();
    } finally {
      this.backing?.closeSync();
    }
  }

  /** Splits a request at L2 table boundaries (each piece is described by one L2 table). */
  private async forEachL2Range(
    offset: number,
    buffer: Uint8Array,
    action: (l1Index: number, position: number, part: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const coverage = this.clusterSize * this.l2Entries;
    let done = 0;
    while (done < buffer.length) {
      const position = offset + done;
      const l1Index = Math.floor(position / coverage);
      if (l1Index >= this.header.l1Size) {
        throw new BlockIoFailure(
          'out-of-range',
          `qcow2: offset ${position} is beyond the L1 table`,
        );
      }
      const length = Math.min(buffer.length - done, (l1Index + 1) * coverage - position);
      await action(l1Index, position, buffer.subarray(done, done + length));
      done += length;
    }
  }

  private async readRange(l1Index: number, position: number, out: Uint8Array): Promise<void> {
    const table = await this.l2TableForRead(l1Index);
    if (!table) {
      await this.readUnallocated(position, out);
      return;
    }
    const cs = this.clusterSize;
    let i = 0;
    while (i < out.length) {
      const guest = position + i;
      const cluster = Math.floor(guest / cs);
      const inCluster = guest - cluster * cs;
      const index = cluster % this.l2Entries;
      const mapping = this.mapping(table, index);
      let length = Math.min(cs - inCluster, out.length - i);
      // Extend over following clusters mapped the same way (contiguous on the host).
      if (mapping.kind !== 'compressed') {
        for (let k = 1; i + length < out.length && index + k < this.l2Entries; k++) {
          const next = this.mapping(table, index + k);
          if (next.kind !== mapping.kind) break;
          if (
            next.kind === 'normal' &&
            mapping.kind === 'normal' &&
            next.host !== mapping.host + k * cs
          )
            break;
          length += Math.min(cs, out.length - i - length);
        }
      }
      const part = out.subarray(i, i + length);
      switch (mapping.kind) {
        case 'normal':
          await readOrZero(this.file, mapping.host + inCluster, part);
          break;
        case 'unallocated':
          await this.readUnallocated(guest, part);
          break;
        case 'zero':
          part.fill(0);
          break;
        case 'compressed':
          part.set((await this.inflate(mapping)).subarray(inCluster, inCluster + length));
          break;
      }
      i += length;
    }
  }

  /** An unallocated range reads from the backing image (zeros past its end), or as zeros. */
  private async readUnallocated(guest: number, part: Uint8Array): Promise<void> {
    const backing = this.backing;
    const fromBacking = backing ? Math.max(0, Math.min(part.length, backing.size - guest)) : 0;
    if (fromBacking > 0) await backing!.read(guest, part.subarray(0, fromBacking));
    part.fill(0, fromBacking);
  }

  private async writeRange(l1Index: number, position: number, data: Uint8Array): Promise<void> {
    const table = await this.l2TableForWrite(l1Index);
    const cs = this.clusterSize;
    let i = 0;
    while (i < data.length) {
      const guest = position + i;
      const cluster = Math.floor(guest / cs);
      const inCluster = guest - cluster * cs;
      const index = cluster % this.l2Entries;
      const first = this.mapping(table, index);
      let length = Math.min(cs - inCluster, data.length - i);
      if (first.kind === 'normal' && first.copied) {
        // Ours alone: write in place, across host-contiguous clusters.
        for (let k = 1; i + length < data.length && index + k < this.l2Entries; k++) {
          const next = this.mapping(table, index + k);
          if (next.kind !== 'normal' || !next.copied || next.host !== first.host + k * cs) break;
          length += Math.min(cs, data.length - i - length);
        }
        await this.file.write(first.host + inCluster, data.subarray(i, i + length));
      } else {
        const old: ClusterMapping[] = [first];
        while (
          i + length < data.length &&
          index + old.length < this.l2Entries &&
          old.length < this.maxRunClusters
        ) {
          const next = this.mapping(table, index + old.length);
          if (next.kind === 'normal' && next.copied) break;
          old.push(next);
          length += Math.min(cs, data.length - i - length);
        }
        await this.writeToNewClusters(
          table,
          index,
          cluster,
          inCluster,
          data.subarray(i, i + length),
          old,
        );
      }
      i += length;
    }
  }

  /**
   * Copy-on-write: `old.length` guest clusters from `cluster` on get new host clusters
   * holding `data` at `inCluster`, with the rest of the first and last cluster taken from
   * their old content.
   */
  private async writeToNewClusters(
    table: L2Table,
    index: number,
    cluster: number,
    inCluster: number,
    data: Uint8Array,
    old: ClusterMapping[],
  ): Promise<void> {
    const cs = this.clusterSize;
    const count = old.length;
    const buffer = new Uint8Array(count * cs);
    const end = inCluster + data.length;
    if (inCluster > 0)
      await this.readOldContent(old[0], cluster, buffer.subarray(0, cs), 0, inCluster);
    if (end < count * cs) {
      const lastStart = (count - 1) * cs;
      await this.readOldContent(
        old[count - 1],
        cluster + count - 1,
        buffer.subarray(lastStart),
        end - lastStart,
        cs,
      );
    }
    buffer.set(data, inCluster);

    const host = await this.refcounts.allocate(count);
    await this.file.write(host, buffer);
    for (let k = 0; k < count; k++) setEntry(table.view, index + k, host + k * cs);
    await this.file.write(
      table.offset + index * 8,
      table.bytes.subarray(index * 8, (index + count) * 8),
    );
    for (const mapping of old) await this.releaseMapping(mapping);
  }

  /** Fills `[from, to)` of `clusterBuffer` with guest cluster `cluster`'s current content. */
  private async readOldContent(
    mapping: ClusterMapping,
    cluster: number,
    clusterBuffer: Uint8Array,
    from: number,
    to: number,
  ): Promise<void> {
    const part = clusterBuffer.subarray(from, to);
    switch (mapping.kind) {
      case 'unallocated':
        await this.readUnallocated(cluster * this.clusterSize + from, part);
        break;
      case 'zero':
        part.fill(0);
        break;
      case 'normal':
        await readOrZero(this.file, mapping.host + from, part);
        break;
      case 'compressed':
        part.set((await this.inflate(mapping)).subarray(from, to));
        break;
    }
  }

  /** Drops the reference an L2 entry held on its host cluster(s). */
  private async releaseMapping(mapping: ClusterMapping): Promise<void> {
    switch (mapping.kind) {
      case 'normal':
        await this.refcounts.release(mapping.host, this.clusterSize);
        break;
      case 'zero':
        if (mapping.host !== 0) await this.refcounts.release(mapping.host, this.clusterSize);
        break;
      case 'compressed':
        if (this.lastInflated?.host === mapping.host) this.lastInflated = null;
        await this.refcounts.release(mapping.sectorStart, mapping.sectorBytes);
        break;
      case 'unallocated':
        break;
    }
  }

  private async l2TableForRead(l1Index: number): Promise<L2Table | null> {
    const offset = entryOffset(this.l1.getUint32(l1Index * 8), this.l1.getUint32(l1Index * 8 + 4));
    return offset === 0 ? null : this.loadL2(offset);
  }

  /**
   * The L2 table for `l1Index`, ours alone: created if there is none, copied if it is
   * shared with an internal snapshot (its L1 entry lacks the COPIED flag).
   */
  private async l2TableForWrite(l1Index: number): Promise<L2Table> {
    const hi = this.l1.getUint32(l1Index * 8);
    const offset = entryOffset(hi, this.l1.getUint32(l1Index * 8 + 4));
    if (offset !== 0 && (hi & OFLAG_COPIED_HI) !== 0) return this.loadL2(offset);

    const bytes = new Uint8Array(this.clusterSize);
    const view = new DataView(bytes.buffer);
    if (offset !== 0) {
      bytes.set((await this.loadL2(offset)).bytes);
      // In our copy, COPIED must say whether each cluster's refcount is exactly one.
      for (let index = 0; index < this.l2Entries; index++) {
        const mapping = this.mapping({ offset: 0, bytes, view }, index);
        if ((mapping.kind === 'normal' || mapping.kind === 'zero') && mapping.host !== 0) {
          const refcount = await this.refcounts.get(mapping.host / this.clusterSize);
          const entryHi = view.getUint32(index * 8);
          view.setUint32(
            index * 8,
            refcount === 1 ? entryHi | OFLAG_COPIED_HI : entryHi & ~OFLAG_COPIED_HI,
          );
        }
      }
    }
    const newOffset = await this.refcounts.allocate(1);
    await this.file.write(newOffset, bytes);
    const table: L2Table = { offset: newOffset, bytes, view };
    this.l2Cache.set(newOffset, table);
    setEntry(this.l1, l1Index, newOffset);
    await this.file.write(
      this.header.l1TableOffset + l1Index * 8,
      new Uint8Array(this.l1.buffer, this.l1.byteOffset + l1Index * 8, 8),
    );
    if (offset !== 0) {
      this.l2Cache.delete(offset);
      await this.refcounts.release(offset, this.clusterSize);
    }
    return table;
  }

  private async loadL2(offset: number): Promise<L2Table> {
    const cached = this.l2Cache.get(offset);
    if (cached) return cached;
    const bytes = new Uint8Array(this.clusterSize);
    await readOrZero(this.file, offset, bytes);
    const table: L2Table = { offset, bytes, view: new DataView(bytes.buffer) };
    this.l2Cache.set(offset, table);
    return table;
  }

  private mapping(table: L2Table, index: number): ClusterMapping {
    const hi = table.view.getUint32(index * 8);
    const lo = table.view.getUint32(index * 8 + 4);
    if ((hi & OFLAG_COMPRESSED_HI) !== 0) return this.compressedMapping(hi, lo);
    const host = entryOffset(hi, lo);
    const copied = (hi & OFLAG_COPIED_HI) !== 0;
    if (this.header.version === 3 && (lo & OFLAG_ZERO_LO) !== 0)
      return { kind: 'zero', host, copied };
    if (host === 0) return UNALLOCATED;
    if (host % this.clusterSize !== 0) {
      throw new BlockIoFailure(
        'io-error',
        `qcow2 '${this.file.name}': an L2 entry points to unaligned offset ${host} (corrupt image)`,
      );
    }
    return { kind: 'normal', host, copied };
  }

  private compressedMapping(hi: number, lo: number): ClusterMapping {
    // Bits 0..x-1 hold the byte offset, bits x..61 the number of extra 512-byte sectors.
    const descriptor = (BigInt(hi & 0x3fffffff) << 32n) | BigInt(lo);
    const offsetBits = BigInt(62 - (this.header.clusterBits - 8));
    const host = Number(descriptor & ((1n << offsetBits) - 1n));
    const sectorBytes = (Number(descriptor >> offsetBits) + 1) * 512;
    const sectorStart = host - (host % 512);
    return {
      kind: 'compressed',
      host,
      length: sectorBytes - (host - sectorStart),
      sectorStart,
      sectorBytes,
    };
  }

  private async inflate(
    mapping: Extract<ClusterMapping, { kind: 'compressed' }>,
  ): Promise<Uint8Array> {
    if (this.lastInflated?.host === mapping.host) return this.lastInflated.data;
    const compressed = new Uint8Array(mapping.length);
    await readOrZero(this.file, mapping.host, compressed);
    const data = await inflateCluster(compressed, this.clusterSize);
    this.lastInflated = { host: mapping.host, data };
    return data;
  }

  private async writeRefcountTableLocation(offset: number, clusters: number): Promise<void> {
    const bytes = new Uint8Array(12);
    const view = new DataView(bytes.buffer);
    writeUint64(view, 0, offset);
    view.setUint32(8, clusters);
    await this.file.write(HEADER.refcountTableOffset, bytes);
  }
}

/** Points entry `index` of an L1 or L2 table at `host`, ours alone (COPIED). */
function setEntry(view: DataView, index: number, host: number): void {
  view.setUint32(index * 8, (OFLAG_COPIED_HI | Math.floor(host / 0x100000000)) >>> 0);
  view.setUint32(index * 8 + 4, host >>> 0);
}

/** Every L2 table the L1 table names must be a whole, aligned cluster inside the file. */
function checkL1Entries(
  l1: Uint8Array,
  clusterSize: number,
  fileLength: number,
  corrupt: (what: string) => BlockOpenError,
): void {
  const view = new DataView(l1.buffer, l1.byteOffset, l1.byteLength);
  for (let index = 0; index < l1.length / 8; index++) {
    const offset = entryOffset(view.getUint32(index * 8), view.getUint32(index * 8 + 4));
    if (offset === 0) continue;
    if (offset % clusterSize !== 0)
      throw corrupt(`L1 entry ${index} points to an unaligned L2 table`);
    if (offset < clusterSize) throw corrupt(`L1 entry ${index} points into the image header`);
    if (offset + clusterSize > fileLength) {
      throw corrupt(
        `the L2 table of L1 entry ${index} (at offset ${offset}) is beyond the end of the file (${fileLength} bytes): truncated image?`,
      );
    }
  }
}
