/**
 * A Multiboot kernel's memory image, as QEMU's load_multiboot reads it: by ELF program
 * headers, or, when the header's flag 16 (the "a.out kludge") is set, by the header's
 * load_addr, load_end_addr and bss_end_addr, with QEMU's checks on them.
 */
import { isElf, readElf32 } from './elf32.js';
import { KernelImageError } from './kernel-image-error.js';
import { MULTIBOOT_AOUT_KLUDGE, type MultibootHeader } from './multiboot-header.js';
import { hex } from './util.js';

/** The kernel's bytes as they lie in memory from `loadAddr`, and where it starts. */
export interface LoadedMultibootKernel {
  format: 'elf' | 'aout';
  loadAddr: number;
  entryAddr: number;
  /** kernelSize bytes (file bytes then zeroed bss). */
  bytes: Uint8Array;
}

function loadByElf(image: Uint8Array, header: MultibootHeader): LoadedMultibootKernel {
  if (!isElf(image)) {
    throw new KernelImageError(
      `the Multiboot header at ${hex(header.offset)} has no load addresses (flag 16, the a.out ` +
        'kludge, is clear) and the file is not ELF',
    );
  }
  const elf = readElf32(image);
  const bytes = new Uint8Array(elf.high - elf.low);
  for (const s of elf.segments) bytes.set(s.bytes, s.paddr - elf.low);
  return { format: 'elf', loadAddr: elf.low, entryAddr: elf.entry, bytes };
}

/** QEMU's checks and sizes for the header's address fields. */
function loadByAddressFields(image: Uint8Array, h: MultibootHeader): LoadedMultibootKernel {
  if (h.headerAddr < h.loadAddr) {
    throw new KernelImageError(
      `invalid Multiboot load_addr ${hex(h.loadAddr)}: above header_addr ${hex(h.headerAddr)}`,
    );
  }
  if (h.headerAddr - h.loadAddr > h.offset) {
    throw new KernelImageError(
      `invalid Multiboot header_addr ${hex(h.headerAddr)}: the header is at file offset ` +
        `${hex(h.offset)}, so loading must start before the file does`,
    );
  }
  const textOffset = h.offset - (h.headerAddr - h.loadAddr);
  let loadSize: number;
  if (h.loadEndAddr !== 0) {
    if (h.loadEndAddr < h.loadAddr) {
      throw new KernelImageError(
        `invalid Multiboot load_end_addr ${hex(h.loadEndAddr)}: below load_addr ${hex(h.loadAddr)}`,
      );
    }
    loadSize = h.loadEndAddr - h.loadAddr;
  } else {
    loadSize = image.length - textOffset;
  }
  if (loadSize > 2 ** 32 - h.loadAddr) {
    throw new KernelImageError('the Multiboot kernel does not fit below 4 GiB');
  }
  if (textOffset + loadSize > image.length) {
    throw new KernelImageError(
      `truncated: the Multiboot header asks for ${loadSize} bytes from file offset ` +
        `${hex(textOffset)}, the file is ${image.length} bytes`,
    );
  }
  let kernelSize = loadSize;
  if (h.bssEndAddr !== 0) {
    if (h.bssEndAddr < h.loadAddr + loadSize) {
      throw new KernelImageError(
        `invalid Multiboot bss_end_addr ${hex(h.bssEndAddr)}: below the end of the loaded ` +
          `bytes ${hex(h.loadAddr + loadSize)}`,
      );
    }
    kernelSize = h.bssEndAddr - h.loadAddr;
  }
  const bytes = new Uint8Array(kernelSize);
  bytes.set(image.subarray(textOffset, textOffset + loadSize));
  return { format: 'aout', loadAddr: h.loadAddr, entryAddr: h.entryAddr, bytes };
}

/** The kernel's memory image from its header: by the a.out fields when flag 16 asks, else ELF. */
export function loadMultibootKernel(
  file: Uint8Array,
  header: MultibootHeader,
): LoadedMultibootKernel {
  return header.flags & MULTIBOOT_AOUT_KLUDGE
    ? loadByAddressFields(file, header)
    : loadByElf(file, header);
}
