/**
 * Boot benchmark: Debian's 686 kernel with the busybox initramfs on the `pc` machine, the
 * way `tsemu -m 256 -kernel vmlinuz -initrd initramfs.cpio.gz -append console=ttyS0
 * -nographic` boots it, timed from the start of the boot to three lines of the serial
 * console:
 *
 *   linux   "Linux version"          (SeaBIOS, linuxboot, the kernel's self-decompression)
 *   init    "Run /init"              (the kernel's own boot)
 *   marker  "TSEMU-INITRAMFS-READY"  (the initramfs's /init reached its shell)
 *
 * Run from packages/hw-pc (the images come from the guest-image tool, in .cache/images):
 *
 *   node --conditions=@tsemu/source --import tsx bench/linux-boot.ts [options]
 *     --backend js|tiered|interpreter   the JIT backend (default: the machine's default)
 *     --until linux|init|marker         stop at this line (default marker)
 *     --firmware none                   the BIOS-less path (-machine pc,firmware=none)
 *     --tier-threshold N                the tiered backend's threshold (default the engine's)
 *     --no-regions                      compile each hot TB alone, not in hot regions
 *     --timeout S                       give up after S seconds of wall time (default 900)
 *     --echo                            copy the serial console to stdout
 *     --stats                           print `info jit` at the end
 *     -d ITEMS -D FILE                  QEMU's log items (in_asm, op, out_asm, exec...) to FILE
 *     --no-bundle                       run the sources through tsx instead of a bundle
 *
 * By default the benchmark is first bundled with esbuild exactly as apps/cli bundles the
 * tsemu command (one module: constants and enums inlined across files), because that is
 * what users run; under tsx every file stays a module, and reads of imported constants and
 * enums in hot code make the emulator measurably slower. Wall time and this process's CPU
 * time are printed for each line, with the load average: on a shared machine, compare
 * figures taken close together. Under `node --cpu-prof` the profile is written when the
 * script exits at the chosen line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const imagesDir = join(here, '..', '..', '..', '.cache', 'images');
const argv = process.argv.slice(2);

type BenchModule = typeof import('./linux-boot-run.js');
let bench: BenchModule;
let mode: string;
if (argv.includes('--no-bundle')) {
  bench = await import('./linux-boot-run.js');
  mode = 'sources through tsx';
} else {
  const { build } = await import('esbuild');
  const outfile = join(mkdtempSync(join(tmpdir(), 'tsemu-linux-boot-')), 'linux-boot.mjs');
  await build({
    entryPoints: [join(here, 'linux-boot-run.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@tsemu/source'],
    logLevel: 'warning',
  });
  bench = (await import(pathToFileURL(outfile).href)) as BenchModule;
  mode = 'esbuild bundle';
}
bench.runLinuxBoot(argv, imagesDir, mode);
