/**
 * An ISO 9660 (ECMA-119) image writer, interchange level 1, with optional El Torito
 * no-emulation boot. No Joliet and no Rock Ridge: names are the 8.3 uppercase ones that every
 * reader (isolinux, SeaBIOS, Linux's isofs) understands.
 *
 * Layout, in 2048-byte sectors:
 *   0-15        system area (zeros)
 *   16          primary volume descriptor
 *   17          boot record (El Torito), when booting
 *   next        volume descriptor set terminator
 *   next        path table, little-endian (type L), then big-endian (type M)
 *   next        directory extents, in path-table order
 *   next        file data, in the order the files were given (the boot catalog among them)
 */
import {
  BOOT_INFO_TABLE_OFFSET,
  patchBootInfoTable,
  writeBootCatalog,
  writeBootRecord,
} from './el-torito.js';
import {
  SECTOR_SIZE,
  sectorsFor,
  writeBothEndian16,
  writeBothEndian32,
  writePaddedAscii,
  writeRecordingDate,
  writeUint16BE,
  writeUint16LE,
  writeUint32BE,
  writeUint32LE,
  writeVolumeDate,
} from './encoding.js';
import {
  checkDirectoryName,
  checkFileName,
  compareIsoNames,
  fileIdentifier,
  MAX_DIRECTORY_DEPTH,
} from './names.js';

export interface IsoFile {
  /** Path on the disc, directories separated by "/", e.g. "BOOT/VMLINUZ" (level 1 names). */
  path: string;
  data: Uint8Array;
}

export interface IsoBootOptions {
  /** Path of the boot image among the files, e.g. "ISOLINUX/ISOLINUX.BIN". */
  imagePath: string;
  /** Where the boot catalog appears in the tree, e.g. "ISOLINUX/BOOT.CAT". */
  catalogPath: string;
  /** 512-byte sectors the BIOS loads (mkisofs's -boot-load-size); 4 for isolinux. */
  loadSectors?: number;
  /** Patch the boot info table into the image (mkisofs's -boot-info-table); isolinux needs it. */
  bootInfoTable?: boolean;
}

export interface IsoOptions {
  files: readonly IsoFile[];
  /** Volume identifier, up to 32 characters of A-Z 0-9 _. */
  volumeId?: string;
  /** The date written in every record; fixed by default so the same inputs give the same image. */
  date?: Date;
  boot?: IsoBootOptions;
}

const PRIMARY_VOLUME_DESCRIPTOR_LBA = 16;
const DEFAULT_DATE = new Date(Date.UTC(2024, 0, 1));
const FLAG_DIRECTORY = 0x02;

interface FileNode {
  kind: 'file';
  name: string;
  data: Uint8Array;
  lba: number;
}

interface DirectoryNode {
  kind: 'directory';
  name: string;
  parent: DirectoryNode | undefined;
  children: Map<string, FileNode | DirectoryNode>;
  depth: number;
  /** 1-based number in the path table. */
  number: number;
  lba: number;
  size: number;
}

