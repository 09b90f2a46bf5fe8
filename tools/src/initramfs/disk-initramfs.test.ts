import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runToolOk } from '../testing/run-tool.js';
import {
  buildDiskInitramfs,
  GUEST_MODULES_DIR,
  LOAD_DISK_MODULES_PATH,
  loadDiskModulesScript,
} from './disk-initramfs.js';
import { buildInitramfs, INITRAMFS_READY_MARKER } from './initramfs.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-disk-initramfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Stand-ins: the archive's layout is under test here; the guest-image tool's test builds it
// from Debian's busybox and kernel modules, and apps/cli's linux-disk e2e test boots it.
const fakeBusybox = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 9, 9, 9]);
const modules = [
  { name: 'scsi_common', data: new Uint8Array(100).fill(1) },
  { name: 'libata', data: new Uint8Array(300).fill(2) },
  { name: 'ata_piix', data: new Uint8Array(200).fill(3) },
];

function extract(gz: Uint8Array): string {
  const dir = mkdtempSync(join(work, 'root-'));
  runToolOk('cpio', ['-idm', '-H', 'newc', '--quiet', '--no-absolute-filenames'], {
    input: gunzipSync(gz),
    cwd: dir,
    debianPackage: 'cpio',
  });
  return dir;
}

describe('buildDiskInitramfs', () => {
  const gz = buildDiskInitramfs({ busybox: fakeBusybox, modules });

  it('holds the modules in /lib/modules and the standard /init with its marker', () => {
    const root = extract(gz);
    for (const module of modules) {
      const file = readFileSync(join(root, GUEST_MODULES_DIR, `${module.name}.ko`));
      expect(file.equals(Buffer.from(module.data)), module.name).toBe(true);
    }
    expect(readFileSync(join(root, 'init'), 'utf8')).toContain(`echo ${INITRAMFS_READY_MARKER}\n`);
    expect(readFileSync(join(root, 'bin/busybox')).equals(Buffer.from(fakeBusybox))).toBe(true);
    const listing = runToolOk('cpio', ['-itv', '-H', 'newc', '--quiet'], {
      input: gunzipSync(gz),
      debianPackage: 'cpio',
    }).toString();
    expect(listing).toMatch(/^drwxr-xr-x .* lib$/m);
    expect(listing).toMatch(/^drwxr-xr-x .* lib\/modules$/m);
    expect(listing).toMatch(/^-rwxr-xr-x .* sbin\/load-disk-modules$/m);
  });

  it('has a script that insmods the modules in the given order and stops at a failure', () => {
    const root = extract(gz);
    const script = readFileSync(join(root, LOAD_DISK_MODULES_PATH), 'utf8');
    expect(script).toBe(loadDiskModulesScript(['scsi_common', 'libata', 'ata_piix']));
    expect(script).toContain('for module in scsi_common libata ata_piix; do');
    expect(script).toContain(`insmod ${GUEST_MODULES_DIR}/$module.ko || {`);
    expect(script).toContain('exit 1');
    runToolOk('sh', ['-n', join(root, LOAD_DISK_MODULES_PATH)], { debianPackage: 'dash' });
  });

  it('leaves the standard initramfs as it was: the same files, not the modules', () => {
    const plain = extract(buildInitramfs({ busybox: fakeBusybox }));
    expect(() => readFileSync(join(plain, LOAD_DISK_MODULES_PATH))).toThrow(/ENOENT/);
    const disk = extract(gz);
    expect(readFileSync(join(disk, 'init'), 'utf8')).toBe(
      readFileSync(join(plain, 'init'), 'utf8'),
    );
    expect(readFileSync(join(disk, 'etc/inittab'), 'utf8')).toBe(
      readFileSync(join(plain, 'etc/inittab'), 'utf8'),
    );
  });

  it('refuses no modules, a module twice and a name the script cannot carry', () => {
    expect(() => buildDiskInitramfs({ busybox: fakeBusybox, modules: [] })).toThrow(/no kernel/);
    expect(() =>
      buildDiskInitramfs({ busybox: fakeBusybox, modules: [modules[0], modules[0]] }),
    ).toThrow(/given twice/);
    expect(() => loadDiskModulesScript(['ok', 'rm -rf'])).toThrow(/\[A-Za-z0-9_\]/);
  });

  it('gives the same bytes for the same inputs', () => {
    const again = buildDiskInitramfs({ busybox: fakeBusybox, modules });
    expect(Buffer.from(again).equals(Buffer.from(gz))).toBe(true);
  });
});
