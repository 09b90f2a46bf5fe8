import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToolOk } from '../testing/run-tool.js';
import { buildBootDisk, chsBytes } from './mbr.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-mbr-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** cli; hlt; jmp $-1: a boot sector that halts. */
const HALT = Uint8Array.of(0xfa, 0xf4, 0xeb, 0xfd);

interface SfdiskTable {
  partitiontable: {
    label: string;
    partitions?: Array<{ start: number; size: number; type: string; bootable?: boolean }>;
  };
}

function sfdiskJson(disk: Uint8Array, name: string): SfdiskTable {
  const path = join(work, name);
  writeFileSync(path, disk);
  return JSON.parse(runToolOk('sfdisk', ['--json', path], { debianPackage: 'fdisk' }).toString());
}

describe('buildBootDisk', () => {
  it('puts the boot code at 0 and the 0x55 0xaa signature at 510 of a 1 MiB image', () => {
    const disk = buildBootDisk({ bootCode: HALT });
    expect(disk.length).toBe(1024 * 1024);
    expect([...disk.subarray(0, 4)]).toEqual([...HALT]);
    expect([disk[510], disk[511]]).toEqual([0x55, 0xaa]);
    expect(disk.subarray(4, 510).every((b) => b === 0)).toBe(true);
    // sfdisk sees a DOS label with no partitions.
    expect(sfdiskJson(disk, 'plain.img').partitiontable.label).toBe('dos');
  });

  it('places a payload from sector 1 for boot code that reads more sectors', () => {
    const payload = Uint8Array.from({ length: 1500 }, (_, i) => i & 0xff);
    const disk = buildBootDisk({ bootCode: HALT, payload, sizeBytes: 4096 });
    expect(disk.length).toBe(4096);
    expect(disk.subarray(512, 2012)).toEqual(payload);
    expect(disk.subarray(2012).every((b) => b === 0)).toBe(true);
  });

  it('writes a partition table that sfdisk reads back', () => {
    const disk = buildBootDisk({
      bootCode: HALT,
      sizeBytes: 8 * 1024 * 1024,
      partitions: [
        { type: 0x83, startLba: 2048, sectorCount: 8192, bootable: true },
        { type: 0x0c, startLba: 10240, sectorCount: 6144 },
      ],
    });
    const table = sfdiskJson(disk, 'parted.img').partitiontable;
    expect(table.label).toBe('dos');
    expect(table.partitions?.map((p) => [p.start, p.size, p.type, p.bootable ?? false])).toEqual([
      [2048, 8192, '83', true],
      [10240, 6144, 'c', false],
    ]);
  });

  it('encodes CHS as QEMU geometry (16 heads, 63 sectors) and caps it past cylinder 1023', () => {
    expect(chsBytes(0)).toEqual([0, 1, 0]);
    expect(chsBytes(2048)).toEqual([0, 33, 2]); // cylinder 2, head 0, sector 33
    expect(chsBytes(1024 * 16 * 63)).toEqual([0xfe, 0xff, 0xff]);
  });

  it('refuses boot code that overlaps the table or signature, and bad sizes', () => {
    expect(() => buildBootDisk({ bootCode: new Uint8Array(511) })).toThrow(/at most 510/);
    expect(() =>
      buildBootDisk({
        bootCode: new Uint8Array(447),
        partitions: [{ type: 0x83, startLba: 1, sectorCount: 1 }],
      }),
    ).toThrow(/at most 446/);
    expect(() => buildBootDisk({ bootCode: HALT, sizeBytes: 1000 })).toThrow(/multiple of 512/);
    expect(() =>
      buildBootDisk({ bootCode: HALT, payload: new Uint8Array(600), sizeBytes: 1024 }),
    ).toThrow(/too small/);
    expect(() =>
      buildBootDisk({
        bootCode: HALT,
        sizeBytes: 4096,
        partitions: [{ type: 0x83, startLba: 4, sectorCount: 5 }],
      }),
    ).toThrow(/ends past the disk/);
  });
});
