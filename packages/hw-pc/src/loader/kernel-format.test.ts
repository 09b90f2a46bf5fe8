import { describe, expect, it } from 'vitest';
import { detectKernelFormat, unknownKernelReason } from './kernel-format.js';
import { fakeBzImage, multibootHeaderBytes } from './testing/fake-images.js';
import { guestImage } from './testing/guest-images.js';
import { buildMultibootTestKernel } from './testing/multiboot-test-kernel.js';

describe('detectKernelFormat', () => {
  it("recognizes Debian's bzImage and our Multiboot kernel", () => {
    expect(detectKernelFormat(guestImage('vmlinuz'))).toBe('linux');
    expect(detectKernelFormat(buildMultibootTestKernel())).toBe('multiboot');
  });

  it('prefers Linux when a file has both headers, as QEMU does', () => {
    const image = fakeBzImage();
    image.set(multibootHeaderBytes(3), 0x1000);
    expect(detectKernelFormat(image)).toBe('linux');
  });

  it('calls a truncated a.out header Multiboot, so that its loader explains', () => {
    expect(detectKernelFormat(multibootHeaderBytes(0x10000, [0x100000]))).toBe('multiboot');
  });

  it('says why a file is neither', () => {
    const garbage = new Uint8Array(4096).fill(0x90);
    expect(detectKernelFormat(garbage)).toBeUndefined();
    expect(unknownKernelReason(garbage)).toBe(
      'no Linux boot signature "HdrS" at offset 0x202, and no Multiboot header in the first 8 KiB',
    );
    const bad = multibootHeaderBytes(3);
    bad[8] ^= 0xff;
    garbage.set(bad, 0x80);
    expect(unknownKernelReason(garbage)).toBe(
      'no Linux boot signature "HdrS" at offset 0x202, and a Multiboot magic at offset 0x80 ' +
        'has a bad checksum',
    );
  });
});
