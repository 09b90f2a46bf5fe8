/**
 * Reading and checking a qcow2 header (QEMU's qcow2_do_open, the part before any table is
 * read). Everything a later request relies on is checked here, against the file's length,
 * so that a truncated or corrupt image fails at open time with one clear line.
 */
import { BlockOpenError } from '../errors.js';
import {
  EXTENSION,
  HEADER,
  INCOMPAT,
  MAX_BACKING_FILE_NAME,
  MAX_CLUSTER_BITS,
  MAX_L1_BYTES,
  MAX_REFTABLE_BYTES,
  MIN_CLUSTER_BITS,
  QCOW2_MAGIC,
  readUint64,
  V2_HEADER_LENGTH,
  V3_MIN_HEADER_LENGTH,
} from './format.js';

export interface Qcow2Header {
  readonly version: 2 | 3;
  readonly clusterBits: number;
  readonly clusterSize: number;
  /** Virtual disk size in bytes. */
  readonly size: number;
  readonly l1Size: number;
  readonly l1TableOffset: number;
  readonly refcountTableOffset: number;
  readonly refcountTableClusters: number;
  readonly refcountOrder: number;
  readonly nbSnapshots: number;
  readonly headerLength: number;
  readonly incompatibleFeatures: bigint;
  readonly compatibleFeatures: bigint;
  readonly autoclearFeatures: bigint;
  /** The backing file name as stored (relative to the image's folder unless absolute). */
  readonly backingFile: string | null;
  /** The backing format from the header extension, if recorded. */
  readonly backingFormat: string | null;
}

/** How many bytes `parseQcow2Header` wants to see: the first cluster (at most 2 MiB). */
export function headerBytesWanted(firstBytes: Uint8Array): number {
  if (firstBytes.length < HEADER.clusterBits + 4) return V2_HEADER_LENGTH;
  const bits = new DataView(firstBytes.buffer, firstBytes.byteOffset).getUint32(HEADER.clusterBits);
  return bits >= MIN_CLUSTER_BITS && bits <= MAX_CLUSTER_BITS ? 2 ** bits : 4096;
}

const KNOWN_INCOMPATIBLE: Record<number, string> = {
  [INCOMPAT.dirty]: 'dirty bit',
  [INCOMPAT.corrupt]: 'corrupt bit',
  [INCOMPAT.externalDataFile]: 'external data file',
  [INCOMPAT.compressionType]: 'compression type',
  [INCOMPAT.extendedL2]: 'extended L2 entries',
};

/**
 * Parses the header at the start of `bytes` (the first cluster of the file, or all of a
 * shorter file) and checks it against `fileLength`.
 * @param readOnly whether the image will only be read (a corrupt-marked image may be).
 * @throws BlockOpenError naming the first problem found.
 */
