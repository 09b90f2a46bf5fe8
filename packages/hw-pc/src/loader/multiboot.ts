/**
 * Loading a Multiboot v1 kernel as QEMU's hw/i386/multiboot.c does: the kernel by its ELF
 * program headers or by the header's a.out kludge fields, then in one buffer after it
 * (each part page-aligned) the module list, the command lines, the boot loader's name and
 * the modules; the 88-byte Multiboot information structure at 0x9500 and the memory map at
 * 0x9000. QEMU hands those bytes to SeaBIOS's multiboot option ROM through fw_cfg
 * ({@link addMultibootFwCfgItems}); the BIOS-less path writes them itself and starts the
 * kernel in flat protected mode with EAX = 0x2BADB002 and EBX = the information structure.
 */
import { type E820Table, pcE820Table } from '../fw_cfg/e820.js';
import type { FwCfg } from '../fw_cfg/fw-cfg.js';
import {
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_INITRD_SIZE,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_ENTRY,
  FW_CFG_KERNEL_SIZE,
} from '../fw_cfg/fw-cfg-keys.js';
import { biosE820Table, conventionalMemoryKib, extendedMemoryKib } from './bios-e820.js';
import { type EntryState, flatGdt, flatProtectedModeEntry } from './entry-state.js';
import { KernelImageError } from './kernel-image-error.js';
import {
  checkRegions,
  type LoadRegion,
  type PhysicalMemoryWriter,
  writeLoadRegions,
} from './load-region.js';
import {
  MULTIBOOT_BOOTLOADER_MAGIC,
  MULTIBOOT_HEADER_MAGIC,
  MULTIBOOT_VIDEO_MODE,
  type MultibootHeader,
  scanMultibootHeader,
} from './multiboot-header.js';
import { loadMultibootKernel } from './multiboot-kernel.js';
import { alignUp, hex, PAGE_SIZE } from './util.js';

/** Where the memory map goes (QEMU's ADDR_E820_MAP, MULTIBOOT_STRUCT_ADDR). */
export const MULTIBOOT_MMAP_ADDR = 0x9000;
/** Where the information structure goes (QEMU's ADDR_MBI). */
export const MULTIBOOT_INFO_ADDR = MULTIBOOT_MMAP_ADDR + 0x500;
/** The BIOS-less path's GDT, after the information structure. */
export const MULTIBOOT_GDT_ADDR = MULTIBOOT_INFO_ADDR + 0x100;
/** The selectors of the multiboot option ROM's GDT: flat code 0x08, flat data 0x10. */
export const MULTIBOOT_CS = 0x08;
export const MULTIBOOT_DS = 0x10;
/** The boot loader name in the information structure. */
export const MULTIBOOT_LOADER_NAME = 'tsemu';

/** Offsets in the Multiboot information structure. */
export const MULTIBOOT_INFO = {
  FLAGS: 0,
  MEM_LOWER: 4,
  MEM_UPPER: 8,
  BOOT_DEVICE: 12,
  CMDLINE: 16,
  MODS_COUNT: 20,
  MODS_ADDR: 24,
  MMAP_LENGTH: 44,
  MMAP_ADDR: 48,
  BOOT_LOADER_NAME: 64,
} as const;
/** The structure's size as QEMU passes it (up to the VBE fields). */
export const MULTIBOOT_INFO_SIZE = 88;
/** The information structure's flags: which fields are valid. */
export const MULTIBOOT_INFO_MEMORY = 1 << 0;
export const MULTIBOOT_INFO_BOOT_DEVICE = 1 << 1;
export const MULTIBOOT_INFO_CMDLINE = 1 << 2;
export const MULTIBOOT_INFO_MODS = 1 << 3;
export const MULTIBOOT_INFO_MEM_MAP = 1 << 6;
export const MULTIBOOT_INFO_BOOT_LOADER_NAME = 1 << 9;
/** boot_device: BIOS drive 0x80 (the first hard disk), no partition, as QEMU says. */
export const MULTIBOOT_BOOT_DEVICE = 0x8000ffff;
/** One module entry: mod_start, mod_end, string, reserved. */
export const MULTIBOOT_MODULE_SIZE = 16;
/** One memory map entry: size (of the rest: 20), base_addr, length, type. */
export const MULTIBOOT_MMAP_ENTRY_SIZE = 24;
/** The room QEMU leaves for the map, between 0x9000 and the information structure. */
const MMAP_CAPACITY = MULTIBOOT_INFO_ADDR - MULTIBOOT_MMAP_ADDR;

