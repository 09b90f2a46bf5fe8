/**
 * A writer for cpio archives in the SVR4 "newc" format (magic 070701), the format the Linux
 * kernel unpacks as an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
 *
 * Each entry is a 110-byte ASCII header of thirteen 8-digit hex fields, the NUL-terminated
 * path, padding to a 4-byte boundary, the data (a file's bytes or a symlink's target) and
 * padding to a 4-byte boundary again. The archive ends with an entry named "TRAILER!!!".
 */

/** File type bits of st_mode (S_IFMT and friends). */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

const MAGIC = '070701';
const HEADER_SIZE = 110;
const TRAILER_NAME = 'TRAILER!!!';
const MAX_FIELD = 0xffffffff;

/** Owner, time and permissions shared by every kind of entry. */
export interface EntryOptions {
  /** Permission bits (the low 12 bits of st_mode, e.g. 0o755). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Modification time in seconds since the epoch; defaults to the writer's `mtime`. */
  mtime?: number;
}

export interface CpioWriterOptions {
  /** The mtime given to entries that do not name their own; 0 keeps archives reproducible. */
  mtime?: number;
}

interface Entry {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  data: Uint8Array;
  rdevMajor: number;
  rdevMinor: number;
}

const encoder = new TextEncoder();

/**
 * Builds a newc archive in memory. Paths are relative ("bin/busybox", no leading slash), and a
 * path's parent directory must have been added before it, because the kernel's unpacker
 * creates entries in archive order.
 *
 * @example
 * const cpio = new CpioWriter();
 * cpio.addDirectory('dev', { mode: 0o755 });
 * cpio.addCharDevice('dev/console', 5, 1, { mode: 0o600 });
 * cpio.addFile('init', '#!/bin/sh\necho hi\n', { mode: 0o755 });
 * const bytes = cpio.finish();
 */
export class CpioWriter {
  private readonly entries: Entry[] = [];
  private readonly paths = new Set<string>();
  private readonly directories = new Set<string>();
  private readonly defaultMtime: number;
  private finished = false;

  constructor(options: CpioWriterOptions = {}) {
    this.defaultMtime = checkField('mtime', options.mtime ?? 0);
  }

  addDirectory(path: string, options: EntryOptions = {}): this {
    this.add(path, S_IFDIR, options.mode ?? 0o755, options, new Uint8Array(0), 2, 0, 0);
    this.directories.add(path);
    return this;
  }

  addFile(path: string, data: Uint8Array | string, options: EntryOptions = {}): this {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.add(path, S_IFREG, options.mode ?? 0o644, options, bytes, 1, 0, 0);
    return this;
  }

  /** A symbolic link; its data is the target path, stored without a trailing NUL. */
  addSymlink(path: string, target: string, options: EntryOptions = {}): this {
    if (target.length === 0) throw new Error(`cpio: symlink ${path} needs a non-empty target`);
    this.add(path, S_IFLNK, options.mode ?? 0o777, options, encoder.encode(target), 1, 0, 0);
    return this;
  }

  /** A character device node such as dev/console (5, 1). */
  addCharDevice(path: string, major: number, minor: number, options: EntryOptions = {}): this {
    this.add(path, S_IFCHR, options.mode ?? 0o600, options, new Uint8Array(0), 1, major, minor);
    return this;
  }

  /** A block device node such as dev/sda (8, 0). */
  addBlockDevice(path: string, major: number, minor: number, options: EntryOptions = {}): this {
    this.add(path, S_IFBLK, options.mode ?? 0o600, options, new Uint8Array(0), 1, major, minor);
    return this;
  }

  /** Appends the trailer and returns the whole archive. The writer cannot be used after. */
  finish(): Uint8Array {
    this.assertOpen();
    this.finished = true;
    const chunks: Uint8Array[] = [];
    let inode = 1;
    for (const entry of this.entries) {
      appendEntry(chunks, entry, inode++);
    }
    const trailer: Entry = {
      path: TRAILER_NAME,
      mode: 0,
      uid: 0,
      gid: 0,
      nlink: 1,
      mtime: 0,
      data: new Uint8Array(0),
      rdevMajor: 0,
      rdevMinor: 0,
    };
    appendEntry(chunks, trailer, 0);
    return concat(chunks);
  }

  private add(
    path: string,
    type: number,
    permissions: number,
    options: EntryOptions,
    data: Uint8Array,
    nlink: number,
    rdevMajor: number,
    rdevMinor: number,
  ): void {
    this.assertOpen();
    checkPath(path);
    if (this.paths.has(path)) throw new Error(`cpio: ${path} was already added`);
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined;
    if (parent !== undefined && !this.directories.has(parent)) {
      throw new Error(`cpio: add the directory ${parent} before ${path}`);
    }
    if (!Number.isInteger(permissions) || permissions < 0 || permissions > 0o7777) {
      throw new Error(
        `cpio: mode of ${path} must be permission bits 0..0o7777, got ${permissions}`,
      );
    }
    checkField(`size of ${path}`, data.length);
    this.paths.add(path);
    this.entries.push({
      path,
      mode: type | permissions,
      uid: checkField('uid', options.uid ?? 0),
      gid: checkField('gid', options.gid ?? 0),
      nlink,
      mtime: checkField('mtime', options.mtime ?? this.defaultMtime),
      data,
      rdevMajor: checkField('device major', rdevMajor),
      rdevMinor: checkField('device minor', rdevMinor),
    });
  }

  private assertOpen(): void {
    if (this.finished) throw new Error('cpio: the archive was already finished');
  }
}

function checkPath(path: string): void {
  if (path.length === 0 || path.startsWith('/') || path.endsWith('/')) {
    throw new Error(`cpio: path must be relative with no leading or trailing slash, got "${path}"`);
  }
  for (const part of path.split('/')) {
    if (part === '' || part === '.' || part === '..') {
      throw new Error(`cpio: path "${path}" has an empty, "." or ".." component`);
    }
  }
  if (path.includes('\0')) throw new Error(`cpio: path "${path}" contains a NUL`);
  if (path === TRAILER_NAME) throw new Error(`cpio: ${TRAILER_NAME} is reserved for the trailer`);
}

function checkField(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_FIELD) {
    throw new Error(`cpio: ${what} must be an integer in 0..0xffffffff, got ${value}`);
  }
  return value;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function padding(length: number): number {
  return (4 - (length % 4)) % 4;
}

function appendEntry(chunks: Uint8Array[], entry: Entry, inode: number): void {
  const name = encoder.encode(`${entry.path}\0`);
  const header =
    MAGIC +
    hex8(inode) +
    hex8(entry.mode) +
    hex8(entry.uid) +
    hex8(entry.gid) +
    hex8(entry.nlink) +
    hex8(entry.mtime) +
    hex8(entry.data.length) +
    hex8(0) + // devmajor: the device holding the file, meaningless here
    hex8(0) + // devminor
    hex8(entry.rdevMajor) +
    hex8(entry.rdevMinor) +
    hex8(name.length) +
    hex8(0); // check: only used by the "crc" variant (070702)
  chunks.push(encoder.encode(header), name, new Uint8Array(padding(HEADER_SIZE + name.length)));
  if (entry.data.length > 0) {
    chunks.push(entry.data, new Uint8Array(padding(entry.data.length)));
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
