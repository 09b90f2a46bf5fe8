import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PF_R, PF_W, PF_X, writeElf32 } from './elf.js';
import { buildRunnerImage, CODE_BASE } from './runner.js';

function readelf(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-elf-'));
  try {
    const path = join(dir, 'a.out');
    writeFileSync(path, bytes);
    return execFileSync('readelf', ['-W', '-h', '-l', path], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('writeElf32', () => {
  it('writes a header and program headers readelf agrees with', () => {
    const { bytes } = writeElf32({
      entry: 0x08048010,
      segments: [
        { vaddr: 0x08048000, bytes: new Uint8Array(0x30).fill(0x90), flags: PF_R | PF_X },
        { vaddr: 0x10000000, bytes: new Uint8Array(16), memSize: 0x1000, flags: PF_R | PF_W },
      ],
    });
    const out = readelf(bytes);
    expect(out).toMatch(/Class:\s+ELF32/);
    expect(out).toMatch(/Data:\s+2's complement, little endian/);
    expect(out).toMatch(/Type:\s+EXEC/);
    expect(out).toMatch(/Machine:\s+Intel 80386/);
    expect(out).toMatch(/Entry point address:\s+0x8048010/);
    expect(out).toMatch(/Number of program headers:\s+3/);
    expect(out).toMatch(/LOAD\s+0x001000 0x08048000 0x08048000 0x00030 0x00030 R E 0x1000/);
    expect(out).toMatch(/LOAD\s+0x002000 0x10000000 0x10000000 0x00010 0x01000 RW\s+0x1000/);
    expect(out).toMatch(/GNU_STACK\s+0x000000 0x00000000 0x00000000 0x00000 0x00000 RW\s+0x10/);
  });

  it('rejects overlapping and unaligned segments', () => {
    const seg = (vaddr: number, size: number) => ({
      vaddr,
      bytes: new Uint8Array(size),
      flags: PF_R,
    });
    expect(() =>
      writeElf32({ entry: 0, segments: [seg(0x1000, 0x2000), seg(0x2000, 16)] }),
    ).toThrow(/overlap/);
    expect(() => writeElf32({ entry: 0, segments: [seg(0x1010, 16)] })).toThrow(/page aligned/);
  });

  it('lays out the runner image as documented: code RX, scratch RW, data page RW', () => {
    const out = readelf(buildRunnerImage([]).elf);
    expect(out).toMatch(new RegExp(`Entry point address:\\s+0x${CODE_BASE.toString(16)}`));
    expect(out).toMatch(/LOAD\s+\S+ 0x08048000 0x08048000 \S+ \S+ R E/);
    expect(out).toMatch(/LOAD\s+\S+ 0x0a000000 0x0a000000 0x01000 0x20000 RW/);
    expect(out).toMatch(/LOAD\s+\S+ 0x10000000 0x10000000 0x01000 0x01000 RW/);
  });
});