/** A module's bytes and the command line it is given (its file name first, as QEMU does). */
export interface MultibootModule {
  readonly commandLine: string;
  readonly bytes: Uint8Array;
}

export interface MultibootOptions {
  /** The kernel file. */
  kernel: Uint8Array;
  /** Its name as given to `-kernel`: the command line the kernel sees starts with it. */
  kernelName: string;
  /** `-append`. */
  cmdline: string;
  /** From `-initrd` (see parseMultibootModuleList). */
  modules?: readonly MultibootModule[];
  /** RAM below the PCI hole, and above 4 GiB, in bytes. */
  belowFourGig: number;
  aboveFourGig?: number;
  /** The machine's e820 table (fw_cfg's etc/e820); default pcE820Table(...). */
  e820?: E820Table;
}

/** Where a module landed. */
export interface LoadedMultibootModule {
  readonly start: number;
  readonly end: number;
  readonly commandLine: string;
}

export interface MultibootBoot {
  readonly header: MultibootHeader;
  /** How the kernel was loaded: by ELF program headers, or by the a.out kludge fields. */
  readonly format: 'elf' | 'aout';
  readonly loadAddr: number;
  readonly entryAddr: number;
  /** QEMU's mb_buf at loadAddr: kernel, module list, command lines, loader name, modules. */
  readonly image: LoadRegion;
  /** The information structure at 0x9500. */
  readonly info: LoadRegion;
  /** The memory map at 0x9000 (with SeaBIOS, the option ROM builds it from INT 15h E820). */
  readonly mmap: LoadRegion;
  /** image, mmap, info and the GDT: what the BIOS-less path writes. */
  readonly regions: readonly LoadRegion[];
  readonly modules: readonly LoadedMultibootModule[];
  /** EIP = the entry, EAX = 0x2BADB002, EBX = 0x9500, flat CS 0x08 and data 0x10. */
  readonly entry: EntryState;
  /** What QEMU would print and carry on after (a video mode request). */
  readonly warnings: readonly string[];
}

/** The memory map as Multiboot lays it out: each entry preceded by its size (20). */
function multibootMmap(map: E820Table): Uint8Array {
  const entries = map.entries;
  const bytes = new Uint8Array(entries.length * MULTIBOOT_MMAP_ENTRY_SIZE);
  if (bytes.length > MMAP_CAPACITY) {
    throw new KernelImageError(
      `the memory map has ${entries.length} entries, more than fit at ${hex(MULTIBOOT_MMAP_ADDR)}`,
    );
  }
  const view = new DataView(bytes.buffer);
  entries.forEach((e, i) => {
    const at = i * MULTIBOOT_MMAP_ENTRY_SIZE;
    view.setUint32(at, MULTIBOOT_MMAP_ENTRY_SIZE - 4, true);
    view.setBigUint64(at + 4, BigInt(e.address), true);
    view.setBigUint64(at + 12, BigInt(e.length), true);
    view.setUint32(at + 20, e.type, true);
  });
  return bytes;
}

const utf8 = new TextEncoder();