/** Builds an ISO 9660 image in memory. */
export function writeIso9660(options: IsoOptions): Uint8Array {
  const date = options.date ?? DEFAULT_DATE;
  const volumeId = options.volumeId ?? 'CDROM';
  if (!/^[A-Z0-9_]{1,32}$/.test(volumeId)) {
    throw new Error(`ISO 9660: volume id must be 1-32 characters of A-Z 0-9 _, got "${volumeId}"`);
  }

  const root = newDirectory('', undefined);
  const files: FileNode[] = [];
  for (const file of options.files) files.push(addFile(root, file.path, file.data));

  let catalog: FileNode | undefined;
  let bootImage: FileNode | undefined;
  if (options.boot) {
    bootImage = findFile(root, options.boot.imagePath);
    catalog = addFile(root, options.boot.catalogPath, new Uint8Array(SECTOR_SIZE));
    // The catalog goes first among the data so the boot image keeps the caller's order.
    files.unshift(catalog);
  }

  // Path-table order: breadth first, each level sorted by parent number, then by name.
  const directories = pathTableOrder(root);

  // Sector allocation.
  let next = PRIMARY_VOLUME_DESCRIPTOR_LBA + 1;
  const bootRecordLba = options.boot ? next++ : 0;
  const terminatorLba = next++;
  const pathTableSize = directories.reduce((sum, d) => sum + pathTableEntrySize(d), 0);
  const typeLPathTableLba = next;
  next += sectorsFor(pathTableSize);
  const typeMPathTableLba = next;
  next += sectorsFor(pathTableSize);
  for (const directory of directories) {
    directory.size = directoryExtentSize(directory);
    directory.lba = next;
    next += directory.size / SECTOR_SIZE;
  }
  for (const file of files) {
    file.lba = next;
    next += sectorsFor(file.data.length);
  }
  const totalSectors = next;

  if (options.boot && bootImage && catalog) {
    if (options.boot.bootInfoTable) {
      bootImage.data = patchBootInfoTable(
        bootImage.data,
        PRIMARY_VOLUME_DESCRIPTOR_LBA,
        bootImage.lba,
      );
    } else if (bootImage.data.length < BOOT_INFO_TABLE_OFFSET) {
      throw new Error(`ISO 9660: boot image ${options.boot.imagePath} is empty`);
    }
    writeBootCatalog(catalog.data, {
      imageLba: bootImage.lba,
      loadSectors: options.boot.loadSectors ?? 4,
      loadSegment: 0,
      idString: '',
    });
  }

  const image = new Uint8Array(totalSectors * SECTOR_SIZE);
  const sector = (lba: number) => image.subarray(lba * SECTOR_SIZE, (lba + 1) * SECTOR_SIZE);

  writePrimaryVolumeDescriptor(sector(PRIMARY_VOLUME_DESCRIPTOR_LBA), {
    volumeId,
    totalSectors,
    pathTableSize,
    typeLPathTableLba,
    typeMPathTableLba,
    root,
    date,
  });
  if (options.boot && catalog) writeBootRecord(sector(bootRecordLba), catalog.lba);
  writeTerminator(sector(terminatorLba));
  writePathTables(image, directories, typeLPathTableLba, typeMPathTableLba);
  for (const directory of directories) writeDirectoryExtent(image, directory, date);
  for (const file of files) image.set(file.data, file.lba * SECTOR_SIZE);
  return image;
}

function newDirectory(name: string, parent: DirectoryNode | undefined): DirectoryNode {
  return {
    kind: 'directory',
    name,
    parent,
    children: new Map(),
    depth: parent ? parent.depth + 1 : 1,
    number: 0,
    lba: 0,
    size: 0,
  };
}

function addFile(root: DirectoryNode, path: string, data: Uint8Array): FileNode {
  const parts = path.split('/');
  const fileName = parts.pop() ?? '';
  checkFileName(fileName, path);
  let directory = root;
  for (const part of parts) {
    checkDirectoryName(part, path);
    let child = directory.children.get(part);
    if (child === undefined) {
      child = newDirectory(part, directory);
      if (child.depth > MAX_DIRECTORY_DEPTH) {
        throw new Error(`ISO 9660: ${path} is deeper than ${MAX_DIRECTORY_DEPTH} levels`);
      }
      directory.children.set(part, child);
    } else if (child.kind === 'file') {
      throw new Error(`ISO 9660: ${path} puts a file under the file ${part}`);
    }
    directory = child;
  }
  if (directory.children.has(fileName)) throw new Error(`ISO 9660: ${path} is given twice`);
  const node: FileNode = { kind: 'file', name: fileName, data, lba: 0 };
  directory.children.set(fileName, node);
  return node;
}

function findFile(root: DirectoryNode, path: string): FileNode {
  let node: FileNode | DirectoryNode | undefined = root;
  for (const part of path.split('/')) {
    node = node?.kind === 'directory' ? node.children.get(part) : undefined;
  }
  if (node?.kind !== 'file')
    throw new Error(`ISO 9660: the boot image ${path} is not among the files`);
  return node;
}

