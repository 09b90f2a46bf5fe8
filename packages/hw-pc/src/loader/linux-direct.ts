/**
 * The BIOS-less fast path for a Linux bzImage: what a boot loader does before it jumps to
 * the kernel's 32-bit entry point (Documentation/arch/x86/boot.rst, "32-bit Boot Protocol"),
 * done by the emulator in place of SeaBIOS and the linuxboot option ROM. The protected-mode
 * kernel goes to 0x100000, the initrd and the command line where QEMU puts them, a zero
 * page with the setup header, screen_info, memory sizes and the e820 map at 0x10000, and a
 * GDT with the flat __BOOT_CS (0x10) and __BOOT_DS (0x18) the protocol asks for. The kernel
 * starts at its load address, 0x100000, which the zero page's code32_start also holds.
 */
import { type E820Table, pcE820Table } from '../fw_cfg/e820.js';
import { biosE820Table, extendedMemoryKib } from './bios-e820.js';
import { buildBootParams, type TextScreen, VGA_TEXT_80X25 } from './boot-params.js';
import { type EntryState, flatGdt, flatProtectedModeEntry } from './entry-state.js';
import { KernelImageError } from './kernel-image-error.js';
import {
  checkLinuxCmdline,
  LINUX_CMDLINE_ADDR,
  LINUX_KERNEL_ADDR,
  LINUX_SETUP_ADDR,
  linuxInitrdAddress,
  linuxVideoMode,
  writeSetupHeaderFields,
} from './linux-boot-layout.js';
import { type LinuxSetupHeader, parseLinuxHeader } from './linux-header.js';
import {
  checkRegions,
  type LoadRegion,
  type PhysicalMemoryWriter,
  writeLoadRegions,
} from './load-region.js';
import { alignUp, byteCount, hex } from './util.js';

/** struct boot_params, where the firmware path's setup code would be. */
export const LINUX_ZERO_PAGE_ADDR = LINUX_SETUP_ADDR;
/** The GDT, right after the zero page. */
export const LINUX_GDT_ADDR = LINUX_ZERO_PAGE_ADDR + 0x1000;
/** The boot protocol's selectors (__BOOT_CS, __BOOT_DS). */
export const LINUX_BOOT_CS = 0x10;
export const LINUX_BOOT_DS = 0x18;

export interface LinuxDirectOptions {
  /** The bzImage. */
  kernel: Uint8Array;
  /** `-initrd`. */
  initrd?: Uint8Array;
  /** `-append`. */
  cmdline: string;
  /** RAM below the PCI hole, and above 4 GiB, in bytes. */
  belowFourGig: number;
  aboveFourGig?: number;
  /**
   * The machine's e820 table, the one fw_cfg's `etc/e820` holds; default
   * pcE820Table({ belowFourGig, aboveFourGig }). The kernel gets its BIOS view
   * (biosE820Table).
   */
  e820?: E820Table;
  /** The console in screen_info: default 80x25 text; `null` for none. */
  screen?: TextScreen | null;
}

/** Everything the fast path places, and the CPU state that starts the kernel. */
export interface LinuxDirectBoot {
  readonly header: LinuxSetupHeader;
  /** The kernel, initrd, command line, zero page and GDT, for writeLoadRegions. */
  readonly regions: readonly LoadRegion[];
  /** EIP = code32_start, ESI = the zero page, flat CS 0x10 and DS/ES/FS/GS/SS 0x18. */
  readonly entry: EntryState;
  readonly zeroPageAddr: number;
  readonly cmdlineAddr: number;
  readonly kernelAddr: number;
  readonly initrdAddr: number | undefined;
  /** The map in the zero page. */
  readonly e820: E820Table;
  /** Where the kernel will decompress itself (protocol 2.10+): [start, end). */
  readonly decompressionArea: { start: number; end: number } | undefined;
}

/**
 * The memory a kernel decompresses itself into (boot.rst, init_size): from its runtime
 * start, which for a relocatable kernel is the load address aligned up to kernel_alignment
 * but not below pref_address (the kernel's LOAD_PHYSICAL_ADDR), and pref_address otherwise.
 */
export function linuxDecompressionArea(
  header: LinuxSetupHeader,
  loadAddr = LINUX_KERNEL_ADDR,
): { start: number; end: number } | undefined {
  if (header.protocol < 0x20a || header.initSize === 0) return undefined;
  let start = header.prefAddress;
  if (header.relocatable && header.kernelAlignment > 0) {
    start = Math.max(alignUp(loadAddr, header.kernelAlignment), header.prefAddress);
  }
  return { start, end: start + header.initSize };
}