/** Lay out a Multiboot kernel, its modules and the information structure, without writing memory. */
export function prepareMultibootBoot(options: MultibootOptions): MultibootBoot {
  const { kernel: file, belowFourGig } = options;
  const scan = scanMultibootHeader(file);
  const header = scan.header;
  if (!header) {
    const bad = scan.badChecksumAt.length
      ? `: the magic ${hex(MULTIBOOT_HEADER_MAGIC)} at offset ${hex(scan.badChecksumAt[0])} ` +
        'has a bad checksum (magic + flags + checksum must be 0)'
      : '';
    throw new KernelImageError(`no Multiboot header in the first 8 KiB${bad}`);
  }
  const warnings: string[] = [];
  if (header.flags & MULTIBOOT_VIDEO_MODE) {
    warnings.push('the Multiboot kernel asks for a video mode, which tsemu does not set');
  }
  const kernel = loadMultibootKernel(file, header);

  // QEMU's mb_buf: [kernel | module list | command lines | loader name], then the modules.
  const modules = options.modules ?? [];
  const moduleLines = modules.map((m) => utf8.encode(m.commandLine));
  const kernelLine = utf8.encode(`${options.kernelName} ${options.cmdline}`);
  const loaderName = utf8.encode(MULTIBOOT_LOADER_NAME);
  const modListOffset = alignUp(kernel.bytes.length, PAGE_SIZE);
  const linesOffset = modListOffset + modules.length * MULTIBOOT_MODULE_SIZE;
  // QEMU sizes the command line area from the -initrd string, where each comma inside a
  // module's command line is doubled: keep its layout byte for byte.
  const escapedCommas = modules.reduce((n, m) => n + m.commandLine.split(',').length - 1, 0);
  const linesLength =
    [...moduleLines, kernelLine].reduce((n, l) => n + l.length + 1, 0) + escapedCommas;
  const loaderNameOffset = linesOffset + linesLength;
  let size = alignUp(loaderNameOffset + loaderName.length + 1, PAGE_SIZE);
  const moduleOffsets = modules.map((m) => {
    const at = size;
    size = alignUp(at + m.bytes.length, PAGE_SIZE);
    return at;
  });
  if (kernel.loadAddr + size > 2 ** 32) {
    throw new KernelImageError('the Multiboot kernel and its modules do not fit below 4 GiB');
  }

  const buffer = new Uint8Array(size);
  const view = new DataView(buffer.buffer);
  buffer.set(kernel.bytes, 0);
  const phys = (offset: number) => kernel.loadAddr + offset;
  let lineAt = linesOffset;
  const putLine = (line: Uint8Array): number => {
    buffer.set(line, lineAt);
    const addr = phys(lineAt);
    lineAt += line.length + 1;
    return addr;
  };
  const loaded: LoadedMultibootModule[] = modules.map((m, i) => {
    const start = phys(moduleOffsets[i]);
    const end = start + m.bytes.length;
    buffer.set(m.bytes, moduleOffsets[i]);
    const entry = modListOffset + i * MULTIBOOT_MODULE_SIZE;
    view.setUint32(entry, start, true);
    view.setUint32(entry + 4, end, true);
    view.setUint32(entry + 8, putLine(moduleLines[i]), true);
    return { start, end, commandLine: m.commandLine };
  });
  const cmdlineAddr = putLine(kernelLine);
  buffer.set(loaderName, loaderNameOffset);

  const machineMap =
    options.e820 ?? pcE820Table({ belowFourGig, aboveFourGig: options.aboveFourGig });
  const map = biosE820Table(machineMap);
  const mmap = multibootMmap(map);
  const info = new Uint8Array(MULTIBOOT_INFO_SIZE);
  const infoView = new DataView(info.buffer);
  const set = (offset: number, value: number) => infoView.setUint32(offset, value >>> 0, true);
  set(
    MULTIBOOT_INFO.FLAGS,
    MULTIBOOT_INFO_MEMORY |
      MULTIBOOT_INFO_BOOT_DEVICE |
      MULTIBOOT_INFO_CMDLINE |
      MULTIBOOT_INFO_MODS |
      MULTIBOOT_INFO_MEM_MAP |
      MULTIBOOT_INFO_BOOT_LOADER_NAME,
  );
  set(MULTIBOOT_INFO.MEM_LOWER, conventionalMemoryKib(map));
  set(MULTIBOOT_INFO.MEM_UPPER, extendedMemoryKib(map));
  set(MULTIBOOT_INFO.BOOT_DEVICE, MULTIBOOT_BOOT_DEVICE);
  set(MULTIBOOT_INFO.CMDLINE, cmdlineAddr);
  set(MULTIBOOT_INFO.MODS_COUNT, modules.length);
  set(MULTIBOOT_INFO.MODS_ADDR, phys(modListOffset));
  set(MULTIBOOT_INFO.MMAP_LENGTH, mmap.length);
  set(MULTIBOOT_INFO.MMAP_ADDR, MULTIBOOT_MMAP_ADDR);
  set(MULTIBOOT_INFO.BOOT_LOADER_NAME, phys(loaderNameOffset));

  const image: LoadRegion = {
    name: 'Multiboot image',
    addr: kernel.loadAddr,
    bytes: buffer,
  };
  const infoRegion: LoadRegion = {
    name: 'Multiboot information',
    addr: MULTIBOOT_INFO_ADDR,
    bytes: info,
  };
  const mmapRegion: LoadRegion = {
    name: 'Multiboot memory map',
    addr: MULTIBOOT_MMAP_ADDR,
    bytes: mmap,
  };
  const gdt = flatGdt(MULTIBOOT_GDT_ADDR, MULTIBOOT_CS, MULTIBOOT_DS);
  const regions = [image, mmapRegion, infoRegion, gdt.region];
  checkRegions(regions, belowFourGig);
  const entry = flatProtectedModeEntry(gdt, kernel.entryAddr, {
    eax: MULTIBOOT_BOOTLOADER_MAGIC,
    ebx: MULTIBOOT_INFO_ADDR,
    // The spec leaves ESP undefined; a stack below the loader's structures costs nothing.
    esp: MULTIBOOT_MMAP_ADDR,
  });
  return {
    header,
    format: kernel.format,
    loadAddr: kernel.loadAddr,
    entryAddr: kernel.entryAddr,
    image,
    info: infoRegion,
    mmap: mmapRegion,
    regions,
    modules: loaded,
    entry,
    warnings,
  };
}

