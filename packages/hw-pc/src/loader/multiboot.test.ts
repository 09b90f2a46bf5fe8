import { describe, expect, it } from 'vitest';
import { pcE820Table } from '../fw_cfg/e820.js';
import { FwCfg } from '../fw_cfg/fw-cfg.js';
import {
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_ENTRY,
  FW_CFG_KERNEL_SIZE,
} from '../fw_cfg/fw-cfg-keys.js';
import { KernelImageError } from './kernel-image-error.js';
import {
  addMultibootFwCfgItems,
  loadMultiboot,
  MULTIBOOT_INFO,
  MULTIBOOT_INFO_ADDR,
  MULTIBOOT_MMAP_ADDR,
  type MultibootOptions,
  prepareMultibootBoot,
} from './multiboot.js';
import {
  findMultibootHeader,
  parseMultibootModuleList,
  scanMultibootHeader,
} from './multiboot-header.js';
import { fakeElf, multibootHeaderBytes } from './testing/fake-images.js';

const MiB = 1024 * 1024;
const AOUT = 0x10000;

function u32(b: Uint8Array, at: number) {
  return new DataView(b.buffer, b.byteOffset).getUint32(at, true);
}
function cString(b: Uint8Array, at: number): string {
  const end = b.indexOf(0, at);
  return new TextDecoder().decode(b.subarray(at, end));
}
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelImageError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

/** A flat kernel with the a.out kludge: the header at `headerOffset`, loaded at `loadAddr`. */
function aoutKernel(o: {
  loadAddr?: number;
  headerOffset?: number;
  size?: number;
  loadEnd?: number;
  bssEnd?: number;
  entry?: number;
  headerAddr?: number;
  flags?: number;
}): Uint8Array {
  const loadAddr = o.loadAddr ?? 0x100000;
  const headerOffset = o.headerOffset ?? 0;
  const file = Uint8Array.from({ length: o.size ?? 0x800 }, (_, i) => (i * 7 + 1) & 0xff);
  file.set(
    multibootHeaderBytes((o.flags ?? 0) | AOUT, [
      o.headerAddr ?? loadAddr + headerOffset,
      loadAddr,
      o.loadEnd ?? 0,
      o.bssEnd ?? 0,
      o.entry ?? loadAddr + 0x40,
    ]),
    headerOffset,
  );
  return file;
}

function prepare(kernel: Uint8Array, extra: Partial<MultibootOptions> = {}) {
  return prepareMultibootBoot({
    kernel,
    kernelName: 'kernel.bin',
    cmdline: '',
    belowFourGig: 32 * MiB,
    ...extra,
  });
}

describe('the Multiboot header', () => {
  it('is found at any 4-byte aligned offset whose header fits in the first 8 KiB', () => {
    const file = new Uint8Array(16384);
    file.set(multibootHeaderBytes(3), 8180);
    expect(findMultibootHeader(file)).toMatchObject({ offset: 8180, flags: 3 });
    const late = new Uint8Array(16384);
    late.set(multibootHeaderBytes(3), 8184);
    expect(findMultibootHeader(late)).toBeUndefined();
    const unaligned = new Uint8Array(4096);
    unaligned.set(multibootHeaderBytes(3), 0x102);
    expect(findMultibootHeader(unaligned)).toBeUndefined();
  });

  it('needs magic + flags + checksum to be zero, and says where it saw a bad one', () => {
    const file = new Uint8Array(4096);
    const header = multibootHeaderBytes(3);
    header[8] ^= 1;
    file.set(header, 0x40);
    expect(scanMultibootHeader(file)).toEqual({ header: undefined, badChecksumAt: [0x40] });
    expect(errorOf(() => prepare(file))).toBe(
      'no Multiboot header in the first 8 KiB: the magic 0x1badb002 at offset 0x40 has a bad ' +
        'checksum (magic + flags + checksum must be 0)',
    );
    expect(errorOf(() => prepare(new Uint8Array(4096)))).toBe(
      'no Multiboot header in the first 8 KiB',
    );
  });

  it('reports a file that ends inside the a.out fields', () => {
    const file = multibootHeaderBytes(AOUT, [0x100000]);
    expect(errorOf(() => findMultibootHeader(file))).toBe(
      'truncated: the Multiboot header at 0x0 asks for the a.out kludge, but the file ends ' +
        'before its address fields',
    );
  });
});

