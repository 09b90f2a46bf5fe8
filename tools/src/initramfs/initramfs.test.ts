import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runToolOk } from '../testing/run-tool.js';
import {
  buildInitramfs,
  buildInitramfsArchive,
  INITRAMFS_READY_MARKER,
  INITTAB,
  initScript,
} from './initramfs.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-initramfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A stand-in for Debian's busybox-static: the archive's layout is under test here; the
// guest-image tool's test builds it from the real one (and booting it is checked by hand
// with QEMU, see tools/README.md).
const fakeBusybox = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 9, 9, 9]);

function cpioListing(archive: Uint8Array): string[] {
  return runToolOk('cpio', ['-itv', '-H', 'newc', '--quiet'], {
    input: archive,
    debianPackage: 'cpio',
  })
    .toString()
    .trimEnd()
    .split('\n');
}

describe('buildInitramfs', () => {
  const gz = buildInitramfs({ busybox: fakeBusybox });

  it('is a gzip-compressed newc archive that GNU cpio lists', () => {
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const listing = cpioListing(gunzipSync(gz));
    const find = (name: string) =>
      listing.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `));
    expect(find('dev/console')).toMatch(/^crw------- +1 root +root +5, +1 /);
    expect(find('bin/busybox')).toMatch(/^-rwxr-xr-x +1 root +root +11 /);
    expect(find('bin/sh')).toMatch(/^lrwxrwxrwx .* bin\/sh -> \/bin\/busybox$/);
    expect(find('sbin/init')).toMatch(/sbin\/init -> \/bin\/busybox$/);
    expect(find('init')).toMatch(/^-rwxr-xr-x /);
    expect(find('tmp')).toMatch(/^drwxrwxrwt /);
    for (const dir of ['proc', 'sys', 'dev', 'etc', 'usr/bin', 'usr/sbin']) {
      expect(find(dir)).toMatch(/^d/);
    }
  });

  it('has an /init that mounts proc, sysfs and devtmpfs, prints the marker and starts init', () => {
    runToolOk('cpio', ['-idm', '-H', 'newc', '--quiet', '--no-absolute-filenames'], {
      input: gunzipSync(gz),
      cwd: work,
      debianPackage: 'cpio',
    });
    const init = readFileSync(join(work, 'init'), 'utf8');
    expect(init.startsWith('#!/bin/sh\n')).toBe(true);
    expect(init).toContain('mount -t proc proc /proc');
    expect(init).toContain('mount -t sysfs sysfs /sys');
    expect(init).toContain('mount -t devtmpfs devtmpfs /dev');
    expect(init).toContain(`echo ${INITRAMFS_READY_MARKER}\n`);
    expect(init.trimEnd().endsWith('exec /sbin/init')).toBe(true);
    // The host's sh parses it: no syntax error can reach the guest.
    runToolOk('sh', ['-n', join(work, 'init')], { debianPackage: 'dash' });
    // busybox init keeps a shell with a controlling terminal on the console.
    expect(readFileSync(join(work, 'etc/inittab'), 'utf8')).toContain(
      '::respawn:/bin/cttyhack /bin/sh -l',
    );
  });

  it('takes another marker and extra files', () => {
    const archive = buildInitramfsArchive({
      busybox: fakeBusybox,
      marker: 'BENCH-READY',
      extraFiles: [{ path: '/etc/bench.sh', data: 'echo bench\n', mode: 0o755 }],
    });
    const listing = cpioListing(archive);
    expect(listing.some((l) => /^-rwxr-xr-x .* etc\/bench\.sh$/.test(l))).toBe(true);
    expect(new TextDecoder().decode(archive)).toContain('echo BENCH-READY\n');
    expect(initScript('X')).toContain('echo X\n');
  });

  it('takes another inittab, and keeps the console shell by default', () => {
    const extract = (archive: Uint8Array, name: string) => {
      const dir = mkdtempSync(join(work, 'inittab-'));
      runToolOk('cpio', ['-idm', '-H', 'newc', '--quiet', '--no-absolute-filenames'], {
        input: archive,
        cwd: dir,
        debianPackage: 'cpio',
      });
      return readFileSync(join(dir, name), 'utf8');
    };
    const custom = '::once:/bin/sh /etc/bench.sh\n';
    const archive = buildInitramfsArchive({ busybox: fakeBusybox, inittab: custom });
    expect(extract(archive, 'etc/inittab')).toBe(custom);
    expect(extract(buildInitramfsArchive({ busybox: fakeBusybox }), 'etc/inittab')).toBe(INITTAB);
  });

  it('refuses a marker that is not one word, and relative extra paths', () => {
    expect(() => buildInitramfs({ busybox: fakeBusybox, marker: 'two words' })).toThrow(/one word/);
    expect(() =>
      buildInitramfs({ busybox: fakeBusybox, extraFiles: [{ path: 'etc/x', data: '' }] }),
    ).toThrow(/absolute/);
  });

  it('gives the same bytes for the same busybox', () => {
    expect(Buffer.from(buildInitramfs({ busybox: fakeBusybox })).equals(Buffer.from(gz))).toBe(
      true,
    );
  });
});
