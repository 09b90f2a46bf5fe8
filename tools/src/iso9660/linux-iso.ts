/**
 * The bootable Linux CD that tsemu boots from its ATAPI CD-ROM: Debian's isolinux loads the
 * kernel and the initramfs, with the console on the first serial port.
 */
import { writeIso9660 } from './writer.js';

/** Where things live on the disc (level 1 names; isolinux matches them case-insensitively). */
export const LINUX_ISO_PATHS = {
  isolinuxBin: 'ISOLINUX/ISOLINUX.BIN',
  bootCatalog: 'ISOLINUX/BOOT.CAT',
  ldlinuxC32: 'ISOLINUX/LDLINUX.C32',
  config: 'ISOLINUX/ISOLINUX.CFG',
  kernel: 'BOOT/VMLINUZ',
  initrd: 'BOOT/INITRD.GZ',
} as const;

export const DEFAULT_KERNEL_APPEND = 'console=ttyS0';

export interface IsolinuxConfigOptions {
  /** Kernel command line, without the initrd= that the config adds. */
  append?: string;
  /**
   * How long the "boot:" prompt waits before booting the default entry, in tenths of a second.
   * Long enough for a person at the serial console to interrupt it, short enough not to
   * matter in a boot benchmark.
   */
  timeoutTenths?: number;
}

/**
 * isolinux.cfg: the prompt and messages go to the first serial port at 115200 baud as well as
 * to the screen, and the only entry boots our kernel and initramfs.
 */
export function isolinuxConfig(options: IsolinuxConfigOptions = {}): string {
  const append = options.append ?? DEFAULT_KERNEL_APPEND;
  const timeout = options.timeoutTenths ?? 10;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new Error(
      `isolinux: the timeout is a positive number of tenths of a second, got ${timeout}`,
    );
  }
  if (/[\r\n]/.test(append)) throw new Error('isolinux: the kernel command line must be one line');
  return [
    'SERIAL 0 115200',
    'PROMPT 1',
    `TIMEOUT ${timeout}`,
    'DEFAULT linux',
    'LABEL linux',
    `  KERNEL /${LINUX_ISO_PATHS.kernel.toLowerCase()}`,
    `  APPEND initrd=/${LINUX_ISO_PATHS.initrd.toLowerCase()} ${append}`,
    '',
  ].join('\n');
}

export interface LinuxIsoOptions extends IsolinuxConfigOptions {
  /** Debian's isolinux (usr/lib/ISOLINUX/isolinux.bin). */
  isolinuxBin: Uint8Array;
  /** Debian's syslinux-common BIOS ldlinux.c32, which isolinux loads next. */
  ldlinuxC32: Uint8Array;
  /** A bzImage (Debian's vmlinuz). */
  kernel: Uint8Array;
  /** The initramfs (gzip-compressed cpio). */
  initrd: Uint8Array;
  volumeId?: string;
  date?: Date;
}

/** Builds the isolinux CD image as mkisofs would with -b, -c, -no-emul-boot, -boot-load-size 4 and -boot-info-table. */
export function buildLinuxIso(options: LinuxIsoOptions): Uint8Array {
  const config = new TextEncoder().encode(isolinuxConfig(options));
  return writeIso9660({
    volumeId: options.volumeId ?? 'TSEMU_LINUX',
    date: options.date,
    files: [
      { path: LINUX_ISO_PATHS.isolinuxBin, data: options.isolinuxBin },
      { path: LINUX_ISO_PATHS.ldlinuxC32, data: options.ldlinuxC32 },
      { path: LINUX_ISO_PATHS.config, data: config },
      { path: LINUX_ISO_PATHS.kernel, data: options.kernel },
      { path: LINUX_ISO_PATHS.initrd, data: options.initrd },
    ],
    boot: {
      imagePath: LINUX_ISO_PATHS.isolinuxBin,
      catalogPath: LINUX_ISO_PATHS.bootCatalog,
      loadSectors: 4,
      bootInfoTable: true,
    },
  });
}
