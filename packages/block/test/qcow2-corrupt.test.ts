/**
 * Truncated and corrupt qcow2 images fail at open time with one clear line (never a crash
 * or a wrong read later), and metadata found corrupt during a request is an I/O error the
 * guest sees, not a host exception.
 */
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockOpenError, openImage } from '../src/index.js';
import { backendOf, qemuImg, qemuIo, scratchDir } from './helpers.js';

const dir = scratchDir();
let counter = 0;

/** A fresh 64 MiB qcow2 image (64 KiB clusters) with some data, made by qemu-img. */
function freshImage(): string {
  const file = join(dir, `image-${counter++}.qcow2`);
  qemuImg('create', '-q', '-f', 'qcow2', file, '64M');
  qemuIo(file, 'qcow2', 'write -P 0x5a 0 128k', 'write -P 0x5b 32M 64k');
  return file;
}

/** Overwrites bytes of `file` at `offset`. */
function patch(file: string, offset: number, bytes: number[]): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from(bytes), 0, bytes.length, offset);
  closeSync(fd);
}

function u32(value: number): number[] {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
}

function u64(value: number): number[] {
  return [...u32(Math.floor(value / 2 ** 32)), ...u32(value >>> 0)];
}

/** Opens `file` (format probed) and returns the error message, which must be one line. */
async function openError(file: string, format?: 'qcow2'): Promise<string> {
  try {
    const driver = await openImage(file, { format });
    await driver.close();
  } catch (error) {
    expect(error).toBeInstanceOf(BlockOpenError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`'${file}' opened although it is broken`);
}

describe('qcow2 images that must not open', () => {
  it('a header cut short', async () => {
    const file = freshImage();
    truncateSync(file, 50);
    expect(await openError(file)).toBe(
      `Could not open '${file}': corrupt qcow2 image: the header is truncated (the file is 50 bytes) (it has the qcow2 magic, so it is not opened as raw)`,
    );
    expect(await openError(file, 'qcow2')).toBe(
      `Could not open '${file}': corrupt qcow2 image: the header is truncated (the file is 50 bytes)`,
    );
  });

  it('a file cut after the header: the L1 table is beyond the end', async () => {
    const file = freshImage();
    truncateSync(file, 65536 * 2);
    expect(await openError(file, 'qcow2')).toMatch(
      /^Could not open '.*': corrupt qcow2 image: the L1 table \(8 bytes at offset 196608\) is beyond the end of the file \(131072 bytes\): truncated image\?$/,
    );
  });

  it('an L1 table offset pointing past the end of the file', async () => {
    const file = freshImage();
    patch(file, 40, u64(2 ** 40));
    expect(await openError(file, 'qcow2')).toContain(
      'the L1 table (8 bytes at offset 1099511627776) is beyond the end',
    );
  });

  it('an L2 table past the end of a truncated file', async () => {
    const file = freshImage();
    // Cut the file in the middle of the (only) L2 table.
    const bytes = readFileSync(file);
    const l2 = Number(
      bytes.readBigUInt64BE(Number(bytes.readBigUInt64BE(40))) & 0x00fffffffffffe00n,
    );
    truncateSync(file, l2 + 100);
    expect(await openError(file, 'qcow2')).toMatch(
      /the L2 table of L1 entry 0 .* is beyond the end of the file/,
    );
  });

  it('a refcount table overlapping the header', async () => {
    const file = freshImage();
    patch(file, 48, u64(0));
    expect(await openError(file, 'qcow2')).toBe(
      `Could not open '${file}': corrupt qcow2 image: the refcount table overlaps the image header`,
    );
  });

  it('an unaligned L1 table', async () => {
    const file = freshImage();
    patch(file, 40, u64(65536 * 3 + 512));
    expect(await openError(file, 'qcow2')).toContain('the L1 table is not aligned to a cluster');
  });

  it('an unknown incompatible feature', async () => {
    const file = freshImage();
    patch(file, 72, u64(1 << 10));
    expect(await openError(file, 'qcow2')).toBe(
      `Could not open '${file}': Unsupported qcow2 feature: unknown incompatible feature bit 10`,
    );
  });

  it('the dirty bit (lazy refcounts in use)', async () => {
    const file = freshImage();
    patch(file, 72, u64(1));
    expect(await openError(file, 'qcow2')).toContain(
      "the image is marked dirty (lazy refcounts were in use); repair it with 'qemu-img check -r all'",
    );
  });

  it('extended L2 entries, named from the image feature table', async () => {
    const file = join(dir, 'extended-l2.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on', file, '1M');
    expect(await openError(file, 'qcow2')).toBe(
      `Could not open '${file}': Unsupported qcow2 feature: extended L2 entries`,
    );
    // When the format was probed, the message also says why the file is not taken as raw.
    expect(await openError(file)).toBe(
      `Could not open '${file}': Unsupported qcow2 feature: extended L2 entries (it has the qcow2 magic, so it is not opened as raw)`,
    );
  });

  it('encryption', async () => {
    const file = freshImage();
    patch(file, 32, u32(1));
    expect(await openError(file, 'qcow2')).toBe(
      `Could not open '${file}': encrypted qcow2 images (AES) are not supported`,
    );
  });

  it('an impossible cluster size and an unknown version', async () => {
    const big = freshImage();
    patch(big, 20, u32(30));
    expect(await openError(big, 'qcow2')).toBe(
      `Could not open '${big}': Unsupported cluster size: 2^30`,
    );
    const future = freshImage();
    patch(future, 4, u32(4));
    expect(await openError(future)).toBe(
      `Could not open '${future}': Unsupported qcow2 version 4 (it has the qcow2 magic, so it is not opened as raw)`,
    );
  });

  it('an L1 table too small for the virtual size', async () => {
    const file = freshImage();
    patch(file, 24, u64(2 ** 40));
    expect(await openError(file, 'qcow2')).toContain(
      'the L1 table (1 entries) is too small for the virtual size',
    );
  });

  it('an empty file given as qcow2', async () => {
    const file = join(dir, 'empty.qcow2');
    writeFileSync(file, '');
    expect(await openError(file, 'qcow2')).toContain(
      'the header is truncated (the file is 0 bytes)',
    );
  });
});

describe('qcow2 corruption found during a request', () => {
  it('an L2 entry pointing at an unaligned offset is a guest I/O error', async () => {
    const file = freshImage();
    // Find the first L2 table from the L1 table (at the offset in the header) and break entry 0.
    const bytes = readFileSync(file);
    const l1 = Number(bytes.readBigUInt64BE(40));
    const l2 = Number(bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
    patch(file, l2, [0x80, 0, 0, 0, 0, 0x05, 0x02, 0x00]);
    const disk = backendOf(await openImage(file, { format: 'qcow2' }));
    const result = await disk.read(0, new Uint8Array(512));
    expect(result).toMatchObject({ ok: false, error: { code: 'io-error' } });
    // The rest of the disk still works.
    const other = new Uint8Array(512);
    expect((await disk.read(32 * 1024 * 1024, other)).ok).toBe(true);
    expect(other[0]).toBe(0x5b);
    await disk.close();
  });
});
