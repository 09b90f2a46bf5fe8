import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isoinfoDescribe,
  isoinfoExtract,
  isoinfoList,
  isovfy,
  saveImage,
} from '../testing/isoinfo.js';
import { bootImageChecksum } from './el-torito.js';
import { SECTOR_SIZE } from './encoding.js';
import { writeIso9660 } from './writer.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-iso-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const save = (image: Uint8Array) => saveImage(join(work, `${counter++}.iso`), image);

const bytes = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7) & 0xff);
const text = (s: string) => new TextEncoder().encode(s);

/** A fake boot image: 3 sectors of a pattern, so the checksum covers real data. */
const bootImage = bytes(3 * SECTOR_SIZE + 100, 1);

function bootableIso() {
  return writeIso9660({
    volumeId: 'TEST_VOLUME',
    files: [
      { path: 'BOOT/LOADER.BIN', data: bootImage },
      { path: 'README.TXT', data: text('hello from tsemu\n') },
      { path: 'DATA/NESTED/DEEP.DAT', data: bytes(5000, 2) },
      { path: 'EMPTY', data: new Uint8Array(0) },
    ],
    boot: { imagePath: 'BOOT/LOADER.BIN', catalogPath: 'BOOT/BOOT.CAT', bootInfoTable: true },
  });
}

