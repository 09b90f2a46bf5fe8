/**
 * qcow2 against QEMU itself: images made by `qemu-img create`, data written by `qemu-io`
 * and read by tsemu, data written by tsemu and verified by `qemu-io read -P`, and
 * `qemu-img check` finding nothing wrong afterwards.
 */
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BlockBackend, openImage } from '../src/index.js';
import {
  backendOf,
  expectOk,
  pattern,
  qemuImg,
  qemuImgCheck,
  qemuIo,
  scratchDir,
} from './helpers.js';

const dir = scratchDir();
const KiB = 1024;
const MiB = 1024 * 1024;

async function expectBytes(
  disk: BlockBackend,
  offset: number,
  length: number,
  value: number,
): Promise<void> {
  const buffer = new Uint8Array(length);
  expectOk(await disk.read(offset, buffer));
  const wrong = buffer.findIndex((byte) => byte !== value);
  expect(wrong === -1 ? 'all match' : `byte ${offset + wrong} is ${buffer[wrong]}`).toBe(
    'all match',
  );
}

function expectClean(file: string): void {
  const report = qemuImgCheck(file);
  expect(
    { exit: report.exitCode, corruptions: report.corruptions, leaks: report.leaks },
    report.output,
  ).toEqual({
    exit: 0,
    corruptions: 0,
    leaks: 0,
  });
}

function expectQemuReads(file: string, ...commands: string[]): void {
  const result = qemuIo(file, 'qcow2', ...commands);
  expect(result.ok, result.output).toBe(true);
}

/** The refcount table's size in clusters, from the header (offset 56). */
function refcountTableClusters(file: string): number {
  const fd = openSync(file, 'r');
  const header = Buffer.alloc(64);
  readSync(fd, header, 0, 64, 0);
  closeSync(fd);
  return header.readUInt32BE(56);
}

describe.each([
  { clusterSize: 512, options: '' },
  { clusterSize: 4096, options: '' },
  { clusterSize: 65536, options: '' },
  { clusterSize: 2 * MiB, options: '' },
  { clusterSize: 65536, options: ',compat=0.10' },
  { clusterSize: 512, options: ',refcount_bits=1' },
  { clusterSize: 4096, options: ',refcount_bits=64' },
])('qcow2 with $clusterSize-byte clusters$options', ({ clusterSize, options }) => {
  it('reads what qemu-io wrote; qemu-io reads what tsemu wrote; qemu-img check is clean', async () => {
    const file = join(dir, `interop-${clusterSize}${options.replace(/[,=.]/g, '_')}.qcow2`);
    qemuImg(
      'create',
      '-q',
      '-f',
      'qcow2',
      '-o',
      `cluster_size=${clusterSize}${options}`,
      file,
      '64M',
    );
    const written = qemuIo(
      file,
      'qcow2',
      'write -P 0x11 0 4k',
      'write -P 0x22 1M 100k',
      'write -P 0x33 40M 3k',
    );
    expect(written.ok, written.output).toBe(true);

    const disk = backendOf(await openImage(file, { format: 'qcow2' }));
    await expectBytes(disk, 0, 4 * KiB, 0x11);
    await expectBytes(disk, 4 * KiB, MiB - 4 * KiB, 0);
    await expectBytes(disk, MiB, 100 * KiB, 0x22);
    await expectBytes(disk, 40 * MiB, 3 * KiB, 0x33);
    await expectBytes(disk, 64 * MiB - 8 * KiB, 8 * KiB, 0);

    // In place over qemu's data, partial clusters on fresh ground, and a run of new clusters.
    expectOk(await disk.write(512, pattern(0x44, 1000)));
    expectOk(await disk.write(20 * MiB + 300, pattern(0x55, 200 * KiB)));
    expectOk(await disk.writeSectors((64 * MiB) / 512 - 2, pattern(0x66, 1024)));
    expectOk(await disk.write(MiB + 50 * KiB, pattern(0x77, 100 * KiB)));
    expectOk(await disk.flush());
    await expectBytes(disk, 20 * MiB + 300, 200 * KiB, 0x55);
    await disk.close();

    expectQemuReads(
      file,
      'read -P 0x11 0 512',
      'read -P 0x44 512 1000',
      'read -P 0x11 1512 2584',
      'read -P 0 20M 300',
      `read -P 0x55 ${20 * MiB + 300} 200k`,
      `read -P 0 ${20 * MiB + 300 + 200 * KiB} 1k`,
      `read -P 0x22 1M 50k`,
      `read -P 0x77 ${MiB + 50 * KiB} 100k`,
      'read -P 0x33 40M 3k',
      `read -P 0x66 ${64 * MiB - 1024} 1024`,
    );
    expectClean(file);
  });
});