describe('QEMU -initrd module lists', () => {
  it('splits at commas, keeps arguments, and reads ,, as a comma', () => {
    expect(parseMultibootModuleList('mod1 arg,mod2')).toEqual([
      { file: 'mod1', commandLine: 'mod1 arg' },
      { file: 'mod2', commandLine: 'mod2' },
    ]);
    expect(parseMultibootModuleList('a.bin x=1,,2 y')).toEqual([
      { file: 'a.bin', commandLine: 'a.bin x=1,2 y' },
    ]);
    expect(errorOf(() => parseMultibootModuleList('mod1,,,'))).toBe(
      'empty module name in the Multiboot module list "mod1,,,"',
    );
  });
});

describe('a.out kludge loading', () => {
  it('loads the file from the header back to load_addr, and zeroes the bss', () => {
    const kernel = aoutKernel({
      headerOffset: 0x20,
      size: 0x400,
      loadEnd: 0x100300,
      bssEnd: 0x100500,
    });
    const boot = prepare(kernel);
    expect(boot.format).toBe('aout');
    expect(boot.loadAddr).toBe(0x100000);
    expect(boot.entryAddr).toBe(0x100040);
    expect(boot.image.addr).toBe(0x100000);
    expect([...boot.image.bytes.subarray(0, 0x300)]).toEqual([...kernel.subarray(0, 0x300)]);
    expect(boot.image.bytes.subarray(0x300, 0x1000).every((b) => b === 0)).toBe(true);
  });

  it('starts in the file where header_addr - load_addr says', () => {
    // The header is 0x100 bytes into the file but only 0x20 bytes after load_addr: the
    // first 0xe0 bytes of the file are not loaded.
    const kernel = aoutKernel({ headerOffset: 0x100, headerAddr: 0x100020, size: 0x400 });
    const boot = prepare(kernel);
    expect(boot.image.bytes[0]).toBe(kernel[0xe0]);
    expect(u32(boot.image.bytes, 0x20)).toBe(0x1badb002);
  });

  it('loads to the end of the file without load_end_addr', () => {
    const boot = prepare(aoutKernel({ size: 0x1234 }));
    expect(u32(boot.info.bytes, MULTIBOOT_INFO.MODS_ADDR)).toBe(0x102000);
  });

  it('refuses inconsistent address fields as QEMU does', () => {
    expect(errorOf(() => prepare(aoutKernel({ headerAddr: 0xff000 })))).toBe(
      'invalid Multiboot load_addr 0x100000: above header_addr 0xff000',
    );
    expect(errorOf(() => prepare(aoutKernel({ headerAddr: 0x100100 })))).toBe(
      'invalid Multiboot header_addr 0x100100: the header is at file offset 0x0, so loading ' +
        'must start before the file does',
    );
    expect(errorOf(() => prepare(aoutKernel({ loadEnd: 0xf0000 })))).toBe(
      'invalid Multiboot load_end_addr 0xf0000: below load_addr 0x100000',
    );
    expect(errorOf(() => prepare(aoutKernel({ loadEnd: 0x100400, bssEnd: 0x100200 })))).toBe(
      'invalid Multiboot bss_end_addr 0x100200: below the end of the loaded bytes 0x100400',
    );
    expect(errorOf(() => prepare(aoutKernel({ size: 0x800, loadEnd: 0x101000 })))).toBe(
      'truncated: the Multiboot header asks for 4096 bytes from file offset 0x0, the file is ' +
        '2048 bytes',
    );
  });
});

