import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isoinfoDescribe,
  isoinfoExtract,
  isoinfoList,
  isovfy,
  saveImage,
} from '../testing/isoinfo.js';
import { buildLinuxIso, isolinuxConfig } from './linux-iso.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-linux-iso-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pattern = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff);

// Small stand-ins for Debian's files: the layout, not their content, is under test here
// (the guest-image tool's test builds the real CD).
const inputs = {
  isolinuxBin: pattern(4096, 1),
  ldlinuxC32: pattern(3000, 2),
  kernel: pattern(70_000, 3),
  initrd: pattern(20_000, 4),
};

describe('buildLinuxIso', () => {
  const iso = saveImage(join(work, 'linux.iso'), buildLinuxIso(inputs));

  it('holds isolinux, its config, the kernel and the initramfs where isolinux looks', () => {
    const files = isoinfoList(iso)
      .filter((e) => !e.directory)
      .map((e) => [e.path, e.size]);
    expect(files).toEqual([
      ['/BOOT/INITRD.GZ;1', 20_000],
      ['/BOOT/VMLINUZ.;1', 70_000],
      ['/ISOLINUX/BOOT.CAT;1', 2048],
      ['/ISOLINUX/ISOLINUX.BIN;1', 4096],
      ['/ISOLINUX/ISOLINUX.CFG;1', isolinuxConfig().length],
      ['/ISOLINUX/LDLINUX.C32;1', 3000],
    ]);
    expect(isovfy(iso)).toContain('No errors found');
  });

  it('boots isolinux.bin with no emulation, 4 sectors, and a boot info table', () => {
    const description = isoinfoDescribe(iso);
    expect(description).toContain('Boot media 0 (No Emulation Boot)');
    expect(description).toContain('Nsect 4');
    const extent = isoinfoList(iso).find((e) => e.path === '/ISOLINUX/ISOLINUX.BIN;1')?.extent;
    expect(Number(/Bootoff [0-9A-F]+ (\d+)/.exec(description)?.[1])).toBe(extent);
    const isolinux = isoinfoExtract(iso, '/ISOLINUX/ISOLINUX.BIN;1');
    expect(isolinux.readUInt32LE(8)).toBe(16);
    expect(isolinux.readUInt32LE(12)).toBe(extent);
    expect(isolinux.readUInt32LE(16)).toBe(4096);
  });

  it('stores the kernel and the initramfs byte for byte', () => {
    expect(new Uint8Array(isoinfoExtract(iso, '/BOOT/VMLINUZ.;1'))).toEqual(inputs.kernel);
    expect(new Uint8Array(isoinfoExtract(iso, '/BOOT/INITRD.GZ;1'))).toEqual(inputs.initrd);
    expect(new Uint8Array(isoinfoExtract(iso, '/ISOLINUX/LDLINUX.C32;1'))).toEqual(
      inputs.ldlinuxC32,
    );
  });

  it('configures a serial console and boots the kernel with the initramfs', () => {
    const config = isoinfoExtract(iso, '/ISOLINUX/ISOLINUX.CFG;1').toString();
    expect(config.split('\n')).toEqual([
      'SERIAL 0 115200',
      'PROMPT 1',
      'TIMEOUT 10',
      'DEFAULT linux',
      'LABEL linux',
      '  KERNEL /boot/vmlinuz',
      '  APPEND initrd=/boot/initrd.gz console=ttyS0',
      '',
    ]);
  });

  it('takes another command line and timeout', () => {
    const config = isolinuxConfig({ append: 'console=ttyS0 quiet', timeoutTenths: 3 });
    expect(config).toContain('TIMEOUT 3\n');
    expect(config).toContain('APPEND initrd=/boot/initrd.gz console=ttyS0 quiet\n');
    expect(() => isolinuxConfig({ append: 'a\nb' })).toThrow(/one line/);
    expect(() => isolinuxConfig({ timeoutTenths: 0 })).toThrow(/positive/);
  });
});
