/**
 * Reads what a loader needs from a static ELF32 i386 executable: the entry point and the
 * PT_LOAD segments (System V gABI). The counterpart of elf.ts's writer; like the kernel's
 * loader it looks at program headers only.
 */
import { ELF32_EHDR_SIZE, ELF32_PHDR_SIZE, PT_LOAD } from '../elf.js';

/** A loadable segment: `fileBytes` at `vaddr`, then zeros up to `memSize`. */
export interface LoadSegment {
  readonly vaddr: number;
  readonly memSize: number;
  readonly fileBytes: Uint8Array;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly LoadSegment[];
}

/** An executable this loader cannot run (the kernel's ENOEXEC). */
export class ElfFormatError extends Error {
  override readonly name = 'ElfFormatError';
}

const EM_386 = 3;
const ET_EXEC = 2;
const ELFCLASS32 = 1;
const ELFDATA2LSB = 1;

/** Parses and checks the headers; throws ElfFormatError on anything malformed. */
export function readElf32(bytes: Uint8Array): ElfImage {
  if (bytes.length < ELF32_EHDR_SIZE) throw new ElfFormatError('file shorter than an ELF header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46) throw new ElfFormatError('not an ELF file');
  if (bytes[4] !== ELFCLASS32 || bytes[5] !== ELFDATA2LSB)
    throw new ElfFormatError('not a little-endian ELF32 file');
  if (view.getUint16(16, true) !== ET_EXEC) throw new ElfFormatError('not a static executable');
  if (view.getUint16(18, true) !== EM_386) throw new ElfFormatError('not an i386 executable');
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phentsize !== ELF32_PHDR_SIZE) throw new ElfFormatError(`program header size ${phentsize}`);
  if (phoff + phnum * ELF32_PHDR_SIZE > bytes.length)
    throw new ElfFormatError('program headers run past the end of the file');

  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * ELF32_PHDR_SIZE;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = view.getUint32(ph + 4, true);
    const vaddr = view.getUint32(ph + 8, true);
    const fileSize = view.getUint32(ph + 16, true);
    const memSize = view.getUint32(ph + 20, true);
    const flags = view.getUint32(ph + 24, true);
    if (offset + fileSize > bytes.length)
      throw new ElfFormatError(`segment ${i} runs past the end of the file`);
    if (fileSize > memSize) throw new ElfFormatError(`segment ${i}: p_filesz > p_memsz`);
    if (vaddr + memSize > 0x100000000) throw new ElfFormatError(`segment ${i} runs past 4 GiB`);
    segments.push({ vaddr, memSize, flags, fileBytes: bytes.subarray(offset, offset + fileSize) });
  }
  if (segments.length === 0) throw new ElfFormatError('no loadable segment');
  return { entry, segments };
}
