/**
 * make-boot-disk: a raw disk image whose first sector is a given boot sector (MBR).
 *
 *   node --import tsx tools/src/make-boot-disk.ts --boot-code FILE --output FILE
 *     [--payload FILE] [--size BYTES]
 */
import { parseArgs } from 'node:util';
import { buildBootDisk } from './disk/mbr.js';
import { parseOrExplain } from './util/args.js';
import { runCli } from './util/cli.js';
import { writeFileAtomic } from './util/files.js';
import { readInput } from './util/input.js';
import { ToolError } from './util/tool-error.js';

const USAGE = `usage: make-boot-disk --boot-code FILE --output FILE [--payload FILE] [--size BYTES]

Writes a raw disk image: the boot code (up to 510 bytes) at the start of sector 0, the boot
signature 0x55 0xaa at offset 510, the payload (if any) from sector 1 on, zeros to the size
(default 1 MiB; K and M suffixes are accepted).
`;

function parseSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)([KM]?)$/i.exec(text);
  if (!match)
    throw new ToolError(
      `--size must be a number of bytes, with an optional K or M suffix: got ${text}`,
    );
  const unit =
    match[2].toUpperCase() === 'M' ? 1024 * 1024 : match[2].toUpperCase() === 'K' ? 1024 : 1;
  return Number(match[1]) * unit;
}

runCli('make-boot-disk', async () => {
  const options = parseOrExplain(
    () =>
      parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
          'boot-code': { type: 'string' },
          payload: { type: 'string' },
          output: { type: 'string', short: 'o' },
          size: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.output === undefined) throw new ToolError('missing --output FILE (see --help)');
  const bootCode = await readInput(options['boot-code'], 'boot-code');
  const payload =
    options.payload === undefined ? undefined : await readInput(options.payload, 'payload');
  let disk: Uint8Array;
  try {
    disk = buildBootDisk({ bootCode, payload, sizeBytes: parseSize(options.size) });
  } catch (error) {
    throw new ToolError((error as Error).message);
  }
  await writeFileAtomic(options.output, disk);
  process.stdout.write(`wrote ${options.output} (${disk.length} bytes)\n`);
});
