/**
 * The guest images the peers boot: the guest-image tool's kernel and initramfs, and the
 * benchmark initramfs built here from the same busybox (the standard /init and marker, an
 * init table that runs the CPU workloads once and powers off). The standard initramfs is
 * left as it is: tests and the main job boot it to a shell.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchGuestImages } from '../src/guest-images/fetch.js';
import type { Manifest } from '../src/guest-images/manifest.js';
import { INITRAMFS_FILE } from '../src/guest-images/recipe.js';
import { buildInitramfs } from '../src/initramfs/initramfs.js';
import { readFileIfExists, writeFileAtomic } from '../src/util/files.js';
import { BENCH_INITTAB, BENCH_SCRIPT, BENCH_SCRIPT_PATH } from './guest-script.js';

export const BENCH_INITRAMFS_FILE = 'initramfs-bench.cpio.gz';

export interface GuestImages {
  imagesDir: string;
  kernel: string;
  /** The standard initramfs: marker, then a shell. */
  initrd: string;
  /** The benchmark initramfs: marker, then the CPU workloads, then poweroff. */
  benchInitrd: string;
  manifest: Manifest;
}

export function buildBenchInitramfs(busybox: Uint8Array): Uint8Array {
  return buildInitramfs({
    busybox,
    inittab: BENCH_INITTAB,
    extraFiles: [{ path: BENCH_SCRIPT_PATH, data: BENCH_SCRIPT, mode: 0o755 }],
  });
}

/** Fetches (or checks) the guest images and brings the benchmark initramfs up to date. */
export async function prepareGuestImages(
  cacheDir: string,
  log: (line: string) => void,
): Promise<GuestImages> {
  const { imagesDir, manifest } = await fetchGuestImages({ cacheDir, log });
  const benchInitrd = join(imagesDir, BENCH_INITRAMFS_FILE);
  const wanted = buildBenchInitramfs(await readFile(join(imagesDir, 'busybox')));
  const current = await readFileIfExists(benchInitrd);
  if (current === undefined || !current.equals(wanted)) {
    log(`building ${BENCH_INITRAMFS_FILE}...`);
    await writeFileAtomic(benchInitrd, wanted);
  }
  return {
    imagesDir,
    kernel: join(imagesDir, 'vmlinuz'),
    initrd: join(imagesDir, INITRAMFS_FILE),
    benchInitrd,
    manifest,
  };
}
