/**
 * BlockBackend as a device model uses it: sector and byte requests, range checks,
 * read-only and empty drives, the write cache, close. No request ever throws at the guest.
 */
import { describe, expect, it } from 'vitest';
import {
  BlockBackend,
  type BlockDriver,
  BlockIoFailure,
  MemoryImageFile,
  RawDriver,
} from '../src/index.js';
import { expectOk, pattern } from './helpers.js';

function memoryDisk(
  bytes = 8 * 512,
  options: Partial<ConstructorParameters<typeof BlockBackend>[0]> = {},
) {
  const file = new MemoryImageFile('mem.img', new Uint8Array(bytes));
  const backend = new BlockBackend({ name: 'ide0-hd0', driver: new RawDriver(file), ...options });
  return { file, backend };
}

describe('BlockBackend requests', () => {
  it('reads and writes sectors and bytes', async () => {
    const { file, backend } = memoryDisk();
    expect(backend.sectors).toBe(8);
    expectOk(await backend.writeSectors(2, pattern(0xab, 1024)));
    expectOk(await backend.write(5, pattern(0xcd, 3)));
    const sector = new Uint8Array(512);
    expectOk(await backend.readSectors(3, sector));
    expect(sector.every((b) => b === 0xab)).toBe(true);
    expect([...file.toBytes().subarray(4, 9)]).toEqual([0, 0xcd, 0xcd, 0xcd, 0]);
  });

  it('rejects requests outside the medium as an error value', async () => {
    const { backend } = memoryDisk();
    const sector = new Uint8Array(512);
    expect(await backend.readSectors(8, sector)).toMatchObject({
      ok: false,
      error: { code: 'out-of-range' },
    });
    expect(await backend.readSectors(7, new Uint8Array(1024))).toMatchObject({
      ok: false,
      error: { code: 'out-of-range' },
    });
    expect(await backend.writeSectors(-1, sector)).toMatchObject({
      ok: false,
      error: { code: 'out-of-range' },
    });
    expect(await backend.write(8 * 512 - 1, new Uint8Array(2))).toMatchObject({
      ok: false,
      error: { code: 'out-of-range' },
    });
    expect(await backend.read(2 ** 52, sector)).toMatchObject({
      ok: false,
      error: { code: 'out-of-range' },
    });
    // The last sector itself is fine.
    expectOk(await backend.readSectors(7, sector));
  });

  it('throws only for host-side mistakes: partial sectors, non-integer offsets', () => {
    const { backend } = memoryDisk();
    expect(() => backend.readSectors(0, new Uint8Array(100))).toThrow('not a multiple of 512');
    expect(() => backend.read(0.5, new Uint8Array(1))).toThrow('must be an integer');
  });

  it('refuses writes to read-only media, and a CD-ROM is read-only', async () => {
    const readOnly = memoryDisk(4096, { readOnly: true }).backend;
    expect(await readOnly.writeSectors(0, pattern(1, 512))).toMatchObject({
      ok: false,
      error: { code: 'read-only' },
    });
    const cd = memoryDisk(4096, { media: 'cdrom', name: 'ide1-cd0' }).backend;
    expect(cd.readOnly).toBe(true);
    expect(await cd.writeSectors(0, pattern(1, 512))).toMatchObject({
      ok: false,
      error: { code: 'read-only' },
    });
    expectOk(await cd.readSectors(0, new Uint8Array(2048)));
  });

  it('an empty drive answers no-medium until a medium is inserted, and tells listeners', async () => {
    const cd = new BlockBackend({ name: 'ide1-cd0', driver: null, media: 'cdrom' });
    const changes: boolean[] = [];
    cd.onMediumChange((backend) => changes.push(backend.isInserted));
    expect(cd.sectors).toBe(0);
    expect(await cd.readSectors(0, new Uint8Array(512))).toMatchObject({
      ok: false,
      error: { code: 'no-medium' },
    });
    cd.insert(new RawDriver(new MemoryImageFile('disc.iso', pattern(7, 4096), true)));
    expect(cd.sectors).toBe(8);
    const sector = new Uint8Array(512);
    expectOk(await cd.readSectors(1, sector));
    expect(sector[0]).toBe(7);
    await cd.eject();
    expect(cd.isInserted).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('a size that is not whole sectors is rounded up; the tail reads as zeros', async () => {
    const file = new MemoryImageFile('odd.img', pattern(9, 1000));
    const backend = new BlockBackend({ name: 'odd', driver: new RawDriver(file) });
    expect(backend.sectors).toBe(2);
    const buffer = new Uint8Array(1024);
    expectOk(await backend.readSectors(0, buffer));
    expect(buffer[999]).toBe(9);
    expect(buffer[1000]).toBe(0);
  });

  it('turns a failing driver into an io-error result', async () => {
    const failing: BlockDriver = {
      format: 'raw',
      filename: 'broken',
      size: 4096,
      readOnly: false,
      backing: null,
      read: async () => {
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      },
      write: async () => {
        throw new BlockIoFailure('permission-denied', 'no');
      },
      flush: async () => {},
      close: async () => {},
      closeSync: () => {},
    };
    const backend = new BlockBackend({ name: 'bad', driver: failing });
    expect(await backend.read(0, new Uint8Array(512))).toEqual({
      ok: false,
      error: { code: 'io-error', message: 'bad: Input/output error' },
    });
    expect(await backend.write(0, new Uint8Array(512))).toEqual({
      ok: false,
      error: { code: 'permission-denied', message: 'no' },
    });
  });

  it('with the write cache off, every write is flushed before it completes', async () => {
    const { file, backend } = memoryDisk(4096, { writeCache: false });
    let flushes = 0;
    const flush = file.flush.bind(file);
    file.flush = async () => {
      flushes++;
      await flush();
    };
    expectOk(await backend.writeSectors(0, pattern(1, 512)));
    expect(flushes).toBe(1);
    backend.writeCacheEnabled = true;
    expectOk(await backend.writeSectors(0, pattern(1, 512)));
    expect(flushes).toBe(1);
    expectOk(await backend.flush());
    expect(flushes).toBe(2);
  });

  it('cache=unsafe: flushes complete without reaching the file', async () => {
    const { file, backend } = memoryDisk(4096, { noFlush: true });
    let flushes = 0;
    file.flush = async () => {
      flushes++;
    };
    expectOk(await backend.flush());
    expect(flushes).toBe(0);
  });

  it('close waits for requests in flight; later requests answer closed', async () => {
    const { backend } = memoryDisk();
    const pending = backend.writeSectors(0, pattern(3, 512));
    await backend.close();
    expectOk(await pending);
    expect(await backend.readSectors(0, new Uint8Array(512))).toMatchObject({
      ok: false,
      error: { code: 'closed' },
    });
    expect(await backend.flush()).toMatchObject({ ok: false, error: { code: 'closed' } });
    await backend.close(); // harmless
  });
});
