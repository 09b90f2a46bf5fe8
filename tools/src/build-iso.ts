/**
 * build-iso: a bootable isolinux CD (ISO 9660 with El Torito) holding a kernel and an initramfs.
 *
 *   node --import tsx tools/src/build-iso.ts --isolinux FILE --ldlinux FILE --kernel FILE
 *     --initrd FILE --output FILE [--append "console=ttyS0"]
 */
import { parseArgs } from 'node:util';
import { buildLinuxIso, DEFAULT_KERNEL_APPEND } from './iso9660/linux-iso.js';
import { parseOrExplain } from './util/args.js';
import { runCli } from './util/cli.js';
import { writeFileAtomic } from './util/files.js';
import { readInput } from './util/input.js';
import { ToolError } from './util/tool-error.js';

const USAGE = `usage: build-iso --isolinux FILE --ldlinux FILE --kernel FILE --initrd FILE --output FILE
                 [--append CMDLINE] [--timeout TENTHS]

Writes an ISO 9660 CD image that boots with El Torito (no emulation) into Debian's isolinux,
which loads the kernel and the initramfs with the command line (default "${DEFAULT_KERNEL_APPEND}").
isolinux talks on the first serial port at 115200 baud too, and its "boot:" prompt boots
after TENTHS tenths of a second (default 10). fetch-guest-images builds
.cache/images/tsemu-linux.iso this way.
`;

runCli('build-iso', async () => {
  const options = parseOrExplain(
    () =>
      parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
          isolinux: { type: 'string' },
          ldlinux: { type: 'string' },
          kernel: { type: 'string' },
          initrd: { type: 'string' },
          output: { type: 'string', short: 'o' },
          append: { type: 'string' },
          timeout: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.output === undefined) throw new ToolError('missing --output FILE (see --help)');
  const timeoutTenths = options.timeout === undefined ? undefined : Number(options.timeout);
  const inputs = {
    isolinuxBin: await readInput(options.isolinux, 'isolinux'),
    ldlinuxC32: await readInput(options.ldlinux, 'ldlinux'),
    kernel: await readInput(options.kernel, 'kernel'),
    initrd: await readInput(options.initrd, 'initrd'),
  };
  let iso: Uint8Array;
  try {
    iso = buildLinuxIso({ ...inputs, append: options.append, timeoutTenths });
  } catch (error) {
    throw new ToolError((error as Error).message);
  }
  await writeFileAtomic(options.output, iso);
  process.stdout.write(`wrote ${options.output} (${iso.length} bytes)\n`);
});
