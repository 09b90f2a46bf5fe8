/**
 * Where QEMU's x86_load_linux puts a bzImage's pieces, and how it fills the setup header:
 * shared by the firmware path (SeaBIOS runs the linuxboot option ROM, which copies what
 * fw_cfg holds) and tsemu's BIOS-less path, so both give the kernel the same addresses.
 */
import type { LinuxBootItems } from '../fw_cfg/pc-fw-cfg.js';
import { KernelImageError } from './kernel-image-error.js';
import {
  CAN_USE_HEAP,
  LINUX_HDR,
  type LinuxSetupHeader,
  parseLinuxHeader,
  XLF_CAN_BE_LOADED_ABOVE_4G,
} from './linux-header.js';
import { alignDown, byteCount, hex, PAGE_SIZE } from './util.js';

/** The real-mode setup code (and, in the BIOS-less path, the zero page) for protocol 2.02+. */
export const LINUX_SETUP_ADDR = 0x10000;
/** The command line (QEMU's cmdline_addr for protocol 2.02+). */
export const LINUX_CMDLINE_ADDR = 0x20000;
/** The protected-mode kernel of a bzImage. */
export const LINUX_KERNEL_ADDR = 0x100000;
/**
 * What QEMU's pc machine keeps free at the top of low RAM for the ACPI tables the firmware
 * builds (pcmc->acpi_data_size): the initrd goes below it.
 */
export const ACPI_DATA_SIZE = 0x20000 + 0x8000;
/** The linuxboot ROM's type_of_loader: QEMU's ID 0xB, revision 0. */
export const QEMU_LOADER_TYPE = 0xb0;

/** The highest address an initrd byte may occupy, as QEMU computes it. */
export function linuxInitrdMax(header: LinuxSetupHeader, belowFourGig: number): number {
  const fromKernel =
    header.protocol >= 0x20c && header.xloadFlags & XLF_CAN_BE_LOADED_ABOVE_4G
      ? 0xffffffff
      : header.initrdAddrMax;
  const ramLimit = belowFourGig - ACPI_DATA_SIZE;
  return fromKernel >= ramLimit ? ramLimit - 1 : fromKernel;
}

/**
 * Where the initrd goes: as high as {@link linuxInitrdMax} allows, page-aligned down (QEMU's
 * `(initrd_max - initrd_size) & ~4095`). Throws when it does not fit.
 */
export function linuxInitrdAddress(
  header: LinuxSetupHeader,
  initrdSize: number,
  belowFourGig: number,
): number {
  const max = linuxInitrdMax(header, belowFourGig);
  if (initrdSize >= max) {
    throw new KernelImageError(
      `the initrd is ${byteCount(initrdSize)}, too large for this machine: it must end below ` +
        `${hex(max + 1)} (give more memory with -m)`,
    );
  }
  return alignDown(max - initrdSize, PAGE_SIZE);
}

/**
 * The video mode a `vga=` option on the command line asks for (QEMU reads it for the
 * header's vid_mode, as boot.rst asks a loader to): `normal`, `ext`, `ask` or a number in
 * C notation. Undefined when the command line has no `vga=`.
 */
export function linuxVideoMode(cmdline: string): number | undefined {
  const at = cmdline.indexOf('vga=');
  if (at < 0) return undefined;
  const value = cmdline.slice(at + 4).split(' ')[0];
  if (value.startsWith('normal')) return 0xffff;
  if (value.startsWith('ext')) return 0xfffe;
  if (value.startsWith('ask')) return 0xfffd;
  let mode = Number.NaN;
  if (/^0[xX][0-9a-fA-F]+$/.test(value)) mode = Number.parseInt(value.slice(2), 16);
  else if (/^0[0-7]*$/.test(value)) mode = Number.parseInt(value, 8);
  else if (/^[1-9][0-9]*$/.test(value)) mode = Number.parseInt(value, 10);
  if (!(mode <= 0xffff)) {
    throw new KernelImageError(`invalid 'vga=' kernel parameter "${value}"`);
  }
  return mode;
}

