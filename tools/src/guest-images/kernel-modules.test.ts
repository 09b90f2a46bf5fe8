/**
 * Module resolution on a made-up kernel package whose modules are real ELF objects made by the
 * host's gcc with a `.modinfo` section, as the kernel's MODULE_INFO macros make it. The guest
 * image tool's test resolves Debian's real kernel package.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToolOk } from '../testing/run-tool.js';
import { ToolError } from '../util/tool-error.js';
import { moduleInfo, readModinfo, resolveKernelModules } from './kernel-modules.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-kmod-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An object file whose .modinfo holds `entries` (gcc -m32 for i386 objects, else x86-64). */
function moduleObject(entries: string[], bits: 32 | 64 = 32): Uint8Array {
  const stem = join(work, `m${Math.random().toString(16).slice(2)}`);
  const literal = entries.map((e) => e.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\0');
  writeFileSync(
    `${stem}.c`,
    `static const char modinfo[] __attribute__((used, section(".modinfo"))) = "${literal}";\n`,
  );
  runToolOk('gcc', [`-m${bits}`, '-c', `${stem}.c`, '-o', `${stem}.o`], { debianPackage: 'gcc' });
  return readFileSync(`${stem}.o`);
}

/** A kernel package unpacked at a new folder: FILE (under kernel/) -> its .modinfo entries. */
function kernelPackage(modules: Record<string, string[]>, builtin: string[] = []): string {
  const root = mkdtempSync(join(work, 'pkg-'));
  const version = join(root, 'lib/modules/9.9.9-test');
  for (const [file, entries] of Object.entries(modules)) {
    const path = join(version, 'kernel', file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, moduleObject(entries));
  }
  writeFileSync(join(version, 'modules.builtin'), builtin.map((b) => `kernel/${b}\n`).join(''));
  return root;
}

describe('readModinfo', () => {
  it('reads the key=value strings of 32- and 64-bit objects', () => {
    for (const bits of [32, 64] as const) {
      const info = readModinfo(
        moduleObject(['license=GPL', 'depends=a,b-c', 'alias=x', 'alias=y'], bits),
      );
      expect(info.get('depends')).toEqual(['a,b-c']);
      expect(info.get('alias')).toEqual(['x', 'y']);
      expect(info.get('license')).toEqual(['GPL']);
    }
  });

  it('turns depends and softdep into module names to load first', () => {
    const info = moduleInfo(
      moduleObject(['depends=crc-t10dif,scsi_mod', 'softdep=pre: crct10dif post: later']),
    );
    expect(info.depends).toEqual(['crc_t10dif', 'scsi_mod']);
    expect(info.softdepsBefore).toEqual(['crct10dif']);
  });

  it('refuses what is not an ELF object with a .modinfo section', () => {
    expect(() => readModinfo(new Uint8Array(64))).toThrow(/not a kernel module: no ELF header/);
    const elf = moduleObject(['depends=']);
    expect(() => readModinfo(elf.subarray(0, elf.length - 200))).toThrow(/outside the file/);
    // The same object with its section renamed.
    const renamed = Buffer.from(elf);
    renamed.write('.nodinfo', renamed.indexOf('.modinfo'));
    expect(() => readModinfo(renamed)).toThrow(/no \.modinfo section/);
  });
});

describe('resolveKernelModules', () => {
  it('puts every module after what it depends on and what it asks for first', async () => {
    const root = kernelPackage({
      'drivers/ata/ata_piix.ko': ['depends=libata'],
      'drivers/ata/libata.ko': ['depends=scsi_mod,scsi_common'],
      'drivers/scsi/scsi_mod.ko': ['depends=scsi_common'],
      'drivers/scsi/scsi_common.ko': ['depends='],
      'fs/ext4/ext4.ko': ['softdep=pre: crypto-crc32c', 'depends=crc16'],
      'lib/crc16.ko': ['depends='],
      'lib/crc-t10dif.ko': ['softdep=pre: crc64', 'depends='],
      'lib/crc64.ko': ['depends='],
      'crypto/crc32c_generic.ko': ['alias=crypto-crc32c', 'alias=crc32c', 'depends='],
      'drivers/unrelated.ko': ['depends='],
    });
    // ext4's softdep is answered by an alias of a module the recipe names after it; crc-t10dif's
    // by the package's module of that name, which the recipe does not name.
    const modules = await resolveKernelModules(
      root,
      ['ata_piix', 'ext4', 'crc-t10dif', 'crc32c_generic'],
      'linux-image-test',
    );
    expect(modules.map((m) => m.name)).toEqual([
      'scsi_common',
      'scsi_mod',
      'libata',
      'ata_piix',
      'crc16',
      'crc32c_generic',
      'ext4',
      'crc64',
      'crc_t10dif',
    ]);
    expect(modules.find((m) => m.name === 'crc_t10dif')?.pathInPackage).toBe(
      'lib/modules/9.9.9-test/kernel/lib/crc-t10dif.ko',
    );
  });

  it('skips wanted modules built into the kernel', async () => {
    const root = kernelPackage({ 'lib/crc16.ko': ['depends='] }, ['fs/ext4/ext4.ko']);
    const modules = await resolveKernelModules(root, ['ext4', 'crc16'], 'linux-image-test');
    expect(modules.map((m) => m.name)).toEqual(['crc16']);
  });

  it('names the missing module and who needs it', async () => {
    const root = kernelPackage({ 'drivers/ata/ata_piix.ko': ['depends=libata'] });
    const attempt = resolveKernelModules(root, ['ata_piix'], 'linux-image-test');
    await expect(attempt).rejects.toThrow(ToolError);
    await expect(attempt).rejects.toThrow(
      'package linux-image-test has no kernel module libata (needed by ata_piix)',
    );
  });

  it('asks for the module that provides a softdep alias no module of the set has', async () => {
    const root = kernelPackage({
      'fs/ext4/ext4.ko': ['softdep=pre: crypto-crc32c', 'depends='],
      'crypto/crc32c_generic.ko': ['alias=crypto-crc32c', 'depends='],
    });
    await expect(resolveKernelModules(root, ['ext4'], 'linux-image-test')).rejects.toThrow(
      'kernel module ext4 asks for "crypto-crc32c" before it (softdep), and no module of the recipe provides it: add that module to the recipe',
    );
  });

  it('wants exactly one kernel version in the package', async () => {
    const root = mkdtempSync(join(work, 'empty-'));
    await expect(resolveKernelModules(root, ['ext4'], 'linux-image-test')).rejects.toThrow(
      'package linux-image-test has 0 folders in lib/modules, expected exactly one kernel version',
    );
  });
});
