/**
 * The Linux/x86 boot protocol's setup header (Documentation/arch/x86/boot.rst): the fields at
 * offset 0x1f1 of a bzImage that tell a loader where the protected-mode kernel starts, how
 * high an initrd may go, how long a command line may be and how much memory the kernel
 * needs to decompress itself.
 */
import { KernelImageError } from './kernel-image-error.js';
import { hex } from './util.js';

/** Offsets of the setup header fields in the image (and in struct boot_params). */
export const LINUX_HDR = {
  SETUP_SECTS: 0x1f1,
  ROOT_FLAGS: 0x1f2,
  SYSSIZE: 0x1f4,
  VID_MODE: 0x1fa,
  BOOT_FLAG: 0x1fe,
  JUMP: 0x200,
  HEADER: 0x202,
  VERSION: 0x206,
  KERNEL_VERSION: 0x20e,
  TYPE_OF_LOADER: 0x210,
  LOADFLAGS: 0x211,
  CODE32_START: 0x214,
  RAMDISK_IMAGE: 0x218,
  RAMDISK_SIZE: 0x21c,
  HEAP_END_PTR: 0x224,
  CMD_LINE_PTR: 0x228,
  INITRD_ADDR_MAX: 0x22c,
  KERNEL_ALIGNMENT: 0x230,
  RELOCATABLE_KERNEL: 0x234,
  MIN_ALIGNMENT: 0x235,
  XLOADFLAGS: 0x236,
  CMDLINE_SIZE: 0x238,
  PREF_ADDRESS: 0x258,
  INIT_SIZE: 0x260,
} as const;

/** "HdrS", the boot protocol signature at 0x202. */
export const LINUX_HDRS_MAGIC = 0x53726448;
/** The boot sector signature at 0x1fe. */
export const LINUX_BOOT_FLAG = 0xaa55;
/** loadflags: the protected-mode code is loaded at 0x100000 (a bzImage). */
export const LOADED_HIGH = 0x01;
/** loadflags: heap_end_ptr is valid (the real-mode setup may use a heap). */
export const CAN_USE_HEAP = 0x80;
/** xloadflags: kernel, boot_params, command line and initrd may live above 4 GiB. */
export const XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;
/** The oldest protocol tsemu loads: 2.02 brought cmd_line_ptr and the modern layout. */
export const MIN_LINUX_PROTOCOL = 0x202;
/** The last byte an initrd may occupy before protocol 2.03 made it a header field. */
const DEFAULT_INITRD_ADDR_MAX = 0x37ffffff;
/** The command line limit before protocol 2.06 made it a header field. */
const DEFAULT_CMDLINE_SIZE = 255;
/** struct boot_params has room for the setup header up to 0x290 (edd_mbr_sig_buffer). */
const SETUP_HEADER_LIMIT = 0x290;
const SECTOR = 512;

export interface LinuxSetupHeader {
  /** Boot protocol version, (major << 8) | minor: 0x020f for 2.15. */
  readonly protocol: number;
  /** Sectors of real-mode setup code after the boot sector (0 in the file means 4). */
  readonly setupSects: number;
  /** Bytes before the protected-mode kernel in the file: (setupSects + 1) * 512. */
  readonly setupSize: number;
  /** Bytes of protected-mode kernel (the rest of the file). */
  readonly kernelSize: number;
  /** The end of the setup header: 0x202 + the jump's displacement byte. */
  readonly headerEnd: number;
  readonly loadFlags: number;
  /** The 32-bit entry point; 0x100000 for a bzImage (boot loader hooks aside). */
  readonly code32Start: number;
  /** The highest address an initrd byte may occupy. */
  readonly initrdAddrMax: number;
  /** The longest command line the kernel takes, without its NUL. */
  readonly cmdlineSize: number;
  /** Protocol 2.05+: whether the protected-mode kernel may load anywhere kernelAlignment allows. */
  readonly relocatable: boolean;
  /** Protocol 2.05+: the alignment the kernel runs at (0 before). */
  readonly kernelAlignment: number;
  /** Protocol 2.12+ (0 before). */
  readonly xloadFlags: number;
  /** Protocol 2.10+: where the kernel prefers to run (0 before). */
  readonly prefAddress: number;
  /** Protocol 2.10+: memory the kernel needs from its runtime start to decompress (0 before). */
  readonly initSize: number;
  /** The kernel's version string ("6.1.0-50-686 (debian-kernel@...) #1 SMP ..."), when given. */
  readonly kernelVersion: string | undefined;
}

/** Whether `image` carries the Linux boot protocol signature ("HdrS" at 0x202). */
export function hasLinuxBootHeader(image: Uint8Array): boolean {
  return (
    image.length >= LINUX_HDR.HEADER + 4 &&
    new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(
      LINUX_HDR.HEADER,
      true,
    ) === LINUX_HDRS_MAGIC
  );
}

/** "2.15" from 0x020f. */
export function protocolName(protocol: number): string {
  return `${protocol >> 8}.${(protocol & 0xff).toString().padStart(2, '0')}`;
}

/**
 * Parse and check a bzImage's setup header. Throws a {@link KernelImageError} saying which
 * check failed: no signature, a protocol older than 2.02, a zImage (not loaded high), or a
 * file shorter than its header says.
 */