function sortedChildren(directory: DirectoryNode): Array<FileNode | DirectoryNode> {
  return [...directory.children.values()].sort((a, b) => compareIsoNames(a.name, b.name));
}

function pathTableOrder(root: DirectoryNode): DirectoryNode[] {
  const order: DirectoryNode[] = [root];
  root.number = 1;
  // Appending each directory's subdirectories, in name order, while walking the list in order
  // gives breadth-first levels already sorted by parent number and then by name.
  for (let i = 0; i < order.length; i++) {
    for (const child of sortedChildren(order[i])) {
      if (child.kind === 'directory') {
        child.number = order.length + 1;
        order.push(child);
      }
    }
  }
  if (order.length > 0xffff) throw new Error('ISO 9660: more than 65535 directories');
  return order;
}

function identifierBytes(node: FileNode | DirectoryNode): string {
  return node.kind === 'file' ? fileIdentifier(node.name) : node.name;
}

/** 9.1: a directory record is 33 bytes, the identifier, and a pad byte to an even length. */
function recordSize(identifierLength: number): number {
  return 33 + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

/** Records may not straddle sectors: one that does not fit starts the next sector. */
function directoryExtentSize(directory: DirectoryNode): number {
  let offset = 2 * recordSize(1); // "." and ".."
  for (const child of sortedChildren(directory)) {
    const size = recordSize(identifierBytes(child).length);
    if ((offset % SECTOR_SIZE) + size > SECTOR_SIZE) offset += SECTOR_SIZE - (offset % SECTOR_SIZE);
    offset += size;
  }
  return sectorsFor(offset) * SECTOR_SIZE;
}

function writeDirectoryRecord(
  out: Uint8Array,
  offset: number,
  identifier: string | number,
  lba: number,
  size: number,
  flags: number,
  date: Date,
): number {
  const identifierLength = typeof identifier === 'number' ? 1 : identifier.length;
  const length = recordSize(identifierLength);
  out[offset] = length;
  out[offset + 1] = 0; // extended attribute record length
  writeBothEndian32(out, offset + 2, lba);
  writeBothEndian32(out, offset + 10, size);
  writeRecordingDate(out, offset + 18, date);
  out[offset + 25] = flags;
  out[offset + 26] = 0; // file unit size: not interleaved
  out[offset + 27] = 0; // interleave gap
  writeBothEndian16(out, offset + 28, 1); // volume sequence number
  out[offset + 32] = identifierLength;
  if (typeof identifier === 'number') {
    out[offset + 33] = identifier; // 0x00 is ".", 0x01 is ".."
  } else {
    writePaddedAscii(out, offset + 33, identifierLength, identifier);
  }
  return length;
}

function writeDirectoryExtent(image: Uint8Array, directory: DirectoryNode, date: Date): void {
  const extent = image.subarray(
    directory.lba * SECTOR_SIZE,
    directory.lba * SECTOR_SIZE + directory.size,
  );
  const parent = directory.parent ?? directory; // the root's parent is itself
  let offset = 0;
  offset += writeDirectoryRecord(
    extent,
    offset,
    0,
    directory.lba,
    directory.size,
    FLAG_DIRECTORY,
    date,
  );
  offset += writeDirectoryRecord(extent, offset, 1, parent.lba, parent.size, FLAG_DIRECTORY, date);
  for (const child of sortedChildren(directory)) {
    const identifier = identifierBytes(child);
    const size = recordSize(identifier.length);
    if ((offset % SECTOR_SIZE) + size > SECTOR_SIZE) offset += SECTOR_SIZE - (offset % SECTOR_SIZE);
    offset +=
      child.kind === 'file'
        ? writeDirectoryRecord(extent, offset, identifier, child.lba, child.data.length, 0, date)
        : writeDirectoryRecord(
            extent,
            offset,
            identifier,
            child.lba,
            child.size,
            FLAG_DIRECTORY,
            date,
          );
  }
}

/** 9.4: name length, extended attribute length, extent, parent number, name, pad to even. */
function pathTableEntrySize(directory: DirectoryNode): number {
  const nameLength = Math.max(directory.name.length, 1);
  return 8 + nameLength + (nameLength % 2);
}

function writePathTables(
  image: Uint8Array,
  directories: DirectoryNode[],
  lLba: number,
  mLba: number,
): void {
  let l = lLba * SECTOR_SIZE;
  let m = mLba * SECTOR_SIZE;
  for (const directory of directories) {
    const nameLength = Math.max(directory.name.length, 1);
    const parentNumber = directory.parent?.number ?? 1;
    for (const [offset, littleEndian] of [
      [l, true],
      [m, false],
    ] as const) {
      image[offset] = nameLength;
      image[offset + 1] = 0;
      if (littleEndian) {
        writeUint32LE(image, offset + 2, directory.lba);
        writeUint16LE(image, offset + 6, parentNumber);
      } else {
        writeUint32BE(image, offset + 2, directory.lba);
        writeUint16BE(image, offset + 6, parentNumber);
      }
      if (directory.name.length === 0)
        image[offset + 8] = 0; // the root's identifier is 0x00
      else writePaddedAscii(image, offset + 8, nameLength, directory.name);
    }
    const size = pathTableEntrySize(directory);
    l += size;
    m += size;
  }
}

interface PrimaryVolume {
  volumeId: string;
  totalSectors: number;
  pathTableSize: number;
  typeLPathTableLba: number;
  typeMPathTableLba: number;
  root: DirectoryNode;
  date: Date;
}

/** 8.4: the primary volume descriptor. */
function writePrimaryVolumeDescriptor(sector: Uint8Array, volume: PrimaryVolume): void {
  sector[0] = 1; // type 1: primary volume descriptor
  writePaddedAscii(sector, 1, 5, 'CD001');
  sector[6] = 1; // version
  writePaddedAscii(sector, 8, 32, 'LINUX'); // system identifier
  writePaddedAscii(sector, 40, 32, volume.volumeId);
  writeBothEndian32(sector, 80, volume.totalSectors); // volume space size
  writeBothEndian16(sector, 120, 1); // volume set size
  writeBothEndian16(sector, 124, 1); // volume sequence number
  writeBothEndian16(sector, 128, SECTOR_SIZE); // logical block size
  writeBothEndian32(sector, 132, volume.pathTableSize);
  writeUint32LE(sector, 140, volume.typeLPathTableLba);
  writeUint32BE(sector, 148, volume.typeMPathTableLba);
  writeDirectoryRecord(
    sector,
    156,
    0,
    volume.root.lba,
    volume.root.size,
    FLAG_DIRECTORY,
    volume.date,
  );
  writePaddedAscii(sector, 190, 128, ''); // volume set identifier
  writePaddedAscii(sector, 318, 128, ''); // publisher
  writePaddedAscii(sector, 446, 128, ''); // data preparer
  writePaddedAscii(sector, 574, 128, 'TSEMU TOOLS'); // application
  writePaddedAscii(sector, 702, 37, ''); // copyright file
  writePaddedAscii(sector, 739, 37, ''); // abstract file
  writePaddedAscii(sector, 776, 37, ''); // bibliographic file
  writeVolumeDate(sector, 813, volume.date); // creation
  writeVolumeDate(sector, 830, volume.date); // modification
  writeVolumeDate(sector, 847, undefined); // expiration: none
  writeVolumeDate(sector, 864, volume.date); // effective
  sector[881] = 1; // file structure version
}

/** 8.3: the volume descriptor set terminator. */
function writeTerminator(sector: Uint8Array): void {
  sector[0] = 255;
  writePaddedAscii(sector, 1, 5, 'CD001');
  sector[6] = 1;
}
