/**
 * The disk initramfs: the standard busybox initramfs (same /init, marker and console shell)
 * plus Debian's IDE disk and ext4 modules in /lib/modules and a script that loads them, for
 * tests that give Linux IDE disks. The modules are not loaded at boot: the standard boot stays
 * as it is, and a test loads them when it wants to, seeing each step.
 */
import { buildInitramfs } from './initramfs.js';

/** The guest command that loads the modules, in the order the archive was built with. */
export const LOAD_DISK_MODULES_PATH = '/sbin/load-disk-modules';

/** Where the modules are in the guest: /lib/modules/NAME.ko. */
export const GUEST_MODULES_DIR = '/lib/modules';

export interface KernelModuleFile {
  /** The module's name, as `lsmod` shows it ("ata_piix"). */
  name: string;
  /** The .ko file, uncompressed (busybox insmod takes it as it is). */
  data: Uint8Array;
}

export interface DiskInitramfsOptions {
  /** A static busybox for the guest's architecture (Debian's busybox-static). */
  busybox: Uint8Array;
  /** The modules in load order: each after the modules it needs. */
  modules: readonly KernelModuleFile[];
}

/**
 * The script at LOAD_DISK_MODULES_PATH: insmod each module in order, stopping at the first
 * failure with its name on stderr and status 1. Modules already loaded are skipped, so it can
 * run twice.
 */
export function loadDiskModulesScript(names: readonly string[]): string {
  for (const name of names) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      throw new Error(`disk initramfs: a module name is [A-Za-z0-9_], got "${name}"`);
    }
  }
  return `#!/bin/sh
# tsemu disk initramfs: load the IDE disk and ext4 drivers, each after the modules it needs.
for module in ${names.join(' ')}; do
  grep -q "^$module " /proc/modules && continue
  insmod ${GUEST_MODULES_DIR}/$module.ko || { echo "load-disk-modules: $module failed" >&2; exit 1; }
done
`;
}

/** The disk initramfs as the kernel takes it from `-initrd` (gzip-compressed newc cpio). */
export function buildDiskInitramfs(options: DiskInitramfsOptions): Uint8Array {
  if (options.modules.length === 0) throw new Error('disk initramfs: no kernel modules given');
  const names = options.modules.map((m) => m.name);
  if (new Set(names).size !== names.length) {
    throw new Error(`disk initramfs: a module is given twice (${names.join(', ')})`);
  }
  return buildInitramfs({
    busybox: options.busybox,
    extraFiles: [
      ...options.modules.map((module) => ({
        path: `${GUEST_MODULES_DIR}/${module.name}.ko`,
        data: module.data,
      })),
      { path: LOAD_DISK_MODULES_PATH, data: loadDiskModulesScript(names), mode: 0o755 },
    ],
  });
}
