/** The small commands, run as a person runs them: outputs checked with real tools. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isoinfoExtract, isoinfoList } from './testing/isoinfo.js';
import { runToolOk } from './testing/run-tool.js';

const TOOLS_DIR = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tsemu-commands-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `src/${command}.ts`, ...args], {
    cwd: TOOLS_DIR,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, data: Uint8Array | string): string {
  const path = join(work, name);
  writeFileSync(path, data);
  return path;
}

describe('make-boot-disk', () => {
  it('writes the boot sector, the signature and the payload at the size asked', () => {
    const out = join(work, 'disk.img');
    const bootCode = file('boot.bin', Uint8Array.of(0xfa, 0xf4, 0xeb, 0xfd));
    const payload = file('stage2.bin', 'STAGE2');
    const result = run('make-boot-disk', [
      '--boot-code',
      bootCode,
      '--payload',
      payload,
      '--size',
      '64K',
      '-o',
      out,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`wrote ${out} (65536 bytes)\n`);
    const disk = readFileSync(out);
    expect(disk.length).toBe(65536);
    expect([...disk.subarray(0, 4)]).toEqual([0xfa, 0xf4, 0xeb, 0xfd]);
    expect(disk.readUInt16BE(510)).toBe(0x55aa);
    expect(disk.subarray(512, 518).toString()).toBe('STAGE2');
  });

  it('explains a bad size or a boot sector that is too big in one line', () => {
    const big = file('big.bin', new Uint8Array(600));
    expect(run('make-boot-disk', ['--boot-code', big, '-o', join(work, 'x.img')])).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'make-boot-disk: boot disk: boot code is 600 bytes; at most 510 fit before the boot signature\n',
    });
    const small = file('small.bin', new Uint8Array(4));
    expect(
      run('make-boot-disk', ['--boot-code', small, '--size', 'huge', '-o', join(work, 'x.img')])
        .stderr,
    ).toBe(
      'make-boot-disk: --size must be a number of bytes, with an optional K or M suffix: got huge\n',
    );
  });
});

describe('build-initramfs', () => {
  it('writes a gzip-compressed cpio with the given busybox', () => {
    const out = join(work, 'initrd.gz');
    const busybox = file('busybox', '\x7fELF-not-really');
    const result = run('build-initramfs', ['--busybox', busybox, '--marker', 'HELLO', '-o', out]);
    expect(result.status).toBe(0);
    const archive = gunzipSync(readFileSync(out));
    const names = runToolOk('cpio', ['-it', '--quiet'], {
      input: archive,
      debianPackage: 'cpio',
    }).toString();
    expect(names.split('\n')).toContain('bin/busybox');
    expect(archive.toString('latin1')).toContain('echo HELLO\n');
  });

  it('names a missing input file in one line', () => {
    const result = run('build-initramfs', ['--busybox', join(work, 'nope'), '-o', join(work, 'x')]);
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `build-initramfs: cannot read the busybox ${join(work, 'nope')}: ENOENT\n`,
    });
  });
});

describe('build-iso', () => {
  it('writes an isolinux CD with the command line asked for', () => {
    const out = join(work, 'cd.iso');
    const args = [
      ['--isolinux', file('isolinux.bin', new Uint8Array(2048).fill(0x90))],
      ['--ldlinux', file('ldlinux.c32', 'ldlinux')],
      ['--kernel', file('vmlinuz', 'kernel')],
      ['--initrd', file('initrd', 'initrd')],
      ['--append', 'console=ttyS0 tsemu.test=1'],
      ['-o', out],
    ].flat();
    const result = run('build-iso', args);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(isoinfoList(out).map((e) => e.path)).toContain('/BOOT/VMLINUZ.;1');
    expect(isoinfoExtract(out, '/ISOLINUX/ISOLINUX.CFG;1').toString()).toContain(
      'APPEND initrd=/boot/initrd.gz console=ttyS0 tsemu.test=1\n',
    );
  });

  it('rejects an unknown option in one line', () => {
    expect(run('build-iso', ['--bogus']).stderr).toBe(
      "build-iso: Unknown option '--bogus' (see --help)\n",
    );
  });
});
