/**
 * `-drive`, `-hda`..`-hdd`, `-cdrom` and `-snapshot` as the command uses them: parsing,
 * placement on the IDE buses, opening into the machine's registry, and -snapshot leaving
 * the image files byte for byte as they were.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BlockBackendRegistry,
  DriveOptionError,
  driveShorthand,
  openDrive,
  openDrives,
  parseDriveOptions,
  resolveDrives,
} from '../src/index.js';
import { expectOk, pattern, qemuImg, qemuImgCheck, qemuIo, scratchDir } from './helpers.js';

const dir = scratchDir();

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('-drive parsing', () => {
  it('reads QEMU\'s options, with ",," for a comma in a value', () => {
    expect(
      parseDriveOptions(
        'file=my,,disk.img,format=qcow2,if=ide,index=1,media=disk,readonly=on,snapshot=on,cache=writethrough,id=d0',
      ),
    ).toEqual({
      file: 'my,disk.img',
      format: 'qcow2',
      interface: 'ide',
      index: 1,
      media: 'disk',
      readOnly: true,
      snapshot: true,
      writeCache: false,
      noFlush: false,
      id: 'd0',
    });
    expect(parseDriveOptions('file=a.iso,media=cdrom,readonly')).toMatchObject({
      media: 'cdrom',
      readOnly: true,
    });
    expect(parseDriveOptions('file=a.img,cache=unsafe')).toMatchObject({
      writeCache: true,
      noFlush: true,
    });
    expect(parseDriveOptions('file=a.img,nosnapshot')).toMatchObject({ snapshot: false });
    expect(parseDriveOptions('if=none,id=cd,media=cdrom')).toEqual({
      interface: 'none',
      id: 'cd',
      media: 'cdrom',
      readOnly: false,
      writeCache: true,
      noFlush: false,
    });
  });

  it.each([
    ['file=a.img,bogus=1', "Invalid parameter 'bogus'"],
    ['file=a.img,format=vmdk', "format 'vmdk' is not supported by tsemu (supported: raw, qcow2)"],
    ['file=a.img,format=zip', "'zip' invalid format"],
    ['file=a.img,if=virtio', 'if=virtio is not supported by tsemu (supported: ide, none)'],
    ['file=a.img,if=bus9', "unsupported bus type 'bus9'"],
    ['file=a.img,media=tape', "'tape' invalid media"],
    ['file=a.img,readonly=maybe', "Parameter 'readonly' expects 'on' or 'off'"],
    ['file=a.img,cache=sometimes', 'invalid cache option'],
    ['file=a.img,index=x', "Parameter 'index' expects a non-negative number"],
    ['file=a.img,serial=1234', "-drive option 'serial' is not supported by tsemu"],
    ['file=a.img,aio=io_uring', 'aio=io_uring is not supported by tsemu (only aio=threads)'],
    ['file=a.img,id=0bad', "Parameter 'id' expects an identifier"],
  ])('%s is refused: %s', (text, message) => {
    expect(() => parseDriveOptions(text)).toThrow(DriveOptionError);
    expect(() => parseDriveOptions(text)).toThrow(message);
  });
});

describe('placing drives on the IDE buses', () => {
  it("-hda..-hdd and -cdrom take QEMU's indexes and ids", () => {
    const drives = resolveDrives([
      driveShorthand('-hda', 'a,b.img'),
      driveShorthand('-hdb', 'b.img'),
      driveShorthand('-cdrom', 'c.iso'),
      driveShorthand('-hdd', 'd.img'),
    ]);
    expect(drives.map((d) => [d.id, d.bus, d.unit, d.media, d.readOnly, d.file])).toEqual([
      ['ide0-hd0', 0, 0, 'disk', false, 'a,b.img'],
      ['ide0-hd1', 0, 1, 'disk', false, 'b.img'],
      ['ide1-cd0', 1, 0, 'cdrom', true, 'c.iso'],
      ['ide1-hd1', 1, 1, 'disk', false, 'd.img'],
    ]);
  });

  it('drives without an index take the next free unit; -snapshot applies unless snapshot=off', () => {
    const drives = resolveDrives(
      [
        parseDriveOptions('file=x.img'),
        parseDriveOptions('file=y.img,snapshot=off'),
        parseDriveOptions('file=z.img,bus=1'),
      ],
      { snapshot: true },
    );
    expect(drives.map((d) => [d.id, d.index, d.snapshot])).toEqual([
      ['ide0-hd0', 0, true],
      ['ide0-hd1', 1, false],
      ['ide1-hd0', 2, true],
    ]);
  });

  it.each([
    [['-hda a.img', 'file=b.img,index=0'], 'drive with bus=0, unit=0 (index=0) exists'],
    [['file=b.img,index=1,bus=0'], 'index cannot be used with bus and unit'],
    [['file=b.img,unit=2'], 'unit 2 too big (max is 1)'],
    [['file=b.img,index=4'], 'Too many IDE buses defined (3 > 2)'],
    [['file=b.img,id=x', 'file=c.img,id=x'], "Duplicate ID 'x' for drive"],
    [
      ['if=ide,media=disk'],
      "drive 'ide0-hd0' has no file: a disk needs a medium (only media=cdrom may be empty)",
    ],
  ])('%j is refused: %s', (specs, message) => {
    const drives = specs.map((spec) =>
      spec.startsWith('-hda ') ? driveShorthand('-hda', spec.slice(5)) : parseDriveOptions(spec),
    );
    expect(() => resolveDrives(drives)).toThrow(message);
  });
});

describe('opening drives', () => {
  it("opens a machine's drives into its registry, and an empty CD-ROM drive", async () => {
    const disk = join(dir, 'machine-disk.qcow2');
    const iso = join(dir, 'machine-cd.iso');
    qemuImg('create', '-q', '-f', 'qcow2', disk, '16M');
    writeFileSync(iso, pattern(0x43, 2048 * 10));
    const registry = new BlockBackendRegistry();
    const drives = resolveDrives([
      driveShorthand('-hda', disk),
      driveShorthand('-cdrom', iso),
      parseDriveOptions('if=ide,index=3,media=cdrom'),
    ]);
    const warnings: string[] = [];
    const backends = await openDrives(drives, registry, { warn: (w) => warnings.push(w) });
    expect(backends.map((b) => [b.name, b.media, b.isInserted, b.readOnly])).toEqual([
      ['ide0-hd0', 'disk', true, false],
      ['ide1-cd0', 'cdrom', true, true],
      ['ide1-cd1', 'cdrom', false, true],
    ]);
    expect(warnings).toEqual([]);
    const hd = registry.get('ide0-hd0')!;
    expectOk(await hd.writeSectors(100, pattern(0x48, 4096)));
    expect((await registry.flushAll()).map((r) => r.result.ok)).toEqual([true, true, true]);
    await registry.closeAll();
    expect(registry.size).toBe(0);
    expect(hd.isClosed).toBe(true);
    expect(qemuIo(disk, 'qcow2', 'read -P 0x48 51200 4096').ok).toBe(true);
    expect(qemuImgCheck(disk).exitCode).toBe(0);
  });

  it('when one drive fails to open, the ones opened before it are closed again', async () => {
    const good = join(dir, 'good.img');
    writeFileSync(good, new Uint8Array(4096));
    const registry = new BlockBackendRegistry();
    const drives = resolveDrives([
      parseDriveOptions(`file=${good},format=raw`),
      parseDriveOptions(`file=${join(dir, 'missing.img')},format=raw`),
    ]);
    await expect(openDrives(drives, registry)).rejects.toThrow('No such file or directory');
    expect(registry.size).toBe(0);
  });
});

describe('-snapshot', () => {
  it.each(['raw', 'qcow2'] as const)(
    'writes to a %s image go to a temporary overlay; the file is byte-identical',
    async (format) => {
      const file = join(dir, `snap-base.${format}`);
      const tempDir = join(dir, `snapshot-temp-${format}`);
      mkdirSync(tempDir);
      qemuImg('create', '-q', '-f', format, file, '8M');
      qemuIo(file, format, 'write -P 0x10 0 1M');
      const before = sha(file);

      const [drive] = resolveDrives([parseDriveOptions(`file=${file},format=${format}`)], {
        snapshot: true,
      });
      const disk = await openDrive(drive, { tempDir });
      // The overlay file is already unlinked: nothing is left behind, however the process ends.
      expect(readdirSync(tempDir)).toEqual([]);
      expect(disk.readOnly).toBe(false);
      expectOk(await disk.write(1000, pattern(0x99, 3 * 1024 * 1024)));
      expectOk(await disk.flush());
      const back = new Uint8Array(3 * 1024 * 1024 + 2000);
      expectOk(await disk.read(0, back));
      expect(back[999]).toBe(0x10);
      expect(back[1000]).toBe(0x99);
      expect(back[1000 + 3 * 1024 * 1024 - 1]).toBe(0x99);
      expect(back[1000 + 3 * 1024 * 1024]).toBe(0);
      await disk.close();

      expect(sha(file)).toBe(before);
      // Opened again without -snapshot, the image has its old content.
      const [plain] = resolveDrives([parseDriveOptions(`file=${file},format=${format}`)]);
      const again = await openDrive(plain);
      const sector = new Uint8Array(512);
      expectOk(await again.readSectors(2, sector));
      expect(sector[0]).toBe(0x10);
      await again.close();
    },
  );
});