describe('ELF loading', () => {
  const text = Uint8Array.from({ length: 0x300 }, (_, i) => i & 0xff);
  const data = Uint8Array.from({ length: 0x80 }, () => 0xdd);

  it('loads PT_LOAD segments at their physical addresses, zero-filling gaps and bss', () => {
    const kernel = fakeElf({
      entry: 0x200010,
      prefix: multibootHeaderBytes(3),
      segments: [
        { paddr: 0x200000, bytes: text, flags: 5 },
        { paddr: 0x202000, bytes: data, memSize: 0x1000, flags: 6 },
      ],
    });
    const boot = prepare(kernel);
    expect(boot).toMatchObject({ format: 'elf', loadAddr: 0x200000, entryAddr: 0x200010 });
    const bytes = boot.image.bytes;
    expect([...bytes.subarray(0, 0x300)]).toEqual([...text]);
    expect(bytes.subarray(0x300, 0x2000).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(0x2000, 0x2080).every((b) => b === 0xdd)).toBe(true);
    expect(bytes.subarray(0x2080, 0x3000).every((b) => b === 0)).toBe(true);
    // The module list comes after the kernel's memory image, page-aligned.
    expect(u32(boot.info.bytes, MULTIBOOT_INFO.MODS_ADDR)).toBe(0x203000);
  });

  it('translates a virtual entry point through its executable segment', () => {
    const kernel = fakeElf({
      entry: 0xc0100020,
      prefix: multibootHeaderBytes(3),
      segments: [{ paddr: 0x100000, vaddr: 0xc0100000, bytes: text, flags: 5 }],
    });
    expect(prepare(kernel).entryAddr).toBe(0x100020);
  });

  it('refuses what it cannot load', () => {
    const header = multibootHeaderBytes(3);
    const raw = new Uint8Array(0x400);
    raw.set(header, 0x10);
    expect(errorOf(() => prepare(raw))).toBe(
      'the Multiboot header at 0x10 has no load addresses (flag 16, the a.out kludge, is clear) ' +
        'and the file is not ELF',
    );
    const segments = [{ paddr: 0x100000, bytes: text }];
    expect(
      errorOf(() => prepare(fakeElf({ entry: 0, prefix: header, segments, elfClass: 2 }))),
    ).toBe('a 64-bit ELF kernel: tsemu loads 32-bit (ELFCLASS32) kernels');
    expect(
      errorOf(() => prepare(fakeElf({ entry: 0, prefix: header, segments, machine: 40 }))),
    ).toBe('an ELF file for machine 40, not i386 (EM_386 = 3)');
    const truncated = fakeElf({ entry: 0, prefix: header, segments }).subarray(0, 0x200);
    expect(errorOf(() => prepare(truncated))).toMatch(
      /^truncated: ELF segment 0 needs file bytes up to 0x[0-9a-f]+, the file is 512 bytes$/,
    );
  });
});

