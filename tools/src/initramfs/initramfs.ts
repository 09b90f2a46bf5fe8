/**
 * The busybox initramfs that tsemu's tests, benchmarks and main job boot: a static busybox,
 * an /init that mounts the kernel's file systems, prints a marker line and hands over to
 * busybox init, which keeps a shell running on the console.
 */
import { gzipSync } from 'node:zlib';
import { CpioWriter } from '../cpio/newc-writer.js';

/** The line /init prints once the system is up; tests and benchmarks wait for it. */
export const INITRAMFS_READY_MARKER = 'TSEMU-INITRAMFS-READY';

/**
 * Applets linked in the archive itself, so that /init can run before `busybox --install`
 * has made the rest (that needs /proc mounted, to find its own executable).
 */
const EARLY_APPLETS: ReadonlyArray<readonly [string, string]> = [
  ['bin/sh', '/bin/busybox'],
  ['bin/mount', '/bin/busybox'],
  ['sbin/init', '/bin/busybox'],
];

/** Directories of the root file system, in creation order (parents first). */
const DIRECTORIES: ReadonlyArray<readonly [string, number]> = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['proc', 0o555],
  ['root', 0o700],
  ['sbin', 0o755],
  ['sys', 0o555],
  ['tmp', 0o1777],
  ['usr', 0o755],
  ['usr/bin', 0o755],
  ['usr/sbin', 0o755],
];

/**
 * /init, run by the kernel as PID 1. It prints the marker last, once everything it sets up is
 * in place, then becomes busybox init: unlike a bare shell as PID 1, busybox init reaps
 * orphans and turns `poweroff` and `reboot` into the real system calls.
 */
export function initScript(marker: string = INITRAMFS_READY_MARKER): string {
  return `#!/bin/sh
# tsemu initramfs: mount the kernel's file systems, say we are up, start a console shell.
/bin/mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
hostname tsemu
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
cd /root
echo ${marker}
exec /sbin/init
`;
}

/**
 * busybox init's table. The shell runs under cttyhack, which opens the console's real device
 * (ttyS0 with console=ttyS0) as the controlling terminal, so job control and Ctrl-C work;
 * "respawn" gives a new shell when one exits.
 */
export const INITTAB = `# tsemu initramfs: busybox init's table (see /init).
::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
`;

const PROFILE = `export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
export PS1='tsemu:\\w# '
`;

export interface InitramfsOptions {
  /** A static busybox for the guest's architecture (Debian's busybox-static). */
  busybox: Uint8Array;
  /** The line /init prints when the system is up. */
  marker?: string;
  /**
   * Extra regular files, by absolute guest path ("/etc/bench.sh"); folders missing from the
   * standard tree ("/lib/modules") are added with mode 0755.
   */
  extraFiles?: ReadonlyArray<{ path: string; data: Uint8Array | string; mode?: number }>;
  /**
   * busybox init's table, instead of INITTAB (a shell on the console). The benchmark
   * initramfs of tools/bench-peers runs its workloads with it, then powers off.
   */
  inittab?: string;
}

/** The initramfs as an uncompressed newc cpio archive. */
export function buildInitramfsArchive(options: InitramfsOptions): Uint8Array {
  const marker = options.marker ?? INITRAMFS_READY_MARKER;
  if (!/^[A-Za-z0-9_.:-]+$/.test(marker)) {
    throw new Error(`initramfs: the marker must be one word of [A-Za-z0-9_.:-], got "${marker}"`);
  }
  const cpio = new CpioWriter();
  for (const [path, mode] of DIRECTORIES) cpio.addDirectory(path, { mode });
  // The kernel opens /dev/console for init's stdin/stdout/stderr before /init runs, so the
  // node must be in the archive; devtmpfs is mounted over /dev later.
  cpio.addCharDevice('dev/console', 5, 1, { mode: 0o600 });
  cpio.addFile('bin/busybox', options.busybox, { mode: 0o755 });
  for (const [path, target] of EARLY_APPLETS) cpio.addSymlink(path, target);
  cpio.addFile('init', initScript(marker), { mode: 0o755 });
  cpio.addFile('etc/inittab', options.inittab ?? INITTAB);
  cpio.addFile('etc/profile', PROFILE);
  const directories = new Set(DIRECTORIES.map(([path]) => path));
  for (const file of options.extraFiles ?? []) {
    if (!file.path.startsWith('/')) {
      throw new Error(`initramfs: extra file paths are absolute, got "${file.path}"`);
    }
    const path = file.path.slice(1);
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const directory = parts.slice(0, depth).join('/');
      if (!directories.has(directory)) {
        cpio.addDirectory(directory, { mode: 0o755 });
        directories.add(directory);
      }
    }
    cpio.addFile(path, file.data, { mode: file.mode ?? 0o644 });
  }
  return cpio.finish();
}

/** The initramfs as the kernel takes it from `-initrd`: a gzip-compressed newc archive. */
export function buildInitramfs(options: InitramfsOptions): Uint8Array {
  // zlib writes mtime 0 in the gzip header, so the same inputs give the same bytes.
  return new Uint8Array(gzipSync(buildInitramfsArchive(options), { level: 9 }));
}
