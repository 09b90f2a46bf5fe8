import { describe, expect, it } from 'vitest';
import { KernelImageError } from './kernel-image-error.js';
import { hasLinuxBootHeader, parseLinuxHeader, protocolName } from './linux-header.js';
import { fakeBzImage } from './testing/fake-images.js';
import { guestImage } from './testing/guest-images.js';

function parseError(image: Uint8Array): string {
  try {
    parseLinuxHeader(image);
  } catch (e) {
    expect(e).toBeInstanceOf(KernelImageError);
    return (e as Error).message;
  }
  throw new Error('parseLinuxHeader accepted the image');
}

describe("Debian's i386 kernel", () => {
  const vmlinuz = guestImage('vmlinuz');
  const header = parseLinuxHeader(vmlinuz);

  it('is a protocol 2.15 bzImage loaded high at 1 MiB', () => {
    expect(protocolName(header.protocol)).toBe('2.15');
    expect(header.loadFlags & 1).toBe(1);
    expect(header.code32Start).toBe(0x100000);
    expect(header.kernelVersion).toMatch(/^6\.1\.\d+-\d+-686 \(debian-kernel@lists\.debian\.org\)/);
  });

  it('splits into setup sectors and a protected-mode kernel that fill the file', () => {
    expect(header.setupSize).toBe((header.setupSects + 1) * 512);
    expect(header.setupSize + header.kernelSize).toBe(vmlinuz.length);
    // The compressed kernel begins with startup_32's `cld` (0xfc).
    expect(vmlinuz[header.setupSize]).toBe(0xfc);
  });

  it('gives the limits a loader must respect', () => {
    expect(header.initrdAddrMax).toBe(0x7fffffff);
    expect(header.cmdlineSize).toBe(2047);
    expect(header.headerEnd).toBe(0x26c);
  });

  it('is relocatable, prefers 16 MiB and needs more memory than its size to unpack', () => {
    expect(header.relocatable).toBe(true);
    expect(header.prefAddress).toBe(0x1000000);
    expect(header.kernelAlignment).toBeGreaterThanOrEqual(0x2000);
    expect(header.kernelAlignment & (header.kernelAlignment - 1)).toBe(0);
    expect(header.initSize).toBeGreaterThan(header.kernelSize);
  });

  it('reports a truncated copy by the size its header promises', () => {
    expect(parseError(vmlinuz.subarray(0, 1_000_000))).toMatch(
      /^truncated: the header says \d+ bytes \(setup \d+ \+ kernel \d+\), the file is 1000000$/,
    );
  });

  it('reports a copy cut inside its setup code', () => {
    expect(parseError(vmlinuz.subarray(0, 4096))).toMatch(
      /^truncated: the setup code is \d+ sectors \(\d+ bytes\) and the file is 4096 bytes/,
    );
  });
});

describe('parseLinuxHeader', () => {
  it('reads the fields of a synthetic bzImage', () => {
    const h = parseLinuxHeader(
      fakeBzImage({ initrdAddrMax: 0x37ffffff, cmdlineSize: 255, xloadFlags: 0x3 }),
    );
    expect(h).toMatchObject({
      protocol: 0x20f,
      setupSects: 4,
      setupSize: 2560,
      kernelSize: 4096,
      initrdAddrMax: 0x37ffffff,
      cmdlineSize: 255,
      xloadFlags: 3,
      kernelVersion: undefined,
    });
  });

  it('takes setup_sects 0 as 4', () => {
    const h = parseLinuxHeader(fakeBzImage({ setupSects: 0 }));
    expect(h.setupSects).toBe(4);
    expect(h.setupSize).toBe(2560);
  });

  it('gives the defaults of fields older protocols lack', () => {
    const h = parseLinuxHeader(fakeBzImage({ protocol: 0x202, syssize: false }));
    expect(h.initrdAddrMax).toBe(0x37ffffff);
    expect(h.cmdlineSize).toBe(255);
    expect(h.relocatable).toBe(false);
    expect(h.kernelAlignment).toBe(0);
    expect(h.prefAddress).toBe(0);
    expect(h.initSize).toBe(0);
  });

  it('rejects a file too short to hold the header', () => {
    expect(parseError(new Uint8Array(0x100))).toBe(
      'not a Linux bzImage: the file is 256 bytes, too short to hold the boot protocol ' +
        'header (its signature is at offset 0x202)',
    );
  });

  it('rejects garbage without the HdrS signature', () => {
    const garbage = Uint8Array.from({ length: 8192 }, (_, i) => (i * 37 + 11) & 0xff);
    expect(hasLinuxBootHeader(garbage)).toBe(false);
    expect(parseError(garbage)).toBe(
      'not a Linux bzImage: no boot protocol signature "HdrS" at offset 0x202',
    );
  });

  it('rejects a header whose boot sector signature is wrong', () => {
    const image = fakeBzImage();
    image[0x1fe] = 0;
    expect(parseError(image)).toBe(
      'not a Linux bzImage: boot sector signature 0xaa00 at offset 0x1fe, expected 0xaa55',
    );
  });

  it('rejects protocols older than 2.02', () => {
    expect(parseError(fakeBzImage({ protocol: 0x201 }))).toBe(
      'Linux boot protocol 2.01 is too old: tsemu loads 2.02 and newer (Linux 2.4 and later)',
    );
  });

  it('rejects a zImage', () => {
    expect(parseError(fakeBzImage({ loadFlags: 0 }))).toBe(
      'a zImage (loadflags bit LOADED_HIGH clear): tsemu loads bzImage kernels only',
    );
  });

  it('rejects a setup header longer than boot_params has room for', () => {
    const image = fakeBzImage();
    image[0x201] = 0xff; // the header would end at 0x202 + 0xff
    expect(parseError(image)).toBe(
      'not a Linux bzImage: the setup header would end at 0x301 (from the jump at 0x200), ' +
        'past 0x290',
    );
  });

  it('rejects an image with no protected-mode kernel', () => {
    expect(parseError(fakeBzImage({ code: new Uint8Array(0), syssize: false }))).toBe(
      'truncated: the setup code is 4 sectors (2560 bytes) and the file is 2560 bytes, ' +
        'leaving no protected-mode kernel',
    );
  });
});
