/**
 * What the guest-image tool fetches: Debian packages by name, and which of their files land in
 * the images folder under which name.
 */

/** A file taken out of a package: an exact path, or the one file in a folder with a prefix. */
export type PackageFilePath = string | { directory: string; prefix: string };

export interface GuestFile {
  from: PackageFilePath;
  /** Its name in the images folder. */
  to: string;
}

export interface GuestPackage {
  /**
   * The package name; or, for a family such as the kernel's ABI-numbered packages, the prefix
   * apt-cache lists names by and the pattern they must match (the newest match is chosen).
   */
  name: string | { prefix: string; pattern: RegExp };
  /** 'all' for architecture-independent packages, else the Debian architecture (i386). */
  architecture: string;
  files: readonly GuestFile[];
  /**
   * Kernel modules to take out of the package, with the modules they need (see
   * kernel-modules.ts), into the images folder's `modules/` as NAME.ko, in load order.
   */
  modules?: readonly string[];
}

/** The guest packages tsemu's tests, benchmarks and main job use. */
export const GUEST_PACKAGES: readonly GuestPackage[] = [
  {
    name: 'seabios',
    architecture: 'all',
    files: [
      { from: 'usr/share/seabios/bios-256k.bin', to: 'bios-256k.bin' },
      { from: 'usr/share/seabios/bios.bin', to: 'bios.bin' },
      { from: 'usr/share/seabios/vgabios-stdvga.bin', to: 'vgabios-stdvga.bin' },
    ],
  },
  {
    // QEMU's option ROMs for direct kernel boot through fw_cfg with SeaBIOS.
    name: 'qemu-system-data',
    architecture: 'all',
    files: [
      { from: 'usr/share/qemu/linuxboot_dma.bin', to: 'linuxboot_dma.bin' },
      { from: 'usr/share/qemu/multiboot_dma.bin', to: 'multiboot_dma.bin' },
    ],
  },
  {
    // Debian's kernel for i686, without the modules' signatures; the ABI number in the name
    // changes with each kernel update, so take the newest one apt knows.
    name: { prefix: 'linux-image-6.1', pattern: /^linux-image-6\.1\.\d+-\d+-686-unsigned$/ },
    architecture: 'i386',
    files: [{ from: { directory: 'boot', prefix: 'vmlinuz-' }, to: 'vmlinuz' }],
    modules: [
      // The PIIX3 IDE function and the SCSI disks libata presents its ATA disks as.
      'ata_piix',
      'sd_mod',
      // crc-t10dif (sd_mod needs it, through t10-pi) asks for "crct10dif" first.
      'crct10dif_generic',
      // ext4 and jbd2 ask for "crypto-crc32c" first; ext4 mounts ext2 too (Debian's kernel has
      // CONFIG_EXT4_USE_FOR_EXT2 and no ext2 driver).
      'crc32c_generic',
      'ext4',
    ],
  },
  {
    name: 'busybox-static',
    architecture: 'i386',
    files: [{ from: 'bin/busybox', to: 'busybox' }],
  },
  {
    name: 'isolinux',
    architecture: 'all',
    files: [{ from: 'usr/lib/ISOLINUX/isolinux.bin', to: 'isolinux.bin' }],
  },
  {
    name: 'syslinux-common',
    architecture: 'all',
    files: [{ from: 'usr/lib/syslinux/modules/bios/ldlinux.c32', to: 'ldlinux.c32' }],
  },
];

/** The files built from the fetched ones. */
export const INITRAMFS_FILE = 'initramfs.cpio.gz';
export const LINUX_ISO_FILE = 'tsemu-linux.iso';
/** The initramfs with the IDE disk and ext4 modules (see initramfs/disk-initramfs.ts). */
export const DISK_INITRAMFS_FILE = 'initramfs-disk.cpio.gz';
/** The images folder's subfolder for kernel modules. */
export const KERNEL_MODULES_DIR = 'modules';

/** A readable label for a package spec in messages. */
export function packageLabel(spec: GuestPackage): string {
  const name = typeof spec.name === 'string' ? spec.name : `${spec.name.pattern.source} (newest)`;
  return spec.architecture === 'all' ? name : `${name} for ${spec.architecture}`;
}

/**
 * Orders names so that the newest kernel comes first: digit runs compare as numbers, so
 * linux-image-6.1.0-50-686-unsigned sorts before linux-image-6.1.0-9-686-unsigned.
 */
export function newestFirst(a: string, b: string): number {
  return b.localeCompare(a, 'en', { numeric: true });
}