describe('writeIso9660 (checked with isoinfo and isovfy from genisoimage)', () => {
  it('lists every file and directory with its size', () => {
    const path = save(bootableIso());
    const listing = isoinfoList(path);
    const summary = listing.map((e) => [e.path, e.directory ? 'dir' : e.size]);
    expect(summary).toEqual([
      ['/BOOT', 'dir'],
      ['/DATA', 'dir'],
      ['/EMPTY.;1', 0],
      ['/README.TXT;1', 17],
      ['/BOOT/BOOT.CAT;1', 2048],
      ['/BOOT/LOADER.BIN;1', bootImage.length],
      ['/DATA/NESTED', 'dir'],
      ['/DATA/NESTED/DEEP.DAT;1', 5000],
    ]);
    expect(isovfy(path)).toContain('No errors found');
  });

  it('gives back the same bytes for every file', () => {
    const path = save(bootableIso());
    expect(isoinfoExtract(path, '/README.TXT;1').toString()).toBe('hello from tsemu\n');
    expect(new Uint8Array(isoinfoExtract(path, '/DATA/NESTED/DEEP.DAT;1'))).toEqual(bytes(5000, 2));
  });

  it('describes the volume and an El Torito no-emulation boot entry', () => {
    const path = save(bootableIso());
    const description = isoinfoDescribe(path);
    expect(description).toContain('Volume id: TEST_VOLUME');
    expect(description).toContain('Logical block size is: 2048');
    expect(description).toMatch(/El Torito VD version 1 found, boot catalog is in sector (\d+)/);
    expect(description).toContain('Arch 0 (x86)');
    expect(description).toContain('Key 55 AA');
    expect(description).toContain('Bootid 88 (bootable)');
    expect(description).toContain('Boot media 0 (No Emulation Boot)');
    expect(description).toContain('Load segment 0');
    expect(description).toContain('Nsect 4');

    const catalogSector = Number(/boot catalog is in sector (\d+)/.exec(description)?.[1]);
    const listing = isoinfoList(path);
    expect(listing.find((e) => e.path === '/BOOT/BOOT.CAT;1')?.extent).toBe(catalogSector);
    // isoinfo prints the load RBA in hex: "Bootoff 1F 31".
    const bootOffset = /Bootoff ([0-9A-F]+) (\d+)/.exec(description);
    expect(Number(bootOffset?.[2])).toBe(
      listing.find((e) => e.path === '/BOOT/LOADER.BIN;1')?.extent,
    );
  });

  it('patches the boot info table as mkisofs -boot-info-table does', () => {
    const path = save(bootableIso());
    const loader = isoinfoExtract(path, '/BOOT/LOADER.BIN;1');
    const extent = isoinfoList(path).find((e) => e.path === '/BOOT/LOADER.BIN;1')?.extent;
    expect(loader.readUInt32LE(8)).toBe(16); // the primary volume descriptor's sector
    expect(loader.readUInt32LE(12)).toBe(extent); // the image's own sector
    expect(loader.readUInt32LE(16)).toBe(bootImage.length);
    // The checksum of the bytes from 64 on, computed here independently of the writer.
    let sum = 0;
    for (let i = 64; i < bootImage.length; i += 4) {
      sum = (sum + new DataView(bootImage.buffer, i, 4).getUint32(0, true)) >>> 0;
    }
    expect(loader.readUInt32LE(20)).toBe(sum);
    expect(loader.readUInt32LE(20)).toBe(bootImageChecksum(bootImage));
    expect([...loader.subarray(24, 64)].every((b) => b === 0)).toBe(true);
    // Everything outside the table is the image as given.
    expect(loader.subarray(0, 8)).toEqual(Buffer.from(bootImage.subarray(0, 8)));
    expect(loader.subarray(64)).toEqual(Buffer.from(bootImage.subarray(64)));
  });

  it('writes a boot catalog whose validation entry checksums to zero', () => {
    const image = bootableIso();
    const description = isoinfoDescribe(save(image));
    const catalogSector = Number(/boot catalog is in sector (\d+)/.exec(description)?.[1]);
    const catalog = image.subarray(catalogSector * SECTOR_SIZE, catalogSector * SECTOR_SIZE + 64);
    let sum = 0;
    for (let i = 0; i < 32; i += 2) sum += catalog[i] | (catalog[i + 1] << 8);
    expect(sum & 0xffff).toBe(0);
  });

  it('splits a directory over several sectors without a record straddling two', () => {
    const files = Array.from({ length: 150 }, (_, i) => ({
      path: `MANY/FILE${String(i).padStart(4, '0')}.BIN`,
      data: bytes(i, i),
    }));
    const path = save(writeIso9660({ files }));
    const listing = isoinfoList(path);
    const many = listing.find((e) => e.path === '/MANY');
    expect(many?.size).toBeGreaterThan(SECTOR_SIZE); // 150 records of 46 bytes: 4 sectors
    expect(listing.filter((e) => e.path.startsWith('/MANY/'))).toHaveLength(150);
    expect(isovfy(path)).toContain('No errors found');
    expect(new Uint8Array(isoinfoExtract(path, '/MANY/FILE0149.BIN;1'))).toEqual(bytes(149, 149));
  });

  it('reads back any set of files', () => {
    const name = fc.stringMatching(/^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$/);
    const directory = fc.constantFrom('', 'A/', 'B/C/', 'LONGNAME/');
    const files = fc.uniqueArray(fc.tuple(directory, name, fc.uint8Array({ maxLength: 5000 })), {
      minLength: 1,
      maxLength: 5,
      // A name may not be both a file and a directory of the same folder.
      selector: ([d, n]) => `${d}${n.split('.')[0]}`,
    });
    fc.assert(
      fc.property(files, (entries) => {
        const path = save(
          writeIso9660({ files: entries.map(([d, n, data]) => ({ path: `${d}${n}`, data })) }),
        );
        for (const [d, n, data] of entries) {
          const version = n.includes('.') ? `${n};1` : `${n}.;1`;
          expect(new Uint8Array(isoinfoExtract(path, `/${d}${version}`))).toEqual(data);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('gives the same bytes for the same inputs', () => {
    expect(Buffer.from(bootableIso()).equals(Buffer.from(bootableIso()))).toBe(true);
  });
});

describe('writeIso9660 refuses what level 1 readers cannot read', () => {
  const one = (path: string) => writeIso9660({ files: [{ path, data: new Uint8Array(1) }] });

  it('refuses lowercase, long and dotted names', () => {
    expect(() => one('boot/VMLINUZ')).toThrow(/directory "boot"/);
    expect(() => one('BOOT/vmlinuz')).toThrow(/file name "vmlinuz"/);
    expect(() => one('TOOLONGNAME.TXT')).toThrow(/NAME\.EXT/);
    expect(() => one('A.TEXT')).toThrow(/NAME\.EXT/);
    expect(() => one('A/B/C/D/E/F/G/H/I.TXT')).toThrow(/deeper than 8 levels/);
  });

  it('refuses a boot image that is not among the files, and a file given twice', () => {
    expect(() =>
      writeIso9660({ files: [], boot: { imagePath: 'X.BIN', catalogPath: 'BOOT.CAT' } }),
    ).toThrow(/boot image X\.BIN is not among the files/);
    expect(() =>
      writeIso9660({
        files: [
          { path: 'A.BIN', data: new Uint8Array(1) },
          { path: 'A.BIN', data: new Uint8Array(1) },
        ],
      }),
    ).toThrow(/given twice/);
  });
});