describe('the information structure and the modules', () => {
  const kernel = aoutKernel({ size: 0x1800 });
  const modules = [
    { commandLine: 'mod1.txt arg', bytes: new TextEncoder().encode('hello from module\n') },
    { commandLine: 'mod1.txt  two,commas', bytes: new Uint8Array(0x1001).fill(7) },
  ];
  const boot = prepare(kernel, {
    kernelName: 'k.elf',
    cmdline: 'hello world',
    modules,
    belowFourGig: 128 * MiB,
  });
  const info = boot.info.bytes;
  const image = boot.image.bytes;
  const at = (addr: number) => addr - boot.image.addr;

  it('lays out the buffer as QEMU 7.2 does (checked against its memory with `xp`)', () => {
    // Kernel 0x1800 bytes -> module list at the next page, then the command lines
    // (modules first, then the kernel's), the loader name, and the page-aligned modules.
    expect(u32(info, MULTIBOOT_INFO.MODS_ADDR)).toBe(0x102000);
    expect(u32(info, MULTIBOOT_INFO.MODS_COUNT)).toBe(2);
    expect(u32(info, MULTIBOOT_INFO.CMDLINE)).toBe(0x102042);
    // (QEMU sizes that area from the -initrd string, where the comma inside a command line
    // was doubled: one byte more than the strings need.)
    expect(u32(info, MULTIBOOT_INFO.BOOT_LOADER_NAME)).toBe(0x102055);
    expect(cString(image, at(0x102055))).toBe('tsemu');
    expect(boot.modules).toEqual([
      { start: 0x103000, end: 0x103012, commandLine: 'mod1.txt arg' },
      { start: 0x104000, end: 0x105001, commandLine: 'mod1.txt  two,commas' },
    ]);
    expect(image.length).toBe(0x6000);
  });

  it('describes each module: start, end and its command line', () => {
    const list = at(0x102000);
    expect([u32(image, list), u32(image, list + 4)]).toEqual([0x103000, 0x103012]);
    expect(cString(image, at(u32(image, list + 8)))).toBe('mod1.txt arg');
    expect([u32(image, list + 16), u32(image, list + 20)]).toEqual([0x104000, 0x105001]);
    expect(cString(image, at(u32(image, list + 24)))).toBe('mod1.txt  two,commas');
    expect(cString(image, at(0x103000))).toBe('hello from module\n');
  });

  it("gives the kernel its file name and -append, the machine's memory and map", () => {
    expect(u32(info, MULTIBOOT_INFO.FLAGS)).toBe(0x24f);
    expect(cString(image, at(u32(info, MULTIBOOT_INFO.CMDLINE)))).toBe('k.elf hello world');
    expect(u32(info, MULTIBOOT_INFO.MEM_LOWER)).toBe(639);
    expect(u32(info, MULTIBOOT_INFO.MEM_UPPER)).toBe(127 * 1024);
    expect(u32(info, MULTIBOOT_INFO.BOOT_DEVICE)).toBe(0x8000ffff);
    expect(u32(info, MULTIBOOT_INFO.MMAP_ADDR)).toBe(MULTIBOOT_MMAP_ADDR);
    expect(u32(info, MULTIBOOT_INFO.MMAP_LENGTH)).toBe(4 * 24);
    expect(boot.info.addr).toBe(MULTIBOOT_INFO_ADDR);
    const mmap = boot.mmap.bytes;
    const entries = [0, 1, 2, 3].map((i) => {
      const v = new DataView(mmap.buffer, i * 24);
      return [
        v.getUint32(0, true),
        Number(v.getBigUint64(4, true)),
        Number(v.getBigUint64(12, true)),
        v.getUint32(20, true),
      ];
    });
    expect(entries).toEqual([
      [20, 0, 0x9fc00, 1],
      [20, 0x9fc00, 0x400, 2],
      [20, 0xf0000, 0x10000, 2],
      [20, 0x100000, 127 * MiB, 1],
    ]);
  });

  it('enters with the magic in EAX and the structure in EBX, in flat protected mode', () => {
    const e = boot.entry;
    expect(e.eip).toBe(0x100040);
    expect(e.regs).toMatchObject({ eax: 0x2badb002, ebx: MULTIBOOT_INFO_ADDR });
    expect(e.cs).toMatchObject({ selector: 0x08, base: 0, limit: 0xffffffff });
    expect(e.ss).toMatchObject({ selector: 0x10, base: 0, limit: 0xffffffff });
    expect(e.eflags & 0x200).toBe(0);
    expect(e.cr0 & 0x80000001).toBe(1);
    const gdt = boot.regions.find((r) => r.name === 'GDT')!;
    expect(e.gdt).toEqual({ base: gdt.addr, limit: 0x17 });
  });

  it("hands QEMU's multiboot option ROM the same bytes through fw_cfg", () => {
    const fwCfg = new FwCfg();
    addMultibootFwCfgItems(fwCfg, boot);
    expect(u32(fwCfg.getBytes(FW_CFG_KERNEL_ENTRY)!, 0)).toBe(0x100040);
    expect(u32(fwCfg.getBytes(FW_CFG_KERNEL_ADDR)!, 0)).toBe(0x100000);
    expect(u32(fwCfg.getBytes(FW_CFG_KERNEL_SIZE)!, 0)).toBe(0x6000);
    expect(fwCfg.getBytes(FW_CFG_KERNEL_DATA)).toBe(image);
    expect(u32(fwCfg.getBytes(FW_CFG_INITRD_ADDR)!, 0)).toBe(0x9500);
    expect(fwCfg.getBytes(FW_CFG_INITRD_DATA)).toBe(info);
  });
});

describe('placement checks', () => {
  it('refuses a kernel that does not fit in RAM', () => {
    expect(errorOf(() => prepare(aoutKernel({ loadAddr: 0x1fff000 })))).toBe(
      'the Multiboot image (0x1fff000-0x2001000) does not fit in RAM below ' +
        '0x2000000: give the machine more memory with -m',
    );
  });

  it("refuses a kernel that loads over the loader's structures", () => {
    expect(errorOf(() => prepare(aoutKernel({ loadAddr: 0x8000 })))).toBe(
      'the Multiboot memory map at 0x9000 overlaps the Multiboot image (0x8000-0xa000)',
    );
  });

  it('warns about a video mode request and carries on, as QEMU does', () => {
    expect(prepare(aoutKernel({ flags: 4 })).warnings).toEqual([
      'the Multiboot kernel asks for a video mode, which tsemu does not set',
    ]);
  });

  it('uses the e820 table it is given and writes every region with loadMultiboot', () => {
    const writes: number[] = [];
    const boot = loadMultiboot(
      { write: (addr) => writes.push(addr) },
      {
        kernel: aoutKernel({}),
        kernelName: 'k',
        cmdline: '',
        belowFourGig: 64 * MiB,
        e820: pcE820Table({ belowFourGig: 64 * MiB, aboveFourGig: 64 * MiB }),
      },
    );
    expect(writes).toEqual(boot.regions.map((r) => r.addr));
    expect(u32(boot.info.bytes, MULTIBOOT_INFO.MMAP_LENGTH)).toBe(5 * 24);
  });
});