/** Lay out a bzImage for the 32-bit boot protocol without touching memory. */
export function prepareLinuxDirectBoot(options: LinuxDirectOptions): LinuxDirectBoot {
  const { kernel: image, initrd, belowFourGig } = options;
  const header = parseLinuxHeader(image);
  const cmdline = checkLinuxCmdline(header, options.cmdline);

  const decompressionArea = linuxDecompressionArea(header);
  if (decompressionArea && decompressionArea.end > belowFourGig) {
    throw new KernelImageError(
      `the kernel decompresses itself into ${hex(decompressionArea.start)}-` +
        `${hex(decompressionArea.end)} (init_size ${byteCount(header.initSize)}), beyond the ` +
        `end of RAM at ${hex(belowFourGig)}: give the machine more memory with -m`,
    );
  }
  const kernel = image.subarray(header.setupSize);
  const initrdAddr = initrd && linuxInitrdAddress(header, initrd.length, belowFourGig);
  if (initrd && initrdAddr !== undefined) {
    // QEMU does not check this, and the kernel would overwrite its initrd while unpacking.
    const kernelEnd = Math.max(LINUX_KERNEL_ADDR + kernel.length, decompressionArea?.end ?? 0);
    if (initrdAddr < kernelEnd) {
      throw new KernelImageError(
        `the initrd (${byteCount(initrd.length)} at ${hex(initrdAddr)}) would overlap the ` +
          `kernel and the memory it decompresses into (${hex(LINUX_KERNEL_ADDR)}-` +
          `${hex(kernelEnd)}): give the machine more memory with -m`,
      );
    }
  }

  const machineMap =
    options.e820 ?? pcE820Table({ belowFourGig, aboveFourGig: options.aboveFourGig });
  const e820 = biosE820Table(machineMap);
  const zeroPage = buildBootParams({
    image,
    header,
    e820,
    extendedMemoryKib: extendedMemoryKib(e820),
    screen: options.screen === null ? undefined : (options.screen ?? VGA_TEXT_80X25),
  });
  writeSetupHeaderFields(zeroPage, {
    code32Start: LINUX_KERNEL_ADDR,
    cmdlineAddr: LINUX_CMDLINE_ADDR,
    videoMode: linuxVideoMode(options.cmdline),
    initrdAddr,
    initrdSize: initrd?.length,
  });

  const gdt = flatGdt(LINUX_GDT_ADDR, LINUX_BOOT_CS, LINUX_BOOT_DS);
  const cmdlineBytes = new Uint8Array(cmdline.length + 1);
  cmdlineBytes.set(cmdline);
  const regions: LoadRegion[] = [
    { name: 'kernel', addr: LINUX_KERNEL_ADDR, bytes: kernel },
    ...(initrd && initrdAddr !== undefined
      ? [{ name: 'initrd', addr: initrdAddr, bytes: initrd }]
      : []),
    { name: 'command line', addr: LINUX_CMDLINE_ADDR, bytes: cmdlineBytes },
    { name: 'zero page', addr: LINUX_ZERO_PAGE_ADDR, bytes: zeroPage },
    gdt.region,
  ];
  checkRegions(regions, belowFourGig);
  // boot.rst: ESI holds boot_params; EBP, EDI and EBX are zero. The protocol leaves ESP to
  // the kernel (startup_32 sets its own); a stack below the zero page costs nothing.
  const entry = flatProtectedModeEntry(gdt, LINUX_KERNEL_ADDR, {
    esi: LINUX_ZERO_PAGE_ADDR,
    esp: LINUX_ZERO_PAGE_ADDR,
  });
  return {
    header,
    regions,
    entry,
    zeroPageAddr: LINUX_ZERO_PAGE_ADDR,
    cmdlineAddr: LINUX_CMDLINE_ADDR,
    kernelAddr: LINUX_KERNEL_ADDR,
    initrdAddr,
    e820,
    decompressionArea,
  };
}

/**
 * {@link prepareLinuxDirectBoot}, then write its regions into guest memory. The caller
 * applies `entry` to the CPU after its reset (applyEntryState).
 */
export function loadLinuxDirect(
  memory: PhysicalMemoryWriter,
  options: LinuxDirectOptions,
): LinuxDirectBoot {
  const boot = prepareLinuxDirectBoot(options);
  writeLoadRegions(memory, boot.regions);
  return boot;
}
