import { describe, expect, it } from 'vitest';
import { E820_RAM, E820_RESERVED, E820Table, pcE820Table } from '../fw_cfg/e820.js';
import { FwCfg } from '../fw_cfg/fw-cfg.js';
import { FW_CFG_INITRD_ADDR, FW_CFG_SETUP_DATA } from '../fw_cfg/fw-cfg-keys.js';
import { addLinuxBootItems } from '../fw_cfg/pc-fw-cfg.js';
import { BOOT_PARAMS, SCREEN_INFO } from './boot-params.js';
import { KernelImageError } from './kernel-image-error.js';
import {
  ACPI_DATA_SIZE,
  linuxBootItems,
  linuxInitrdAddress,
  linuxVideoMode,
} from './linux-boot-layout.js';
import {
  LINUX_GDT_ADDR,
  LINUX_ZERO_PAGE_ADDR,
  linuxDecompressionArea,
  loadLinuxDirect,
  prepareLinuxDirectBoot,
} from './linux-direct.js';
import { LINUX_HDR, parseLinuxHeader } from './linux-header.js';
import type { LoadRegion } from './load-region.js';
import { BareMachine } from './testing/bare-machine.js';
import { code32, fakeBzImage } from './testing/fake-images.js';
import { guestImage } from './testing/guest-images.js';

const MiB = 1024 * 1024;

function region(regions: readonly LoadRegion[], name: string): LoadRegion {
  const r = regions.find((x) => x.name === name);
  if (!r) throw new Error(`no ${name} region`);
  return r;
}