/** The checks both paths make on the command line. */
export function checkLinuxCmdline(header: LinuxSetupHeader, cmdline: string): Uint8Array {
  const bytes = new TextEncoder().encode(cmdline);
  if (bytes.length > header.cmdlineSize) {
    throw new KernelImageError(
      `the kernel command line is ${bytes.length} bytes, this kernel takes at most ` +
        `${header.cmdlineSize} (its cmdline_size)`,
    );
  }
  return bytes;
}

/** What a loader writes into the setup header (a copy of the image's, in boot_params or setup). */
export interface SetupHeaderFields {
  cmdlineAddr: number;
  /** Where the protected-mode kernel was loaded (a relocating loader sets it); kept when undefined. */
  code32Start?: number;
  initrdAddr?: number;
  initrdSize?: number;
  /** From {@link linuxVideoMode}; the image's vid_mode is kept when undefined. */
  videoMode?: number;
  /** The real-mode heap's end, as an offset from the setup code (firmware path only). */
  heapEndPtr?: number;
}

/**
 * Fill the loader's fields of a setup header held in `bytes` (the image's first sectors,
 * or a zero page: the header sits at the same offsets in both).
 */
export function writeSetupHeaderFields(bytes: Uint8Array, fields: SetupHeaderFields): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(LINUX_HDR.CMD_LINE_PTR, fields.cmdlineAddr, true);
  if (fields.code32Start !== undefined)
    view.setUint32(LINUX_HDR.CODE32_START, fields.code32Start, true);
  if (fields.videoMode !== undefined) view.setUint16(LINUX_HDR.VID_MODE, fields.videoMode, true);
  bytes[LINUX_HDR.TYPE_OF_LOADER] = QEMU_LOADER_TYPE;
  if (fields.heapEndPtr !== undefined) {
    bytes[LINUX_HDR.LOADFLAGS] |= CAN_USE_HEAP;
    view.setUint16(LINUX_HDR.HEAP_END_PTR, fields.heapEndPtr, true);
  }
  if (fields.initrdAddr !== undefined) {
    view.setUint32(LINUX_HDR.RAMDISK_IMAGE, fields.initrdAddr, true);
    view.setUint32(LINUX_HDR.RAMDISK_SIZE, fields.initrdSize ?? 0, true);
  }
}

export interface LinuxBootItemsOptions {
  /** The bzImage. */
  kernel: Uint8Array;
  initrd?: Uint8Array;
  /** `-append`. */
  cmdline: string;
  /** RAM below the PCI hole, in bytes. */
  belowFourGig: number;
}

/**
 * What QEMU's x86_load_linux hands the linuxboot option ROM through fw_cfg, for
 * `addLinuxBootItems`: the setup sectors with the header filled in (command line at
 * 0x20000, the heap up to it, type_of_loader 0xb0, the initrd's place and size), the
 * protected-mode kernel for 0x100000, and the initrd at the top of low RAM.
 */
export function linuxBootItems(options: LinuxBootItemsOptions): LinuxBootItems {
  const header = parseLinuxHeader(options.kernel);
  checkLinuxCmdline(header, options.cmdline);
  const setup = options.kernel.slice(0, header.setupSize);
  const initrdAddr =
    options.initrd && linuxInitrdAddress(header, options.initrd.length, options.belowFourGig);
  writeSetupHeaderFields(setup, {
    cmdlineAddr: LINUX_CMDLINE_ADDR,
    videoMode: linuxVideoMode(options.cmdline),
    heapEndPtr: LINUX_CMDLINE_ADDR - LINUX_SETUP_ADDR - 0x200,
    initrdAddr,
    initrdSize: options.initrd?.length,
  });
  return {
    setupAddr: LINUX_SETUP_ADDR,
    setup,
    kernelAddr: LINUX_KERNEL_ADDR,
    kernel: options.kernel.subarray(header.setupSize),
    cmdlineAddr: LINUX_CMDLINE_ADDR,
    cmdline: options.cmdline,
    ...(options.initrd && initrdAddr !== undefined ? { initrdAddr, initrd: options.initrd } : {}),
  };
}
