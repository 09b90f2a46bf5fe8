/**
 * Sequential throughput of the block layer through BlockBackend, as a device sees it:
 * raw and qcow2 (64 KiB clusters) images in the OS temporary folder, written then read in
 * fixed-size requests. Writes to a fresh qcow2 image allocate clusters; "overwrite"
 * writes go to clusters already allocated. Reads come mostly from the host page cache.
 *
 * Run: pnpm --filter @tsemu/block bench
 */
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockBackend, createQcow2, NodeImageFile, openImage } from '../src/index.js';

const TOTAL = 256 * 1024 * 1024;
const REQUEST_SIZES = [64 * 1024, 1024 * 1024];

async function timed(label: string, run: () => Promise<void>): Promise<void> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(44)} ${(TOTAL / 1e6 / seconds).toFixed(0).padStart(6)} MB/s`);
}

async function sweep(disk: BlockBackend, requestSize: number, write: boolean): Promise<void> {
  const buffer = new Uint8Array(requestSize).fill(0x5a);
  for (let offset = 0; offset < TOTAL; offset += requestSize) {
    const result = write ? await disk.write(offset, buffer) : await disk.read(offset, buffer);
    if (!result.ok) throw new Error(result.error.message);
  }
}

async function makeImage(dir: string, format: 'raw' | 'qcow2', name: string): Promise<string> {
  const file = join(dir, name);
  const image = await NodeImageFile.open(file, { create: true });
  if (format === 'qcow2') await createQcow2(image, { size: TOTAL });
  await image.close();
  if (format === 'raw') truncateSync(file, TOTAL);
  return file;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-block-bench-'));
  try {
    console.log(
      `tsemu block layer, sequential, ${TOTAL / 1024 / 1024} MiB per run, Node ${process.version}`,
    );
    for (const requestSize of REQUEST_SIZES) {
      const kib = `${requestSize / 1024} KiB requests`;
      for (const format of ['raw', 'qcow2'] as const) {
        const file = await makeImage(dir, format, `${format}-${requestSize}.img`);
        const disk = new BlockBackend({ name: 'bench', driver: await openImage(file, { format }) });
        await timed(`${format} write (fresh), ${kib}`, () => sweep(disk, requestSize, true));
        await timed(`${format} write (overwrite), ${kib}`, () => sweep(disk, requestSize, true));
        await timed(`${format} read, ${kib}`, () => sweep(disk, requestSize, false));
        await disk.close();
        rmSync(file);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