describe('qcow2 metadata growth', () => {
  it('allocates L2 tables, refcount blocks and a bigger refcount table that qemu-img check accepts', async () => {
    // 512-byte clusters: one refcount block counts 128 KiB of file, the first refcount
    // table (one cluster) 8 MiB, and one L2 table maps 32 KiB of disk.
    const file = join(dir, 'growth.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=512', file, '256M');
    expect(refcountTableClusters(file)).toBe(1);
    const disk = backendOf(await openImage(file, { format: 'qcow2' }));
    // 10 MiB in one stream plus scattered 4 KiB writes over the rest of the disk.
    expectOk(await disk.write(MiB, pattern(0xa1, 10 * MiB)));
    for (let i = 3; i < 64; i++)
      expectOk(await disk.write(i * 4 * MiB + 7, pattern(0xb0 + (i % 16), 4 * KiB)));
    await disk.close();
    expect(refcountTableClusters(file)).toBeGreaterThan(1);
    expectClean(file);
    const reads = ['read -P 0 0 1M', 'read -P 0xa1 1M 10M', `read -P 0 11M ${MiB + 7}`];
    for (let i = 3; i < 64; i++) reads.push(`read -P ${0xb0 + (i % 16)} ${i * 4 * MiB + 7} 4k`);
    expectQemuReads(file, ...reads);

    // And tsemu reads its own grown image back after reopening.
    const again = backendOf(await openImage(file));
    await expectBytes(again, MiB, 10 * MiB, 0xa1);
    await expectBytes(again, 63 * 4 * MiB + 7, 4 * KiB, 0xb0 + 15);
    await again.close();
  });

  it('handles images larger than 4 GiB', async () => {
    const file = join(dir, 'big.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', file, '10G');
    const disk = backendOf(await openImage(file));
    const far = 9 * 1024 * MiB + 12345;
    expectOk(await disk.write(far, pattern(0xee, 70 * KiB)));
    await expectBytes(disk, far, 70 * KiB, 0xee);
    expect(disk.size).toBe(10 * 1024 * MiB);
    await disk.close();
    expectQemuReads(file, `read -P 0xee ${far} 70k`, `read -P 0 ${far - 1000} 1000`);
    expectClean(file);
  });
});

describe('qcow2 cluster kinds made by QEMU', () => {
  it('reads compressed clusters, and writes over them by copy-on-write', async () => {
    const raw = join(dir, 'compress-src.raw');
    const file = join(dir, 'compressed.qcow2');
    qemuImg('create', '-q', '-f', 'raw', raw, '4M');
    qemuIo(raw, 'raw', 'write -P 0x5c 0 1M', 'write -P 0x3a 1M 100k', 'write -P 0x7e 3M 64k');
    qemuImg('convert', '-c', '-O', 'qcow2', '-f', 'raw', raw, file);
    expect(qemuImg('check', file)).toMatch(/ [1-9][\d.]*% compressed clusters/);

    const disk = backendOf(await openImage(file));
    await expectBytes(disk, 0, MiB, 0x5c);
    await expectBytes(disk, MiB, 100 * KiB, 0x3a);
    await expectBytes(disk, MiB + 100 * KiB, 2 * MiB - 100 * KiB, 0);
    await expectBytes(disk, 3 * MiB, 64 * KiB, 0x7e);
    // Part of one compressed cluster, and a span across two.
    expectOk(await disk.write(10 * KiB, pattern(0x01, 100)));
    expectOk(await disk.write(MiB - 1000, pattern(0x02, 3000)));
    await disk.close();

    expectQemuReads(
      file,
      'read -P 0x5c 0 10k',
      `read -P 0x01 10k 100`,
      `read -P 0x5c ${10 * KiB + 100} ${MiB - 1000 - 10 * KiB - 100}`,
      `read -P 0x02 ${MiB - 1000} 3000`,
      `read -P 0x3a ${MiB + 2000} ${100 * KiB - 2000}`,
      'read -P 0x7e 3M 64k',
    );
    expectClean(file);
  });

  it('reads zero clusters (v3 zero flag) as zeros and writes into them', async () => {
    const file = join(dir, 'zero.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', file, '4M');
    qemuIo(file, 'qcow2', 'write -P 0x99 0 1M', 'write -z 64k 128k', 'write -z 2M 64k');
    const disk = backendOf(await openImage(file));
    await expectBytes(disk, 0, 64 * KiB, 0x99);
    await expectBytes(disk, 64 * KiB, 128 * KiB, 0);
    await expectBytes(disk, 192 * KiB, MiB - 192 * KiB, 0x99);
    expectOk(await disk.write(100 * KiB, pattern(0x42, 10)));
    expectOk(await disk.write(2 * MiB + 5, pattern(0x43, 10)));
    await disk.close();
    expectQemuReads(
      file,
      'read -P 0 64k 36k',
      `read -P 0x42 100k 10`,
      `read -P 0 ${100 * KiB + 10} ${92 * KiB - 10}`,
      'read -P 0 2M 5',
      `read -P 0x43 ${2 * MiB + 5} 10`,
    );
    expectClean(file);
  });

  it('copies clusters and L2 tables shared with an internal snapshot before writing', async () => {
    const file = join(dir, 'internal-snapshot.qcow2');
    const saved = join(dir, 'internal-snapshot-saved.raw');
    qemuImg('create', '-q', '-f', 'qcow2', file, '4M');
    qemuIo(file, 'qcow2', 'write -P 0x61 0 256k', 'write -P 0x62 1M 64k');
    qemuImg('snapshot', '-c', 'before', file);
    const disk = backendOf(await openImage(file));
    expectOk(await disk.write(1000, pattern(0x71, 2000)));
    expectOk(await disk.write(3 * MiB, pattern(0x72, 4096)));
    await disk.close();
    expectClean(file);
    expectQemuReads(file, 'read -P 0x61 0 1000', 'read -P 0x71 1000 2000', 'read -P 0x72 3M 4k');
    // The snapshot still holds the old data.
    qemuImg('convert', '-O', 'raw', '-l', 'snapshot.name=before', file, saved);
    const result = qemuIo(
      saved,
      'raw',
      'read -P 0x61 0 256k',
      'read -P 0x62 1M 64k',
      'read -P 0 3M 4k',
    );
    expect(result.ok, result.output).toBe(true);
  });
});