/** {@link prepareMultibootBoot}, then write its regions into guest memory. */
export function loadMultiboot(
  memory: PhysicalMemoryWriter,
  options: MultibootOptions,
): MultibootBoot {
  const boot = prepareMultibootBoot(options);
  writeLoadRegions(memory, boot.regions);
  return boot;
}

/**
 * What QEMU's load_multiboot gives SeaBIOS's multiboot option ROM (multiboot_dma.bin)
 * through fw_cfg: the entry point, the kernel buffer (KERNEL_*) and the information
 * structure (INITRD_*). The ROM fills mem_lower, mem_upper and the memory map from the
 * BIOS, loads both, and jumps with EAX = 0x2BADB002 and EBX = the structure.
 */
export function addMultibootFwCfgItems(fwCfg: FwCfg, boot: MultibootBoot): void {
  fwCfg.addI32(FW_CFG_KERNEL_ENTRY, boot.entryAddr);
  fwCfg.addI32(FW_CFG_KERNEL_ADDR, boot.image.addr);
  fwCfg.addI32(FW_CFG_KERNEL_SIZE, boot.image.bytes.length);
  fwCfg.addBytes(FW_CFG_KERNEL_DATA, boot.image.bytes);
  fwCfg.addI32(FW_CFG_INITRD_ADDR, boot.info.addr);
  fwCfg.addI32(FW_CFG_INITRD_SIZE, boot.info.bytes.length);
  fwCfg.addBytes(FW_CFG_INITRD_DATA, boot.info.bytes);
}
