/**
 * fetch-guest-images: fetch Debian's SeaBIOS, VGA BIOS, QEMU option ROMs, i386 kernel, busybox
 * and isolinux with apt, and build the initramfs and the bootable CD tsemu's tests boot.
 *
 *   node --import tsx tools/src/fetch-guest-images.ts [--cache-dir DIR] [--refresh]
 */
import { parseArgs } from 'node:util';
import { fetchGuestImages } from './guest-images/fetch.js';
import { isFetched } from './guest-images/manifest.js';
import { KERNEL_MODULES_DIR } from './guest-images/recipe.js';
import { defaultCacheDir } from './paths.js';
import { parseOrExplain } from './util/args.js';
import { runCli } from './util/cli.js';

const USAGE = `usage: fetch-guest-images [--cache-dir DIR] [--refresh] [--quiet]

Fetches Debian packages by name with apt-get download (seabios, qemu-system-data,
linux-image-6.1.*-686-unsigned, busybox-static:i386, isolinux, syslinux-common), takes the
files tsemu needs into DIR/images (the IDE disk and ext4 kernel modules into DIR/images/modules),
builds initramfs.cpio.gz, initramfs-disk.cpio.gz and tsemu-linux.iso there, and writes
DIR/images/MANIFEST.json. With a complete cache it only checks the files' hashes.

  --cache-dir DIR  cache root (default: $TSEMU_CACHE_DIR, else .cache in the repository)
  --refresh        ask apt for the newest versions even when the cache is complete
  --quiet          print nothing but errors
`;

function parse(argv: string[]) {
  return parseOrExplain(
    () =>
      parseArgs({
        args: argv,
        strict: true,
        options: {
          'cache-dir': { type: 'string' },
          refresh: { type: 'boolean' },
          quiet: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${(bytes / 1024).toFixed(0)} KiB`;
}

/** "busybox, 16 kernel modules" rather than every module's name. */
function describeSources(files: readonly string[]): string {
  const modules = files.filter((f) => f.startsWith(`${KERNEL_MODULES_DIR}/`));
  const others = files.filter((f) => !modules.includes(f));
  return [...others, ...(modules.length > 0 ? [`${modules.length} kernel modules`] : [])].join(
    ', ',
  );
}

runCli('fetch-guest-images', async () => {
  const options = parse(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const started = Date.now();
  const log = options.quiet ? () => {} : (line: string) => process.stdout.write(`${line}\n`);
  const cacheDir = options['cache-dir'] ?? defaultCacheDir();
  const result = await fetchGuestImages({ cacheDir, refresh: options.refresh, log });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!result.changed) {
    log(`guest images are up to date in ${result.imagesDir} (checked in ${seconds} s)`);
    return;
  }
  const width = Math.max(...result.manifest.files.map((entry) => entry.file.length));
  for (const entry of result.manifest.files) {
    const origin = isFetched(entry)
      ? `${entry.package} ${entry.version}`
      : `built from ${describeSources(entry.builtFrom)}`;
    log(`  ${entry.file.padEnd(width)} ${formatSize(entry.size).padStart(10)}  ${origin}`);
  }
  log(`guest images ready in ${result.imagesDir} (${seconds} s)`);
});