describe('qcow2 backing files', () => {
  it('reads through to a raw backing file named by a relative path, and copies on write', async () => {
    const base = join(dir, 'base.raw');
    const overlay = join(dir, 'overlay-of-raw.qcow2');
    qemuImg('create', '-q', '-f', 'raw', base, '2M');
    qemuIo(base, 'raw', 'write -P 0xba 0 2M');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', overlay, '4M');
    const before = qemuImg('info', '--output=json', base);

    const disk = backendOf(await openImage(overlay));
    expect(disk.medium?.backing?.format).toBe('raw');
    await expectBytes(disk, 0, 2 * MiB, 0xba);
    await expectBytes(disk, 2 * MiB, 2 * MiB, 0); // past the end of the backing file
    expectOk(await disk.write(70 * KiB, pattern(0xcc, 10)));
    await expectBytes(disk, 64 * KiB, 6 * KiB, 0xba);
    await expectBytes(disk, 70 * KiB, 10, 0xcc);
    await disk.close();

    expectQemuReads(
      overlay,
      'read -P 0xba 64k 6k',
      'read -P 0xcc 70k 10',
      `read -P 0xba ${70 * KiB + 10} ${58 * KiB - 10}`,
    );
    expectClean(overlay);
    expect(qemuImg('info', '--output=json', base)).toBe(before);
    expect(qemuIo(base, 'raw', 'read -P 0xba 0 2M').ok).toBe(true);
  });

  it('follows a chain of qcow2 images named by absolute paths', async () => {
    const base = join(dir, 'chain-base.qcow2');
    const middle = join(dir, 'chain-middle.qcow2');
    const top = join(dir, 'chain-top.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', base, '1M');
    qemuIo(base, 'qcow2', 'write -P 0x01 0 1M');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', middle, '1M');
    qemuIo(middle, 'qcow2', 'write -P 0x02 256k 256k');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', middle, '-F', 'qcow2', top, '1M');
    qemuIo(top, 'qcow2', 'write -P 0x03 512k 64k');

    const disk = backendOf(await openImage(top));
    await expectBytes(disk, 0, 256 * KiB, 0x01);
    await expectBytes(disk, 256 * KiB, 256 * KiB, 0x02);
    await expectBytes(disk, 512 * KiB, 64 * KiB, 0x03);
    await expectBytes(disk, 576 * KiB, 448 * KiB, 0x01);
    expectOk(await disk.write(300 * KiB, pattern(0x04, 1)));
    await disk.close();
    expectQemuReads(
      top,
      'read -P 0x02 256k 44k',
      `read -P 0x04 300k 1`,
      `read -P 0x02 ${300 * KiB + 1} ${20 * KiB - 1}`,
    );
    expectQemuReads(middle, 'read -P 0x02 256k 256k');
    for (const image of [top, middle, base]) expectClean(image);
  });

  it('fails at open with one line when the backing file is missing', async () => {
    const overlay = join(dir, 'orphan.qcow2');
    const base = join(dir, 'soon-gone.raw');
    qemuImg('create', '-q', '-f', 'raw', base, '1M');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', 'soon-gone.raw', '-F', 'raw', overlay, '1M');
    rmSync(base);
    await expect(openImage(overlay)).rejects.toThrow(
      `Could not open backing file: Could not open '${base}': No such file or directory`,
    );
  });
});
