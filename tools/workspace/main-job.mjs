// The README's main job, what `pnpm start` runs after installing everything: fetch Debian's
// SeaBIOS, 686 kernel and busybox (by package name, cached in .cache/), then boot that Linux
// under tsemu to a busybox shell on this terminal. Type `uname -a`, then `poweroff`.
// Extra arguments are passed to tsemu (for example `pnpm start -m 512`).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const images = resolve(root, '.cache/images');
const fetch = spawnSync('pnpm', ['--silent', '--filter', '@tsemu/tools', 'fetch-guest-images'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (fetch.status !== 0) process.exit(fetch.status ?? 1);

const tsemu = resolve(root, 'apps/cli/dist/tsemu.mjs');
const args = [
  '-nographic',
  '-m',
  '256',
  '-kernel',
  `${images}/vmlinuz`,
  '-initrd',
  `${images}/initramfs.cpio.gz`,
  '-append',
  'console=ttyS0',
  ...process.argv.slice(2),
];
console.error(`tsemu ${args.join(' ')}\n(Ctrl-A x quits, Ctrl-A c switches to the monitor)\n`);
const run = spawnSync(process.execPath, [tsemu, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
