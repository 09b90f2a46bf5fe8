/**
 * A writer of minimal static ELF32 i386 executables (System V gABI + i386 psABI): an ELF
 * header, one program header per loadable segment and, optionally, PT_GNU_STACK. No
 * sections, no section headers: the kernel's loader reads program headers only, and
 * `readelf -h -l` shows everything that matters.
 */

/** The size of an ELF32 file header. */
export const ELF32_EHDR_SIZE = 52;
/** The size of one ELF32 program header. */
export const ELF32_PHDR_SIZE = 32;
/** The page size the loader maps segments with; p_offset ≡ p_vaddr modulo it. */
export const ELF_PAGE_SIZE = 0x1000;

/** Program header types. */
export const PT_LOAD = 1;
/** Marks the stack non-executable; without it Linux gives i386 programs READ_IMPLIES_EXEC. */
export const PT_GNU_STACK = 0x6474e551;

/** Segment permission bits (p_flags). */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const EM_386 = 3;
const ET_EXEC = 2;

/** One loadable segment: `bytes` are loaded at `vaddr`, then zeros up to `memSize`. */
export interface ElfSegment {
  readonly vaddr: number;
  readonly bytes: Uint8Array;
  /** Bytes in memory (≥ bytes.length); the rest is zero-filled (like .bss). */
  readonly memSize?: number;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
}

export interface ElfExecutable {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
  /** Add a PT_GNU_STACK header (RW, not executable). Default true. */
  readonly gnuStack?: boolean;
}

/** Where writeElf32 put each segment in the file (for tests and diagnostics). */
export interface ElfLayout {
  readonly fileOffsets: readonly number[];
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Writes the executable; throws on overlapping or misaligned segments. */
export function writeElf32(exe: ElfExecutable): { bytes: Uint8Array; layout: ElfLayout } {
  const { entry, segments } = exe;
  const gnuStack = exe.gnuStack ?? true;
  if (segments.length === 0) throw new Error('writeElf32: at least one segment is needed');
  const sorted = [...segments].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i] as ElfSegment;
    const memSize = s.memSize ?? s.bytes.length;
    if (memSize < s.bytes.length) throw new Error('writeElf32: memSize is smaller than bytes');
    if (s.vaddr % ELF_PAGE_SIZE !== 0) {
      throw new Error(`writeElf32: segment at 0x${s.vaddr.toString(16)} is not page aligned`);
    }
    if (s.vaddr + memSize > 0xc0000000) throw new Error('writeElf32: segment reaches kernel space');
    const next = sorted[i + 1];
    if (next && s.vaddr + memSize > next.vaddr) throw new Error('writeElf32: segments overlap');
  }
  const phnum = segments.length + (gnuStack ? 1 : 0);
  const headerEnd = ELF32_EHDR_SIZE + phnum * ELF32_PHDR_SIZE;

  // Each segment starts on its own page of the file, so p_offset ≡ p_vaddr (mod page).
  const fileOffsets: number[] = [];
  let cursor = alignUp(headerEnd, ELF_PAGE_SIZE);
  for (const s of segments) {
    fileOffsets.push(s.bytes.length === 0 ? 0 : cursor);
    cursor = alignUp(cursor + s.bytes.length, ELF_PAGE_SIZE);
  }
  const lastWithBytes = segments.reduce(
    (end, s, i) =>
      s.bytes.length > 0 ? Math.max(end, (fileOffsets[i] as number) + s.bytes.length) : end,
    headerEnd,
  );
  const out = new Uint8Array(lastWithBytes);
  const view = new DataView(out.buffer);

  // e_ident: magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE.
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0);
  view.setUint16(16, ET_EXEC, true);
  view.setUint16(18, EM_386, true);
  view.setUint32(20, 1, true); // e_version
  view.setUint32(24, entry, true);
  view.setUint32(28, ELF32_EHDR_SIZE, true); // e_phoff
  view.setUint32(32, 0, true); // e_shoff: no section headers
  view.setUint32(36, 0, true); // e_flags
  view.setUint16(40, ELF32_EHDR_SIZE, true);
  view.setUint16(42, ELF32_PHDR_SIZE, true);
  view.setUint16(44, phnum, true);
  view.setUint16(46, 0, true); // e_shentsize
  view.setUint16(48, 0, true); // e_shnum
  view.setUint16(50, 0, true); // e_shstrndx

  let ph = ELF32_EHDR_SIZE;
  segments.forEach((s, i) => {
    const offset = fileOffsets[i] as number;
    view.setUint32(ph + 0, PT_LOAD, true);
    view.setUint32(ph + 4, offset, true);
    view.setUint32(ph + 8, s.vaddr, true);
    view.setUint32(ph + 12, s.vaddr, true); // p_paddr
    view.setUint32(ph + 16, s.bytes.length, true);
    view.setUint32(ph + 20, s.memSize ?? s.bytes.length, true);
    view.setUint32(ph + 24, s.flags, true);
    view.setUint32(ph + 28, ELF_PAGE_SIZE, true);
    out.set(s.bytes, offset);
    ph += ELF32_PHDR_SIZE;
  });
  if (gnuStack) {
    view.setUint32(ph + 0, PT_GNU_STACK, true);
    view.setUint32(ph + 24, PF_R | PF_W, true);
    view.setUint32(ph + 28, 16, true);
  }
  return { bytes: out, layout: { fileOffsets } };
}