export function parseLinuxHeader(image: Uint8Array): LinuxSetupHeader {
  if (image.length < LINUX_HDR.HEADER + 4) {
    throw new KernelImageError(
      `not a Linux bzImage: the file is ${image.length} bytes, too short to hold the boot ` +
        `protocol header (its signature is at offset ${hex(LINUX_HDR.HEADER)})`,
    );
  }
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (!hasLinuxBootHeader(image)) {
    throw new KernelImageError(
      `not a Linux bzImage: no boot protocol signature "HdrS" at offset ${hex(LINUX_HDR.HEADER)}`,
    );
  }
  const bootFlag = view.getUint16(LINUX_HDR.BOOT_FLAG, true);
  if (bootFlag !== LINUX_BOOT_FLAG) {
    throw new KernelImageError(
      `not a Linux bzImage: boot sector signature ${hex(bootFlag)} at offset ` +
        `${hex(LINUX_HDR.BOOT_FLAG)}, expected ${hex(LINUX_BOOT_FLAG)}`,
    );
  }
  const protocol = view.getUint16(LINUX_HDR.VERSION, true);
  if (protocol < MIN_LINUX_PROTOCOL) {
    throw new KernelImageError(
      `Linux boot protocol ${protocolName(protocol)} is too old: tsemu loads ` +
        `${protocolName(MIN_LINUX_PROTOCOL)} and newer (Linux 2.4 and later)`,
    );
  }
  // The header's fields up to the newest we read must be in the file before we read them.
  const headerEnd = LINUX_HDR.HEADER + image[LINUX_HDR.JUMP + 1];
  const loadFlags = image[LINUX_HDR.LOADFLAGS];
  if ((loadFlags & LOADED_HIGH) === 0) {
    throw new KernelImageError(
      'a zImage (loadflags bit LOADED_HIGH clear): tsemu loads bzImage kernels only',
    );
  }
  const setupSects = image[LINUX_HDR.SETUP_SECTS] === 0 ? 4 : image[LINUX_HDR.SETUP_SECTS];
  const setupSize = (setupSects + 1) * SECTOR;
  if (headerEnd > SETUP_HEADER_LIMIT || headerEnd > setupSize) {
    throw new KernelImageError(
      `not a Linux bzImage: the setup header would end at ${hex(headerEnd)} (from the jump at ` +
        `${hex(LINUX_HDR.JUMP)}), past ${hex(Math.min(SETUP_HEADER_LIMIT, setupSize))}`,
    );
  }
  if (image.length <= setupSize) {
    throw new KernelImageError(
      `truncated: the setup code is ${setupSects} sectors (${setupSize} bytes) and the file ` +
        `is ${image.length} bytes, leaving no protected-mode kernel`,
    );
  }
  const field = (offset: number, size: 1 | 2 | 4 | 8, since: number): number => {
    if (protocol < since || offset + size > headerEnd) return 0;
    if (size === 1) return image[offset];
    if (size === 2) return view.getUint16(offset, true);
    if (size === 4) return view.getUint32(offset, true);
    return Number(view.getBigUint64(offset, true));
  };
  if (protocol >= 0x204) {
    const syssize = field(LINUX_HDR.SYSSIZE, 4, 0x204);
    const expected = setupSize + syssize * 16;
    if (image.length < expected) {
      throw new KernelImageError(
        `truncated: the header says ${expected} bytes (setup ${setupSize} + kernel ` +
          `${syssize * 16}), the file is ${image.length}`,
      );
    }
  }
  const versionPointer = view.getUint16(LINUX_HDR.KERNEL_VERSION, true);
  return {
    protocol,
    setupSects,
    setupSize,
    kernelSize: image.length - setupSize,
    headerEnd,
    loadFlags,
    code32Start: field(LINUX_HDR.CODE32_START, 4, 0x200),
    initrdAddrMax:
      protocol >= 0x203 ? field(LINUX_HDR.INITRD_ADDR_MAX, 4, 0x203) : DEFAULT_INITRD_ADDR_MAX,
    cmdlineSize: protocol >= 0x206 ? field(LINUX_HDR.CMDLINE_SIZE, 4, 0x206) : DEFAULT_CMDLINE_SIZE,
    relocatable: field(LINUX_HDR.RELOCATABLE_KERNEL, 1, 0x205) !== 0,
    kernelAlignment: field(LINUX_HDR.KERNEL_ALIGNMENT, 4, 0x205),
    xloadFlags: field(LINUX_HDR.XLOADFLAGS, 2, 0x20c),
    prefAddress: field(LINUX_HDR.PREF_ADDRESS, 8, 0x20a),
    initSize: field(LINUX_HDR.INIT_SIZE, 4, 0x20a),
    kernelVersion: versionString(image, versionPointer, setupSize),
  };
}

/** The NUL-terminated version string kernel_version points at (offset + 0x200), if sane. */
function versionString(image: Uint8Array, pointer: number, setupSize: number): string | undefined {
  if (pointer === 0) return undefined;
  const start = pointer + 0x200;
  if (start >= setupSize) return undefined;
  let end = start;
  while (end < setupSize && end - start < 256 && image[end] !== 0) end++;
  return new TextDecoder('latin1').decode(image.subarray(start, end));
}
