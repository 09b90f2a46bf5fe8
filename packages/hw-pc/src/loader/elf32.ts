/**
 * Just enough of the ELF format (System V gABI, i386 psABI) to load a 32-bit executable by
 * its program headers, as QEMU's load_elf does for a Multiboot kernel without the a.out
 * kludge: PT_LOAD segments go to their physical addresses, zero-filled past their file size.
 */
import { KernelImageError } from './kernel-image-error.js';
import { hex } from './util.js';

export const ELF_MAGIC = 0x464c457f; // "\x7fELF", read little-endian
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
export const EM_386 = 3;
export const PT_LOAD = 1;
export const PF_X = 1;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;

/** One loadable segment. */
export interface ElfLoadSegment {
  /** Where it loads (p_paddr) and where it runs (p_vaddr). */
  readonly paddr: number;
  readonly vaddr: number;
  /** The file's bytes for it (p_filesz of them); memSize - bytes.length zeros follow. */
  readonly bytes: Uint8Array;
  readonly memSize: number;
  readonly flags: number;
}

export interface Elf32Image {
  /** e_entry translated to a physical address (see {@link readElf32}). */
  readonly entry: number;
  readonly segments: readonly ElfLoadSegment[];
  /** The lowest and highest physical addresses the segments cover: [low, high). */
  readonly low: number;
  readonly high: number;
}

export function isElf(image: Uint8Array): boolean {
  return (
    image.length >= 4 &&
    new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(0, true) === ELF_MAGIC
  );
}

/**
 * Read a little-endian ELF32 i386 executable's PT_LOAD segments. The entry point is
 * e_entry, translated from virtual to physical when it lies in an executable segment whose
 * virtual and physical addresses differ (a kernel linked to run high but loaded low), as
 * QEMU's load_elf does. Throws a {@link KernelImageError} naming the check that failed.
 */
export function readElf32(image: Uint8Array): Elf32Image {
  if (!isElf(image) || image.length < EHDR_SIZE) {
    throw new KernelImageError('not an ELF file (no "\\x7fELF" header)');
  }
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image[4] === ELFCLASS64) {
    throw new KernelImageError('a 64-bit ELF kernel: tsemu loads 32-bit (ELFCLASS32) kernels');
  }
  if (image[4] !== ELFCLASS32) throw new KernelImageError(`unknown ELF class ${image[4]}`);
  if (image[5] !== ELFDATA2LSB) throw new KernelImageError('a big-endian ELF file');
  const machine = view.getUint16(18, true);
  if (machine !== EM_386) {
    throw new KernelImageError(`an ELF file for machine ${machine}, not i386 (EM_386 = 3)`);
  }
  const entryVirtual = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum === 0) throw new KernelImageError('the ELF file has no program headers');
  if (phentsize < PHDR_SIZE) {
    throw new KernelImageError(`ELF program headers of ${phentsize} bytes, expected ${PHDR_SIZE}`);
  }
  if (phoff + phnum * phentsize > image.length) {
    throw new KernelImageError(
      `truncated: the ELF program headers end at ${hex(phoff + phnum * phentsize)}, the file ` +
        `is ${image.length} bytes`,
    );
  }
  const segments: ElfLoadSegment[] = [];
  let entry = entryVirtual;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const vaddr = view.getUint32(at + 8, true);
    const paddr = view.getUint32(at + 12, true);
    const fileSize = view.getUint32(at + 16, true);
    const memSize = view.getUint32(at + 20, true);
    const flags = view.getUint32(at + 24, true);
    if (memSize === 0) continue; // QEMU skips empty segments too
    if (fileSize > memSize) {
      throw new KernelImageError(
        `ELF segment ${i} has more file bytes (${fileSize}) than memory bytes (${memSize})`,
      );
    }
    if (offset + fileSize > image.length) {
      throw new KernelImageError(
        `truncated: ELF segment ${i} needs file bytes up to ${hex(offset + fileSize)}, the ` +
          `file is ${image.length} bytes`,
      );
    }
    if (paddr + memSize > 2 ** 32) {
      throw new KernelImageError(`ELF segment ${i} (${hex(paddr)}, ${memSize} bytes) passes 4 GiB`);
    }
    if (
      vaddr !== paddr &&
      flags & PF_X &&
      entryVirtual >= vaddr &&
      entryVirtual < vaddr + fileSize
    ) {
      entry = entryVirtual - vaddr + paddr;
    }
    segments.push({
      paddr,
      vaddr,
      bytes: image.subarray(offset, offset + fileSize),
      memSize,
      flags,
    });
    low = Math.min(low, paddr);
    high = Math.max(high, paddr + memSize);
  }
  if (segments.length === 0) throw new KernelImageError('the ELF file has no loadable segment');
  return { entry, segments, low, high };
}
