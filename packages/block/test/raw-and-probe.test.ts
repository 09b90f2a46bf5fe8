/**
 * Raw images on host files (large, sparse, odd-sized), format probing with QEMU's warning
 * and its guard on sector 0, and images in formats tsemu does not open.
 */
import { closeSync, openSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openImage, probeFormat, rawProbeWarning } from '../src/index.js';
import { backendOf, expectOk, pattern, qemuImg, qemuIo, scratchDir } from './helpers.js';

const dir = scratchDir();
const GiB = 1024 * 1024 * 1024;

function readAt(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, offset);
  closeSync(fd);
  return buffer;
}

describe('raw images', () => {
  it('reads and writes past 4 GiB in a sparse file without filling it', async () => {
    const file = join(dir, 'sparse.raw');
    writeFileSync(file, '');
    truncateSync(file, 6 * GiB);
    const disk = backendOf(await openImage(file, { format: 'raw' }));
    expect(disk.size).toBe(6 * GiB);
    const far = 5 * GiB + 4096 * 3 + 17;
    expectOk(await disk.write(far, pattern(0x3c, 10000)));
    const back = new Uint8Array(10002);
    expectOk(await disk.read(far - 1, back));
    expect(back[0]).toBe(0);
    expect(back[1]).toBe(0x3c);
    expect(back[10000]).toBe(0x3c);
    expect(back[10001]).toBe(0);
    expectOk(await disk.flush());
    await disk.close();
    expect(readAt(file, far, 4).toString('hex')).toBe('3c3c3c3c');
    // Still sparse: far less than 6 GiB of blocks allocated.
    expect(statSync(file).blocks * 512).toBeLessThan(1024 * 1024);
    expect(statSync(file).size).toBe(6 * GiB);
    expect(qemuIo(file, 'raw', `read -P 0x3c ${far} 10000`).ok).toBe(true);
  });

  it('reads what qemu-io wrote into a raw image', async () => {
    const file = join(dir, 'qemu-wrote.raw');
    qemuImg('create', '-q', '-f', 'raw', file, '1M');
    qemuIo(file, 'raw', 'write -P 0x6d 4096 8192');
    const disk = backendOf(await openImage(file, { format: 'raw' }));
    const buffer = new Uint8Array(16384);
    expectOk(await disk.read(0, buffer));
    expect(buffer.slice(4095, 4097)).toEqual(new Uint8Array([0, 0x6d]));
    expect(buffer.slice(12287, 12289)).toEqual(new Uint8Array([0x6d, 0]));
    await disk.close();
  });

  it('a read-only image refuses writes and leaves the file alone', async () => {
    const file = join(dir, 'cd.iso');
    writeFileSync(file, pattern(0x20, 2048 * 4));
    const warnings: string[] = [];
    const disk = backendOf(
      await openImage(file, { readOnly: true, warn: (w) => warnings.push(w) }),
    );
    expect(await disk.writeSectors(0, pattern(1, 512))).toMatchObject({
      ok: false,
      error: { code: 'read-only' },
    });
    await disk.close();
    expect(readAt(file, 0, 1)[0]).toBe(0x20);
    // QEMU warns about probed raw images only when they are writable.
    expect(warnings).toEqual([]);
  });
});

describe('format probing', () => {
  it("recognises qcow2 by its magic, and raw otherwise with QEMU's warning", async () => {
    const qcow2 = join(dir, 'probe.qcow2');
    const raw = join(dir, 'probe.img');
    qemuImg('create', '-q', '-f', 'qcow2', qcow2, '1M');
    qemuImg('create', '-q', '-f', 'raw', raw, '1M');
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    const a = await openImage(qcow2, { warn });
    const b = await openImage(raw, { warn });
    expect([a.format, b.format]).toEqual(['qcow2', 'raw']);
    expect(warnings).toEqual([rawProbeWarning(raw)]);
    expect(warnings[0]).toBe(
      `WARNING: Image format was not specified for '${raw}' and probing guessed raw.\n` +
        '         Automatically detecting the format is dangerous for raw images, write operations on block 0 will be restricted.\n' +
        "         Specify the 'raw' format explicitly to remove the restrictions.",
    );
    await a.close();
    await b.close();
  });

  it('a probed raw image refuses a guest write that would make it look like qcow2', async () => {
    const file = join(dir, 'guarded.img');
    writeFileSync(file, new Uint8Array(65536));
    const probed = backendOf(await openImage(file));
    const header = new Uint8Array(512);
    header.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);
    expect(await probed.writeSectors(0, header)).toMatchObject({
      ok: false,
      error: { code: 'permission-denied' },
    });
    // Byte-granular: the magic assembled from two writes is caught too.
    expectOk(await probed.write(0, new Uint8Array([0x51, 0x46])));
    expect(await probed.write(2, new Uint8Array([0x49, 0xfb]))).toMatchObject({ ok: false });
    // Anything else in sector 0 is fine (a boot sector, a partition table).
    const bootSector = new Uint8Array(512);
    bootSector[510] = 0x55;
    bootSector[511] = 0xaa;
    expectOk(await probed.writeSectors(0, bootSector));
    await probed.close();
    // With format=raw given, the guest may write what it likes.
    const explicit = backendOf(await openImage(file, { format: 'raw' }));
    expectOk(await explicit.writeSectors(0, header));
    await explicit.close();
    expect(readAt(file, 0, 4).toString('hex')).toBe('514649fb');
  });

  it('names formats tsemu does not open instead of treating them as raw', async () => {
    const vmdk = join(dir, 'disk.vmdk');
    qemuImg('create', '-q', '-f', 'vmdk', vmdk, '1M');
    await expect(openImage(vmdk)).rejects.toThrow(
      `Could not open '${vmdk}': image format 'vmdk' is not supported by tsemu (supported: raw, qcow2); convert it with 'qemu-img convert -O qcow2'`,
    );
    expect(probeFormat(new Uint8Array([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 1]))).toEqual({
      format: 'unsupported',
      name: 'qcow',
    });
    expect(probeFormat(new Uint8Array([0x51, 0x46]))).toEqual({ format: 'raw' });
  });

  it('a missing file or a folder is one clear line', async () => {
    await expect(openImage(join(dir, 'nope.img'))).rejects.toThrow(
      `Could not open '${join(dir, 'nope.img')}': No such file or directory`,
    );
    await expect(openImage(dir)).rejects.toThrow(`Could not open '${dir}': Is a directory`);
  });
});