export function parseQcow2Header(
  bytes: Uint8Array,
  fileLength: number,
  filename: string,
  readOnly: boolean,
): Qcow2Header {
  const corrupt = (what: string) =>
    new BlockOpenError(`Could not open '${filename}': corrupt qcow2 image: ${what}`);
  const unsupported = (what: string) => new BlockOpenError(`Could not open '${filename}': ${what}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  if (bytes.length < V2_HEADER_LENGTH) {
    throw corrupt(`the header is truncated (the file is ${fileLength} bytes)`);
  }
  if (view.getUint32(HEADER.magic) !== QCOW2_MAGIC) {
    throw unsupported('Image is not in qcow2 format');
  }
  const version = view.getUint32(HEADER.version);
  if (version !== 2 && version !== 3) {
    throw unsupported(`Unsupported qcow2 version ${version}`);
  }
  const clusterBits = view.getUint32(HEADER.clusterBits);
  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
    throw unsupported(`Unsupported cluster size: 2^${clusterBits}`);
  }
  const clusterSize = 2 ** clusterBits;

  let headerLength = V2_HEADER_LENGTH;
  let incompatibleFeatures = 0n;
  let compatibleFeatures = 0n;
  let autoclearFeatures = 0n;
  let refcountOrder = 4;
  let compressionType = 0;
  if (version === 3) {
    if (bytes.length < V3_MIN_HEADER_LENGTH) {
      throw corrupt(`the header is truncated (the file is ${fileLength} bytes)`);
    }
    headerLength = view.getUint32(HEADER.headerLength);
    if (headerLength < V3_MIN_HEADER_LENGTH)
      throw corrupt(`header length ${headerLength} is too small`);
    if (headerLength > clusterSize)
      throw corrupt(`header length ${headerLength} is larger than a cluster`);
    if (bytes.length < headerLength) {
      throw corrupt(`the header is truncated (the file is ${fileLength} bytes)`);
    }
    incompatibleFeatures = view.getBigUint64(HEADER.incompatibleFeatures);
    compatibleFeatures = view.getBigUint64(HEADER.compatibleFeatures);
    autoclearFeatures = view.getBigUint64(HEADER.autoclearFeatures);
    refcountOrder = view.getUint32(HEADER.refcountOrder);
    if (headerLength > HEADER.compressionType)
      compressionType = view.getUint8(HEADER.compressionType);
  }
  if (refcountOrder > 6) {
    throw unsupported('Reference count entry width too large; may not exceed 64 bits');
  }

  const cryptMethod = view.getUint32(HEADER.cryptMethod);
  if (cryptMethod !== 0) {
    const kind = cryptMethod === 1 ? 'AES' : cryptMethod === 2 ? 'LUKS' : `method ${cryptMethod}`;
    throw unsupported(`encrypted qcow2 images (${kind}) are not supported`);
  }

  // Header extensions sit between the header and the backing file name (or the cluster end).
  const backingFileOffset = readUint64(view, HEADER.backingFileOffset);
  const backingFileSize = view.getUint32(HEADER.backingFileSize);
  if (backingFileOffset === null) throw corrupt('the backing file offset is out of range');
  let backingFile: string | null = null;
  if (backingFileOffset !== 0) {
    if (backingFileSize > MAX_BACKING_FILE_NAME) throw corrupt('the backing file name is too long');
    if (backingFileOffset + backingFileSize > clusterSize || backingFileOffset < headerLength) {
      throw corrupt('the backing file name lies outside the first cluster');
    }
    if (bytes.length < backingFileOffset + backingFileSize) {
      throw corrupt(`the header is truncated (the file is ${fileLength} bytes)`);
    }
    backingFile = new TextDecoder().decode(
      bytes.subarray(backingFileOffset, backingFileOffset + backingFileSize),
    );
  }
  const extensionsEnd = Math.min(backingFileOffset || clusterSize, bytes.length);
  const extensions = parseExtensions(view, headerLength, extensionsEnd, corrupt);

  const problems = incompatibleProblems(
    incompatibleFeatures,
    compressionType,
    readOnly,
    extensions.featureNames,
  );
  if (problems.length > 0) throw unsupported(problems.join('; '));

  const size = readUint64(view, HEADER.size);
  if (size === null) throw unsupported('the virtual size is too large');
  const l1Size = view.getUint32(HEADER.l1Size);
  const l1TableOffset = readUint64(view, HEADER.l1TableOffset);
  const refcountTableOffset = readUint64(view, HEADER.refcountTableOffset);
  const refcountTableClusters = view.getUint32(HEADER.refcountTableClusters);
  const nbSnapshots = view.getUint32(HEADER.nbSnapshots);
  const snapshotsOffset = readUint64(view, HEADER.snapshotsOffset);

  const l2Entries = clusterSize / 8;
  const neededL1 = Math.ceil(size / (clusterSize * l2Entries));
  if (l1Size * 8 > MAX_L1_BYTES) throw unsupported('Active L1 table too large');
  if (l1Size < neededL1)
    throw corrupt(`the L1 table (${l1Size} entries) is too small for the virtual size`);
  checkTable('the L1 table', l1TableOffset, l1Size * 8, clusterSize, fileLength, corrupt);

  if (refcountTableClusters === 0) throw corrupt('the image has no reference count table');
  if (refcountTableClusters * clusterSize > MAX_REFTABLE_BYTES) {
    throw corrupt('the reference count table is too large');
  }
  checkTable(
    'the refcount table',
    refcountTableOffset,
    refcountTableClusters * clusterSize,
    clusterSize,
    fileLength,
    corrupt,
  );
  if (
    l1Size > 0 &&
    overlaps(l1TableOffset!, l1Size * 8, refcountTableOffset!, refcountTableClusters * clusterSize)
  ) {
    throw corrupt('the L1 table overlaps the refcount table');
  }
  if (nbSnapshots > 0) {
    if (nbSnapshots > 65536) throw corrupt('too many internal snapshots');
    checkTable('the snapshot table', snapshotsOffset, 1, clusterSize, fileLength, corrupt);
  }

  return {
    version,
    clusterBits,
    clusterSize,
    size,
    l1Size,
    l1TableOffset: l1TableOffset!,
    refcountTableOffset: refcountTableOffset!,
    refcountTableClusters,
    refcountOrder,
    nbSnapshots,
    headerLength,
    incompatibleFeatures,
    compatibleFeatures,
    autoclearFeatures,
    backingFile,
    backingFormat: extensions.backingFormat,
  };
}

/** A table must be cluster-aligned, after the header cluster, and inside the file. */
function checkTable(
  what: string,
  offset: number | null,
  length: number,
  clusterSize: number,
  fileLength: number,
  corrupt: (what: string) => BlockOpenError,
): void {
  if (length === 0) return;
  if (offset === null) throw corrupt(`${what} offset is out of range`);
  if (offset % clusterSize !== 0)
    throw corrupt(`${what} is not aligned to a cluster (offset ${offset})`);
  if (offset < clusterSize) throw corrupt(`${what} overlaps the image header`);
  if (offset + length > fileLength) {
    throw corrupt(
      `${what} (${length} bytes at offset ${offset}) is beyond the end of the file (${fileLength} bytes): truncated image?`,
    );
  }
}

function overlaps(a: number, aLength: number, b: number, bLength: number): boolean {
  return a < b + bLength && b < a + aLength;
}

interface Extensions {
  backingFormat: string | null;
  /** Feature names from the image's own table, keyed "type:bit" (type 0 = incompatible). */
  featureNames: Map<string, string>;
}

function parseExtensions(
  view: DataView,
  start: number,
  end: number,
  corrupt: (what: string) => BlockOpenError,
): Extensions {
  const result: Extensions = { backingFormat: null, featureNames: new Map() };
  let at = start;
  while (at + 8 <= end) {
    const type = view.getUint32(at);
    const length = view.getUint32(at + 4);
    if (type === EXTENSION.end) break;
    const data = at + 8;
    if (data + length > end)
      throw corrupt(`header extension 0x${type.toString(16)} overruns the header area`);
    const bytes = new Uint8Array(view.buffer, view.byteOffset + data, length);
    if (type === EXTENSION.backingFormat) {
      result.backingFormat = new TextDecoder().decode(bytes);
    } else if (type === EXTENSION.featureNameTable) {
      for (let entry = 0; entry + 48 <= length; entry += 48) {
        const name = new TextDecoder()
          .decode(bytes.subarray(entry + 2, entry + 48))
          .replace(/\0.*$/s, '');
        result.featureNames.set(`${bytes[entry]}:${bytes[entry + 1]}`, name);
      }
    }
    // Other extensions (bitmaps, encryption, external data file name) are ignored: the
    // features they belong to are either refused below or cleared on open (autoclear).
    at = data + Math.ceil(length / 8) * 8;
  }
  return result;
}

/** The incompatible features that stop tsemu from opening the image, as sentences. */
function incompatibleProblems(
  features: bigint,
  compressionType: number,
  readOnly: boolean,
  featureNames: Map<string, string>,
): string[] {
  const problems: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (((features >> BigInt(bit)) & 1n) === 0n) continue;
    switch (bit) {
      case INCOMPAT.dirty:
        problems.push(
          "the image is marked dirty (lazy refcounts were in use); repair it with 'qemu-img check -r all'",
        );
        break;
      case INCOMPAT.corrupt:
        if (!readOnly) {
          problems.push(
            "the image is marked corrupt; repair it with 'qemu-img check -r all' or open it read-only",
          );
        }
        break;
      case INCOMPAT.compressionType:
        if (compressionType !== 0) {
          const name = compressionType === 1 ? 'zstd' : `type ${compressionType}`;
          problems.push(`Unsupported qcow2 feature: ${name} compression (only zlib is supported)`);
        }
        break;
      default: {
        const name = featureNames.get(`0:${bit}`) ?? KNOWN_INCOMPATIBLE[bit];
        problems.push(
          name
            ? `Unsupported qcow2 feature: ${name}`
            : `Unsupported qcow2 feature: unknown incompatible feature bit ${bit}`,
        );
      }
    }
  }
  return problems;
}
