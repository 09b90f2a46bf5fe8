/**
 * Test helpers: in-memory drives and a tiny driver that talks to a channel's registers the
 * way Linux's libata-sff and SeaBIOS do. Used by the tests and the benchmark.
 */
import { BlockBackend, MemoryImageFile, RawDriver } from '@tsemu/block';
import type { IdeChannel } from './ide-channel.js';
import {
  IDE_COMMAND,
  IDE_DATA,
  IDE_FEATURES,
  IDE_HCYL,
  IDE_LCYL,
  IDE_NSECTOR,
  IDE_SECTOR,
  IDE_SELECT,
  IDE_STATUS,
  STATUS_DRQ,
} from './ide-regs.js';

/** A raw in-memory image whose sector n starts with the bytes of n (little-endian), then 0xa5. */
export function patternedImage(sectors: number, sectorSize = 512): Uint8Array {
  const bytes = new Uint8Array(sectors * sectorSize).fill(0xa5);
  for (let n = 0; n < sectors; n++) {
    new DataView(bytes.buffer).setUint32(n * sectorSize, n, true);
  }
  return bytes;
}

export function memoryDisk(bytes: Uint8Array, name = 'ide0-hd0'): BlockBackend {
  return new BlockBackend({
    name,
    driver: new RawDriver(new MemoryImageFile(`${name}.img`, bytes)),
  });
}

export function memoryCdrom(bytes: Uint8Array | null, name = 'ide1-cd0'): BlockBackend {
  const driver = bytes ? new RawDriver(new MemoryImageFile(`${name}.iso`, bytes, true)) : null;
  return new BlockBackend({ name, driver, media: 'cdrom' });
}

/** Writes the taskfile for an LBA28/LBA48 command (HOB bytes first, as libata does). */
export function issueLba(
  ch: IdeChannel,
  command: number,
  lba: number,
  count: number,
  options: { unit?: 0 | 1; lba48?: boolean; features?: number } = {},
): void {
  const unit = options.unit ?? 0;
  ch.write(IDE_SELECT, 0xe0 | (unit << 4) | (options.lba48 ? 0 : Math.floor(lba / 2 ** 24) & 0x0f));
  if (options.lba48) {
    ch.write(IDE_FEATURES, 0);
    ch.write(IDE_NSECTOR, (count >> 8) & 0xff);
    ch.write(IDE_SECTOR, Math.floor(lba / 2 ** 24) & 0xff);
    ch.write(IDE_LCYL, Math.floor(lba / 2 ** 32) & 0xff);
    ch.write(IDE_HCYL, Math.floor(lba / 2 ** 40) & 0xff);
  }
  ch.write(IDE_FEATURES, options.features ?? 0);
  ch.write(IDE_NSECTOR, count & 0xff);
  ch.write(IDE_SECTOR, lba & 0xff);
  ch.write(IDE_LCYL, (lba >> 8) & 0xff);
  ch.write(IDE_HCYL, (lba >> 16) & 0xff);
  ch.write(IDE_COMMAND, command);
}

/** Reads `bytes` from the data port in 16-bit words (or 32-bit with `wide`). */
export function readPio(ch: IdeChannel, bytes: number, wide = false): Uint8Array {
  const out = new Uint8Array(bytes);
  const step = wide ? 4 : 2;
  for (let i = 0; i < bytes; i += step) {
    const v = ch.read(IDE_DATA, step);
    for (let j = 0; j < step; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
  }
  return out;
}

export function writePio(ch: IdeChannel, data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 2) ch.write(IDE_DATA, data[i] | (data[i + 1] << 8), 2);
}

/** Waits for the channel's block requests, then reads the status (acknowledging INTRQ). */
export async function settle(ch: IdeChannel): Promise<number> {
  await ch.drain();
  return ch.read(IDE_STATUS);
}

/** Reads a whole PIO data-in command: every DRQ block, waiting between them. */
export async function readAllPio(ch: IdeChannel, bytes: number): Promise<Uint8Array> {
  const out = new Uint8Array(bytes);
  let at = 0;
  while (at < bytes) {
    const status = await settle(ch);
    if (!(status & STATUS_DRQ))
      throw new Error(`no DRQ after ${at} bytes, status 0x${status.toString(16)}`);
    while (at < bytes && ch.readControl() & STATUS_DRQ) {
      const v = ch.read(IDE_DATA, 2);
      out[at] = v & 0xff;
      out[at + 1] = v >> 8;
      at += 2;
    }
  }
  return out;
}
