/**
 * The Multiboot (version 0.6.96) header a kernel carries in its first 8 KiB, and QEMU's
 * `-initrd "mod1 arg,mod2"` syntax for the modules a Multiboot kernel is given.
 */
import { KernelImageError } from './kernel-image-error.js';
import { hex } from './util.js';

/** The header's magic. */
export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
/** What the loader leaves in EAX for the kernel. */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** The header must lie entirely within the file's first 8192 bytes, 32-bit aligned. */
export const MULTIBOOT_SEARCH = 8192;

/** Header flags (bits 0-15 are requirements, 16-31 optional features). */
export const MULTIBOOT_PAGE_ALIGN = 1 << 0;
export const MULTIBOOT_MEMORY_INFO = 1 << 1;
export const MULTIBOOT_VIDEO_MODE = 1 << 2;
/** The header's address fields say where to load the file (the "a.out kludge"). */
export const MULTIBOOT_AOUT_KLUDGE = 1 << 16;

/** Bytes of the header: magic, flags, checksum, then the five address fields. */
const HEADER_BASE_SIZE = 12;
const HEADER_ADDRESS_SIZE = 32;

export interface MultibootHeader {
  /** Where in the file the magic is. */
  readonly offset: number;
  readonly flags: number;
  /** The a.out kludge fields, meaningful when flags has {@link MULTIBOOT_AOUT_KLUDGE}. */
  readonly headerAddr: number;
  readonly loadAddr: number;
  readonly loadEndAddr: number;
  readonly bssEndAddr: number;
  readonly entryAddr: number;
}

/** The result of scanning a file for a Multiboot header. */
export interface MultibootScan {
  readonly header: MultibootHeader | undefined;
  /** Offsets where the magic appeared with a checksum that does not add up. */
  readonly badChecksumAt: readonly number[];
}

/**
 * Look for the header as QEMU does: the magic at a 4-byte aligned offset in the first 8 KiB,
 * with magic + flags + checksum = 0 (mod 2^32). A magic with a wrong checksum is skipped
 * (and reported in `badChecksumAt`).
 */
export function scanMultibootHeader(image: Uint8Array): MultibootScan {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const end = Math.min(image.length, MULTIBOOT_SEARCH);
  const badChecksumAt: number[] = [];
  for (let at = 0; at + HEADER_BASE_SIZE <= end; at += 4) {
    if (view.getUint32(at, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = view.getUint32(at + 4, true);
    const checksum = view.getUint32(at + 8, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) & 0xffffffff) !== 0) {
      badChecksumAt.push(at);
      continue;
    }
    const field = (n: number) =>
      at + HEADER_BASE_SIZE + 4 * (n + 1) <= image.length
        ? view.getUint32(at + HEADER_BASE_SIZE + 4 * n, true)
        : 0;
    if (flags & MULTIBOOT_AOUT_KLUDGE && at + HEADER_ADDRESS_SIZE > image.length) {
      throw new KernelImageError(
        `truncated: the Multiboot header at ${hex(at)} asks for the a.out kludge, but the ` +
          'file ends before its address fields',
      );
    }
    return {
      header: {
        offset: at,
        flags,
        headerAddr: field(0),
        loadAddr: field(1),
        loadEndAddr: field(2),
        bssEndAddr: field(3),
        entryAddr: field(4),
      },
      badChecksumAt,
    };
  }
  return { header: undefined, badChecksumAt };
}

/** The header, or undefined when the file has none. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader | undefined {
  return scanMultibootHeader(image).header;
}

/** One module named on the `-initrd` option for a Multiboot kernel. */
export interface MultibootModuleSpec {
  /** The file to read: the item up to its first space. */
  readonly file: string;
  /** The module's command line as the kernel sees it: the whole item, file name first. */
  readonly commandLine: string;
}

/**
 * Split QEMU's Multiboot `-initrd` value into modules: items separated by commas (`,,` is a
 * comma inside an item), each a file name optionally followed by a space and arguments.
 * `"mod1 arg,mod2"` gives modules `mod1` (command line `mod1 arg`) and `mod2`.
 */
export function parseMultibootModuleList(spec: string): MultibootModuleSpec[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c !== ',') {
      current += c;
    } else if (spec[i + 1] === ',') {
      current += ',';
      i++;
    } else {
      items.push(current);
      current = '';
    }
  }
  items.push(current);
  return items.map((commandLine) => {
    const file = commandLine.split(' ')[0];
    if (file === '') {
      throw new KernelImageError(`empty module name in the Multiboot module list "${spec}"`);
    }
    return { file, commandLine };
  });
}