function u8(b: Uint8Array, at: number) {
  return b[at];
}
function u16(b: Uint8Array, at: number) {
  return new DataView(b.buffer, b.byteOffset).getUint16(at, true);
}
function u32(b: Uint8Array, at: number) {
  return new DataView(b.buffer, b.byteOffset).getUint32(at, true);
}
function u64(b: Uint8Array, at: number) {
  return new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);
}
/** Byte equality without vitest's deep comparison (slow on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelImageError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe("Debian's kernel and initramfs in 128 MiB", () => {
  const kernel = guestImage('vmlinuz');
  const initrd = guestImage('initramfs.cpio.gz');
  const cmdline = 'console=ttyS0 quiet';
  const boot = prepareLinuxDirectBoot({ kernel, initrd, cmdline, belowFourGig: 128 * MiB });
  const zeroPage = region(boot.regions, 'zero page').bytes;

  it('places the protected-mode kernel at 1 MiB and the initrd at the top, page-aligned', () => {
    const k = region(boot.regions, 'kernel');
    expect(k.addr).toBe(0x100000);
    expect(sameBytes(k.bytes, kernel.subarray(boot.header.setupSize))).toBe(true);
    const maxByte = 128 * MiB - ACPI_DATA_SIZE - 1;
    const expected = Math.floor((maxByte - initrd.length) / 4096) * 4096;
    expect(boot.initrdAddr).toBe(expected);
    const r = region(boot.regions, 'initrd');
    expect(r.addr).toBe(expected);
    expect(r.bytes).toBe(initrd);
    expect(boot.decompressionArea?.end).toBeLessThanOrEqual(expected);
  });

  it('copies the setup header into the zero page and fills the loader fields', () => {
    expect(zeroPage.length).toBe(4096);
    const patched = new Set([
      LINUX_HDR.TYPE_OF_LOADER,
      ...[0, 1, 2, 3].flatMap((i) => [
        LINUX_HDR.CODE32_START + i,
        LINUX_HDR.RAMDISK_IMAGE + i,
        LINUX_HDR.RAMDISK_SIZE + i,
        LINUX_HDR.CMD_LINE_PTR + i,
      ]),
    ]);
    for (let at = 0x1f1; at < boot.header.headerEnd; at++) {
      if (!patched.has(at)) expect(zeroPage[at], `offset 0x${at.toString(16)}`).toBe(kernel[at]);
    }
    expect(u8(zeroPage, LINUX_HDR.TYPE_OF_LOADER)).toBe(0xb0);
    expect(u32(zeroPage, LINUX_HDR.CODE32_START)).toBe(0x100000);
    expect(u32(zeroPage, LINUX_HDR.CMD_LINE_PTR)).toBe(0x20000);
    expect(u32(zeroPage, LINUX_HDR.RAMDISK_IMAGE)).toBe(boot.initrdAddr);
    expect(u32(zeroPage, LINUX_HDR.RAMDISK_SIZE)).toBe(initrd.length);
    // Nothing past the header, and the sentinel at 0x1ef stays 0 (no sanitizing needed).
    expect(zeroPage.subarray(boot.header.headerEnd, 0x290).every((b) => b === 0)).toBe(true);
    expect(u8(zeroPage, 0x1ef)).toBe(0);
  });

  it('gives the e820 map, the memory sizes and an 80x25 text screen', () => {
    expect(u8(zeroPage, BOOT_PARAMS.E820_ENTRIES)).toBe(4);
    const entry = (i: number) => {
      const at = BOOT_PARAMS.E820_TABLE + i * 20;
      return [Number(u64(zeroPage, at)), Number(u64(zeroPage, at + 8)), u32(zeroPage, at + 16)];
    };
    expect([0, 1, 2, 3].map(entry)).toEqual([
      [0, 0x9fc00, E820_RAM],
      [0x9fc00, 0x400, E820_RESERVED],
      [0xf0000, 0x10000, E820_RESERVED],
      [0x100000, 127 * MiB, E820_RAM],
    ]);
    expect(entry(4)).toEqual([0, 0, 0]);
    expect(u32(zeroPage, BOOT_PARAMS.ALT_MEM_K)).toBe(127 * 1024);
    expect(u16(zeroPage, SCREEN_INFO.EXT_MEM_K)).toBe(0xffff);
    expect(u8(zeroPage, SCREEN_INFO.ORIG_VIDEO_MODE)).toBe(3);
    expect(u8(zeroPage, SCREEN_INFO.ORIG_VIDEO_COLS)).toBe(80);
    expect(u8(zeroPage, SCREEN_INFO.ORIG_VIDEO_LINES)).toBe(25);
    expect(u8(zeroPage, SCREEN_INFO.ORIG_VIDEO_IS_VGA)).toBe(1);
    expect(u16(zeroPage, SCREEN_INFO.ORIG_VIDEO_POINTS)).toBe(16);
  });

  it('puts the command line, NUL-terminated, at 0x20000', () => {
    const c = region(boot.regions, 'command line');
    expect(c.addr).toBe(0x20000);
    expect(new TextDecoder().decode(c.bytes)).toBe(`${cmdline}\0`);
  });

  it('builds a GDT with flat __BOOT_CS and __BOOT_DS, and enters as boot.rst says', () => {
    const gdt = region(boot.regions, 'GDT');
    expect(gdt.addr).toBe(LINUX_GDT_ADDR);
    expect(u64(gdt.bytes, 0)).toBe(0n);
    expect(u64(gdt.bytes, 0x08)).toBe(0n);
    expect(u64(gdt.bytes, 0x10).toString(16)).toBe('cf9b000000ffff');
    expect(u64(gdt.bytes, 0x18).toString(16)).toBe('cf93000000ffff');
    const e = boot.entry;
    expect(e.eip).toBe(0x100000);
    expect(e.regs).toMatchObject({ esi: LINUX_ZERO_PAGE_ADDR, ebx: 0, ebp: 0, edi: 0 });
    expect(e.eflags & 0x200).toBe(0);
    expect(e.cr0 & 0x80000001).toBe(1);
    expect(e.gdt).toEqual({ base: LINUX_GDT_ADDR, limit: 0x1f });
    expect(e.cs).toMatchObject({ selector: 0x10, base: 0, limit: 0xffffffff });
    for (const s of [e.ds, e.es, e.fs, e.gs, e.ss]) {
      expect(s).toMatchObject({ selector: 0x18, base: 0, limit: 0xffffffff });
    }
  });

  it('gives the linuxboot ROM the same addresses through fw_cfg', () => {
    const items = linuxBootItems({ kernel, initrd, cmdline, belowFourGig: 128 * MiB });
    expect(items.initrdAddr).toBe(boot.initrdAddr);
    expect(sameBytes(items.kernel, region(boot.regions, 'kernel').bytes)).toBe(true);
    expect(u32(items.setup, LINUX_HDR.CMD_LINE_PTR)).toBe(0x20000);
    expect(u16(items.setup, LINUX_HDR.HEAP_END_PTR)).toBe(0xfe00);
    expect(u8(items.setup, LINUX_HDR.LOADFLAGS)).toBe(kernel[LINUX_HDR.LOADFLAGS] | 0x80);
    expect(u8(items.setup, LINUX_HDR.TYPE_OF_LOADER)).toBe(0xb0);
    expect(u32(items.setup, LINUX_HDR.RAMDISK_IMAGE)).toBe(boot.initrdAddr);
    expect(
      sameBytes(items.setup.subarray(0x300), kernel.subarray(0x300, boot.header.setupSize)),
    ).toBe(true);
    expect(kernel[LINUX_HDR.TYPE_OF_LOADER]).toBe(0); // the caller's image is not modified
    const fwCfg = new FwCfg();
    addLinuxBootItems(fwCfg, items);
    expect(u32(fwCfg.getBytes(FW_CFG_INITRD_ADDR)!, 0)).toBe(boot.initrdAddr);
    expect(sameBytes(fwCfg.getBytes(FW_CFG_SETUP_DATA)!, items.setup)).toBe(true);
  });

  it('refuses a machine too small for the kernel to decompress itself', () => {
    expect(
      errorOf(() => prepareLinuxDirectBoot({ kernel, cmdline, belowFourGig: 24 * MiB })),
    ).toMatch(
      /^the kernel decompresses itself into 0x1000000-0x[0-9a-f]+ \(init_size \d+ bytes \([\d.]+ MiB\)\), beyond the end of RAM at 0x1800000: give the machine more memory with -m$/,
    );
  });

  it('refuses an initrd that the decompressing kernel would overwrite', () => {
    const area = linuxDecompressionArea(parseLinuxHeader(kernel))!;
    // The initrd goes just below the ACPI area: half of it lands in the decompression area.
    const belowFourGig = area.end + ACPI_DATA_SIZE + Math.floor(initrd.length / 2);
    expect(
      errorOf(() => prepareLinuxDirectBoot({ kernel, initrd, cmdline, belowFourGig })),
    ).toMatch(/^the initrd \(\d+ bytes \(1\.0 MiB\) at 0x[0-9a-f]+\) would overlap the kernel/);
  });
});

describe('initrd placement (QEMU x86_load_linux)', () => {
  const header = (o: Parameters<typeof fakeBzImage>[0]) => parseLinuxHeader(fakeBzImage(o));

  it('goes below initrd_addr_max when that is lower than RAM', () => {
    const h = header({ initrdAddrMax: 0x37ffffff });
    expect(linuxInitrdAddress(h, 4096, 2048 * MiB)).toBe(0x37ffe000);
  });

  it('goes below the ACPI area at the top of RAM, page-aligned', () => {
    const h = header({});
    expect(linuxInitrdAddress(h, 0x1234, 128 * MiB)).toBe(0x7fd6000);
  });

  it('may use all of low RAM when the kernel can be loaded above 4 GiB', () => {
    const h = header({ initrdAddrMax: 0x0fffffff, xloadFlags: 0x2 });
    expect(linuxInitrdAddress(h, 4096, 1024 * MiB)).toBe(1024 * MiB - ACPI_DATA_SIZE - 4096 * 2);
  });

  it('refuses an initrd as large as the space below the limit', () => {
    const h = header({});
    const max = 128 * MiB - ACPI_DATA_SIZE - 1;
    expect(errorOf(() => linuxInitrdAddress(h, max, 128 * MiB))).toBe(
      `the initrd is ${max} bytes (127.8 MiB), too large for this machine: it must end below ` +
        '0x7fd8000 (give more memory with -m)',
    );
    expect(linuxInitrdAddress(h, max - 1, 128 * MiB)).toBe(0);
  });
});

describe('the command line', () => {
  it('reads vga= as QEMU does', () => {
    expect(linuxVideoMode('console=ttyS0')).toBeUndefined();
    expect(linuxVideoMode('vga=normal')).toBe(0xffff);
    expect(linuxVideoMode('quiet vga=ext')).toBe(0xfffe);
    expect(linuxVideoMode('vga=ask')).toBe(0xfffd);
    expect(linuxVideoMode('vga=0x317 quiet')).toBe(0x317);
    expect(linuxVideoMode('vga=791')).toBe(791);
    expect(linuxVideoMode('vga=017')).toBe(15);
    expect(errorOf(() => linuxVideoMode('vga=big'))).toBe(`invalid 'vga=' kernel parameter "big"`);
  });

  it('writes vid_mode from vga=', () => {
    const boot = prepareLinuxDirectBoot({
      kernel: fakeBzImage(),
      cmdline: 'vga=0x317',
      belowFourGig: 64 * MiB,
    });
    expect(u16(region(boot.regions, 'zero page').bytes, LINUX_HDR.VID_MODE)).toBe(0x317);
  });

  it('refuses a command line longer than cmdline_size', () => {
    expect(
      errorOf(() =>
        prepareLinuxDirectBoot({
          kernel: fakeBzImage({ cmdlineSize: 8 }),
          cmdline: 'console=ttyS0',
          belowFourGig: 64 * MiB,
        }),
      ),
    ).toBe('the kernel command line is 13 bytes, this kernel takes at most 8 (its cmdline_size)');
  });
});

describe('the zero page', () => {
  it('holds the map of a machine with RAM above 4 GiB, or the e820 table given', () => {
    const above = prepareLinuxDirectBoot({
      kernel: fakeBzImage(),
      cmdline: '',
      belowFourGig: 3072 * MiB,
      aboveFourGig: 1024 * MiB,
    });
    const page = region(above.regions, 'zero page').bytes;
    expect(u8(page, BOOT_PARAMS.E820_ENTRIES)).toBe(5);
    expect(u64(page, BOOT_PARAMS.E820_TABLE + 4 * 20)).toBe(2n ** 32n);
    const custom = prepareLinuxDirectBoot({
      kernel: fakeBzImage(),
      cmdline: '',
      belowFourGig: 64 * MiB,
      e820: pcE820Table({ belowFourGig: 64 * MiB }).add(0xfffc0000, 0x40000, E820_RESERVED),
    });
    expect(custom.e820.entries.at(-1)).toEqual({
      address: 0xfffc0000,
      length: 0x40000,
      type: E820_RESERVED,
    });
  });

  it('leaves screen_info empty without a screen', () => {
    const boot = prepareLinuxDirectBoot({
      kernel: fakeBzImage(),
      cmdline: '',
      belowFourGig: 64 * MiB,
      screen: null,
    });
    const page = region(boot.regions, 'zero page').bytes;
    expect(u8(page, SCREEN_INFO.ORIG_VIDEO_MODE)).toBe(0);
    expect(u8(page, SCREEN_INFO.ORIG_VIDEO_IS_VGA)).toBe(0);
    expect(u16(page, SCREEN_INFO.EXT_MEM_K)).toBe(63 * 1024);
  });

  it('refuses a map longer than the zero page holds', () => {
    const e820 = new E820Table();
    for (let i = 0; i < 129; i++) e820.add(0x100000 + i * 0x2000, 0x1000, E820_RAM);
    expect(
      errorOf(() =>
        prepareLinuxDirectBoot({
          kernel: fakeBzImage(),
          cmdline: '',
          belowFourGig: 64 * MiB,
          e820,
        }),
      ),
    ).toBe('the memory map has 129 entries, the zero page holds 128');
  });
});

describe('loadLinuxDirect', () => {
  it('writes every region into guest memory', () => {
    const writes: [number, number][] = [];
    const boot = loadLinuxDirect(
      { write: (addr, bytes) => writes.push([addr, bytes.length]) },
      { kernel: fakeBzImage(), initrd: new Uint8Array(100), cmdline: 'x', belowFourGig: 64 * MiB },
    );
    expect(writes).toEqual(boot.regions.map((r) => [r.addr, r.bytes.length]));
    expect(writes.map(([a]) => a)).toEqual([0x100000, boot.initrdAddr, 0x20000, 0x10000, 0x11000]);
  });

  it('starts a kernel that finds the zero page, the command line, the initrd and the GDT', () => {
    // A stand-in for startup_32: checks the entry registers, reloads the segments from the
    // loader's GDT, prints the command line and the initrd, and exits with the e820 count.
    const code = code32(
      `
      test ebx, ebx
      jnz bad
      test ebp, ebp
      jnz bad
      test edi, edi
      jnz bad
      pushfd
      pop eax
      test eax, 0x200
      jnz bad
      mov ebx, esi
      mov ax, 0x18
      mov ds, ax
      mov es, ax
      mov ss, ax
      mov esp, 0x90000
      jmp 0x10:reloaded
    reloaded:
      mov esi, [ebx + 0x228]
      call puts
      mov esi, [ebx + 0x218]
      call puts
      movzx eax, byte [ebx + 0x1e8]
      jmp exit
    bad:
      mov al, 0x55
    exit:
      out 0xf4, al
      hlt
    puts:
      lodsb
      test al, al
      jz .done
      mov ah, al
      mov dx, 0x3fd
    .wait:
      in al, dx
      test al, 0x20
      jz .wait
      mov al, ah
      mov dx, 0x3f8
      out dx, al
      jmp puts
    .done:
      ret
    `,
      0x100000,
    );
    const machine = new BareMachine({ ramSize: 64 * MiB });
    const boot = prepareLinuxDirectBoot({
      kernel: fakeBzImage({ code }),
      initrd: new TextEncoder().encode(' and the initrd\0'),
      cmdline: 'root=/dev/ram0',
      belowFourGig: machine.ramSize,
    });
    machine.boot(boot.regions, boot.entry);
    expect(machine.run()).toBe('exit');
    expect([machine.exitStatus, machine.text]).toEqual([9, 'root=/dev/ram0 and the initrd']);
    expect(machine.exitStatus).toBe((4 << 1) | 1);
  });
});
