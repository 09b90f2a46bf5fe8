import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runToolOk } from '../testing/run-tool.js';
import { CpioWriter } from './newc-writer.js';

const CPIO = { debianPackage: 'cpio' };

/** `cpio -itv` as a person would run it: one line per entry, in archive order. */
function listVerbose(archive: Uint8Array): string[] {
  const out = runToolOk('cpio', ['-itv', '-H', 'newc', '--quiet'], { ...CPIO, input: archive });
  return out.toString().trimEnd().split('\n');
}

function listNames(archive: Uint8Array): string[] {
  const out = runToolOk('cpio', ['-it', '-H', 'newc', '--quiet'], { ...CPIO, input: archive });
  return out.toString().trimEnd().split('\n');
}

function extract(archive: Uint8Array, into: string): void {
  runToolOk('cpio', ['-idm', '-H', 'newc', '--quiet', '--no-absolute-filenames'], {
    ...CPIO,
    input: archive,
    cwd: into,
  });
}

function sampleArchive(): Uint8Array {
  const cpio = new CpioWriter({ mtime: 1_700_000_000 });
  cpio.addDirectory('bin');
  cpio.addFile('bin/busybox', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]), { mode: 0o755 });
  cpio.addSymlink('bin/sh', 'busybox');
  cpio.addDirectory('dev');
  cpio.addCharDevice('dev/console', 5, 1, { mode: 0o600 });
  cpio.addBlockDevice('dev/sda', 8, 0, { mode: 0o660, gid: 6 });
  cpio.addDirectory('tmp', { mode: 0o1777 });
  cpio.addFile('init', '#!/bin/sh\necho hello\n', { mode: 0o755 });
  cpio.addFile('empty', '');
  return cpio.finish();
}

describe('CpioWriter (checked with GNU cpio)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'tsemu-cpio-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('lists every entry with its type, mode, owner and size', () => {
    const lines = listVerbose(sampleArchive());
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^drwxr-xr-x +2 root +root +0 .* bin$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x +1 root +root +7 .* bin\/busybox$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx +1 root +root +7 .* bin\/sh -> busybox$/);
    expect(lines[4]).toMatch(/^crw------- +1 root +root +5, +1 .* dev\/console$/);
    expect(lines[5]).toMatch(/^brw-rw---- +1 root +disk +8, +0 .* dev\/sda$/);
    expect(lines[6]).toMatch(/^drwxrwxrwt +2 root +root +0 .* tmp$/);
    expect(lines[7]).toMatch(/^-rwxr-xr-x +1 root +root +21 .* init$/);
    expect(lines[8]).toMatch(/^-rw-r--r-- +1 root +root +0 .* empty$/);
  });

  it('extracts files, symlinks and device nodes with their modes and times', async () => {
    extract(sampleArchive(), work);
    expect(await readFile(join(work, 'init'), 'utf8')).toBe('#!/bin/sh\necho hello\n');
    expect([...(await readFile(join(work, 'bin/busybox')))]).toEqual([
      0x7f, 0x45, 0x4c, 0x46, 1, 2, 3,
    ]);
    expect(await readlink(join(work, 'bin/sh'))).toBe('busybox');

    const busybox = await lstat(join(work, 'bin/busybox'));
    expect(busybox.mode & 0o7777).toBe(0o755);
    expect(busybox.mtimeMs).toBe(1_700_000_000_000);
    const console = await lstat(join(work, 'dev/console'));
    expect(console.isCharacterDevice()).toBe(true);
    // st_rdev packs major and minor; for small numbers it is major * 256 + minor.
    expect(console.rdev).toBe(5 * 256 + 1);
    expect(console.mode & 0o7777).toBe(0o600);
    const disk = await lstat(join(work, 'dev/sda'));
    expect(disk.isBlockDevice()).toBe(true);
    expect(disk.rdev).toBe(8 * 256 + 0);
    expect((await lstat(join(work, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect((await lstat(join(work, 'empty'))).size).toBe(0);
  });

  it('pads every header, name and body to 4 bytes, whatever their lengths', async () => {
    const name = fc.stringMatching(/^[a-z0-9_.-]{1,20}$/).filter((n) => n !== '.' && n !== '..');
    const files = fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 37 })), {
      minLength: 1,
      maxLength: 6,
      selector: ([n]) => n,
    });
    await fc.assert(
      fc.asyncProperty(files, async (entries) => {
        const cpio = new CpioWriter();
        cpio.addDirectory('d');
        for (const [n, data] of entries) cpio.addFile(`d/${n}`, data);
        const archive = cpio.finish();
        expect(archive.length % 4).toBe(0);
        expect(listNames(archive)).toEqual(['d', ...entries.map(([n]) => `d/${n}`)]);

        const into = await mkdtemp(join(work, 'p-'));
        extract(archive, into);
        expect((await readdir(join(into, 'd'))).sort()).toEqual(entries.map(([n]) => n).sort());
        for (const [n, data] of entries) {
          expect(new Uint8Array(await readFile(join(into, 'd', n)))).toEqual(data);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('ends with the TRAILER!!! entry', () => {
    const archive = new CpioWriter().addFile('a', 'x').finish();
    const text = new TextDecoder().decode(archive);
    expect(text.startsWith('070701')).toBe(true);
    expect(text.lastIndexOf('TRAILER!!!\0')).toBeGreaterThan(0);
    expect(listNames(archive)).toEqual(['a']);
  });
});

describe('CpioWriter refuses archives the kernel would unpack wrongly', () => {
  it('needs a parent directory before its children', () => {
    expect(() => new CpioWriter().addFile('bin/sh', 'x')).toThrow(
      /add the directory bin before bin\/sh/,
    );
  });

  it('refuses absolute, dotted and duplicate paths', () => {
    const cpio = new CpioWriter().addFile('init', '');
    expect(() => cpio.addFile('/etc', '')).toThrow(/relative/);
    expect(() => cpio.addFile('a/../b', '')).toThrow(/"\.\."/);
    expect(() => cpio.addFile('init', '')).toThrow(/already added/);
  });

  it('refuses modes outside the permission bits and use after finish', () => {
    const cpio = new CpioWriter();
    expect(() => cpio.addFile('x', '', { mode: 0o100644 })).toThrow(/permission bits/);
    cpio.finish();
    expect(() => cpio.addFile('y', '')).toThrow(/already finished/);
  });
});
