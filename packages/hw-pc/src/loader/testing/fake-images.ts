/**
 * Small synthetic kernels for the loaders' tests: a bzImage with the setup header fields a
 * test chooses, and Multiboot kernels in both layouts.
 */
import { assemble } from '@tsemu/x86asm';

export interface FakeBzImageOptions {
  /** Default 0x020f. */
  protocol?: number;
  /** The byte at 0x1f1 (0 means 4); default 4. */
  setupSects?: number;
  /** Default LOADED_HIGH. */
  loadFlags?: number;
  /** Protected-mode code; default 4 KiB of zeros. */
  code?: Uint8Array;
  initrdAddrMax?: number;
  cmdlineSize?: number;
  relocatable?: boolean;
  kernelAlignment?: number;
  xloadFlags?: number;
  prefAddress?: number;
  initSize?: number;
  /** Write syssize from the code's length; default true. */
  syssize?: boolean;
}

/** A bzImage: boot sector and setup sectors with a setup header, then `code`. */
export function fakeBzImage(o: FakeBzImageOptions = {}): Uint8Array {
  const setupSects = o.setupSects ?? 4;
  const setupSize = ((setupSects === 0 ? 4 : setupSects) + 1) * 512;
  const code = o.code ?? new Uint8Array(4096);
  // As the kernel's build tool does, pad the protected-mode part to whole paragraphs.
  const image = new Uint8Array(setupSize + Math.ceil(code.length / 16) * 16);
  const view = new DataView(image.buffer);
  image[0x1f1] = setupSects;
  if (o.syssize ?? true) view.setUint32(0x1f4, Math.ceil(code.length / 16), true);
  view.setUint16(0x1fa, 0xffff, true); // vid_mode: normal
  view.setUint16(0x1fe, 0xaa55, true);
  image[0x200] = 0xeb; // jmp to the end of the header: 0x202 + 0x6a = 0x26c
  image[0x201] = 0x6a;
  view.setUint32(0x202, 0x53726448, true); // HdrS
  view.setUint16(0x206, o.protocol ?? 0x020f, true);
  image[0x211] = o.loadFlags ?? 0x01;
  view.setUint32(0x214, 0x100000, true);
  view.setUint32(0x22c, o.initrdAddrMax ?? 0x7fffffff, true);
  view.setUint32(0x230, o.kernelAlignment ?? 0x1000000, true);
  image[0x234] = (o.relocatable ?? true) ? 1 : 0;
  view.setUint16(0x236, o.xloadFlags ?? 0, true);
  view.setUint32(0x238, o.cmdlineSize ?? 0x7ff, true);
  view.setBigUint64(0x258, BigInt(o.prefAddress ?? 0x1000000), true);
  view.setUint32(0x260, o.initSize ?? 0x100000, true);
  image.set(code, setupSize);
  return image;
}

/** 32-bit code assembled at `org`. */
export function code32(source: string, org: number): Uint8Array {
  return assemble(`bits 32\norg ${org}\n${source}`).bytes;
}

/** A Multiboot header's 12 bytes (magic, flags, checksum) and optional address fields. */
export function multibootHeaderBytes(flags: number, addresses: readonly number[] = []): Uint8Array {
  const bytes = new Uint8Array(12 + addresses.length * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x1badb002, true);
  view.setUint32(4, flags, true);
  view.setUint32(8, -(0x1badb002 + flags) >>> 0, true);
  addresses.forEach((a, i) => {
    view.setUint32(12 + i * 4, a, true);
  });
  return bytes;
}

export interface FakeElfSegment {
  paddr: number;
  vaddr?: number;
  bytes: Uint8Array;
  memSize?: number;
  flags?: number;
}

/**
 * An ELF32 executable whose file starts with the ELF header, the program headers and
 * `prefix` (a Multiboot header, say), then each segment's bytes.
 */
export function fakeElf(o: {
  entry: number;
  segments: readonly FakeElfSegment[];
  prefix?: Uint8Array;
  machine?: number;
  elfClass?: number;
}): Uint8Array {
  const phoff = 52;
  const prefixAt = phoff + o.segments.length * 32;
  const prefix = o.prefix ?? new Uint8Array(0);
  let offset = prefixAt + prefix.length;
  const offsets = o.segments.map((s) => {
    const at = offset;
    offset += s.bytes.length;
    return at;
  });
  const file = new Uint8Array(offset);
  const view = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, o.elfClass ?? 1, 1, 1], 0);
  view.setUint16(16, 2, true);
  view.setUint16(18, o.machine ?? 3, true);
  view.setUint32(20, 1, true);
  view.setUint32(24, o.entry, true);
  view.setUint32(28, phoff, true);
  view.setUint16(40, 52, true);
  view.setUint16(42, 32, true);
  view.setUint16(44, o.segments.length, true);
  o.segments.forEach((s, i) => {
    const ph = phoff + i * 32;
    view.setUint32(ph, 1, true);
    view.setUint32(ph + 4, offsets[i], true);
    view.setUint32(ph + 8, s.vaddr ?? s.paddr, true);
    view.setUint32(ph + 12, s.paddr, true);
    view.setUint32(ph + 16, s.bytes.length, true);
    view.setUint32(ph + 20, s.memSize ?? s.bytes.length, true);
    view.setUint32(ph + 24, s.flags ?? 5, true);
    view.setUint32(ph + 28, 0x1000, true);
    file.set(s.bytes, offsets[i]);
  });
  file.set(prefix, prefixAt);
  return file;
}
