import { describe, expect, it } from 'vitest';
import { PF_R, PF_W, PF_X, writeElf32 } from '../elf.js';
import { buildRunnerImage, CODE_BASE } from '../runner.js';
import { ElfFormatError, readElf32 } from './elf-reader.js';

describe('readElf32', () => {
  it('reads back the entry and loadable segments writeElf32 wrote', () => {
    const code = new Uint8Array([0x90, 0xcc]);
    const { bytes } = writeElf32({
      entry: 0x08048001,
      segments: [
        { vaddr: 0x08048000, bytes: code, flags: PF_R | PF_X },
        { vaddr: 0x10000000, bytes: new Uint8Array(4), memSize: 0x3000, flags: PF_R | PF_W },
      ],
    });
    const image = readElf32(bytes);
    expect(image.entry).toBe(0x08048001);
    expect(image.segments.map((s) => [s.vaddr, s.memSize, s.flags, s.fileBytes.length])).toEqual([
      [0x08048000, 2, PF_R | PF_X, 2],
      [0x10000000, 0x3000, PF_R | PF_W, 4],
    ]);
    expect([...(image.segments[0]?.fileBytes ?? [])]).toEqual([0x90, 0xcc]);
  });

  it('reads the runner image: code, scratch and data page', () => {
    const image = readElf32(buildRunnerImage([]).elf);
    expect(image.entry).toBe(CODE_BASE);
    expect(image.segments.map((s) => s.vaddr)).toEqual([CODE_BASE, 0x0a000000, 0x10000000]);
  });

  it('rejects what is not a static i386 executable', () => {
    const { bytes } = writeElf32({
      entry: 0x1000,
      segments: [{ vaddr: 0x1000, bytes: new Uint8Array(1), flags: PF_R }],
    });
    const patched = (offset: number, value: number) => {
      const b = bytes.slice();
      b[offset] = value;
      return b;
    };
    expect(() => readElf32(bytes.subarray(0, 20))).toThrow(ElfFormatError);
    expect(() => readElf32(patched(0, 0))).toThrow(/not an ELF/);
    expect(() => readElf32(patched(4, 2))).toThrow(/ELF32/);
    expect(() => readElf32(patched(18, 62))).toThrow(/not an i386/);
    expect(() => readElf32(patched(16, 3))).toThrow(/not a static executable/);
    expect(() => readElf32(bytes.subarray(0, 0x1000))).toThrow(/past the end/);
  });
});
