/**
 * build-initramfs: the busybox initramfs from a static busybox, as a gzip-compressed newc cpio.
 *
 *   node --import tsx tools/src/build-initramfs.ts --busybox FILE --output FILE [--marker WORD]
 */
import { parseArgs } from 'node:util';
import { buildInitramfs, INITRAMFS_READY_MARKER } from './initramfs/initramfs.js';
import { parseOrExplain } from './util/args.js';
import { runCli } from './util/cli.js';
import { writeFileAtomic } from './util/files.js';
import { readInput } from './util/input.js';
import { ToolError } from './util/tool-error.js';

const USAGE = `usage: build-initramfs --busybox FILE --output FILE [--marker WORD]

Writes an initramfs (gzip-compressed newc cpio) whose /init mounts proc, sysfs, devtmpfs,
devpts and a tmpfs on /tmp, prints the marker line (default ${INITRAMFS_READY_MARKER}) and
hands over to busybox init, which keeps a shell on the console. fetch-guest-images builds
.cache/images/initramfs.cpio.gz this way from Debian's busybox-static for i386.
`;

runCli('build-initramfs', async () => {
  const options = parseOrExplain(
    () =>
      parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
          busybox: { type: 'string' },
          output: { type: 'string', short: 'o' },
          marker: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.output === undefined) throw new ToolError('missing --output FILE (see --help)');
  const busybox = await readInput(options.busybox, 'busybox');
  let initramfs: Uint8Array;
  try {
    initramfs = buildInitramfs({ busybox, marker: options.marker });
  } catch (error) {
    throw new ToolError((error as Error).message);
  }
  await writeFileAtomic(options.output, initramfs);
  process.stdout.write(`wrote ${options.output} (${initramfs.length} bytes)\n`);
});
