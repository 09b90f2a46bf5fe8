/**
 * End-to-end: SeaBIOS's own work on the pc machine, as a user sees it: its banner on the
 * VGA text screen (read through the monitor's `xp` of the text buffer at 0xb8000), and a
 * boot sector of our own booted from an IDE disk, which prints on COM1 and ends the run
 * through isa-debug-exit.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '@tsemu/x86asm';
import { afterEach, describe, expect, it } from 'vitest';
import { image, TsemuProcess } from './tsemu-process.js';

let running: TsemuProcess | undefined;
afterEach(() => running?.kill());

/** Sends a monitor command and returns what it printed up to the next prompt. */
async function command(tsemu: TsemuProcess, line: string): Promise<string> {
  const from = tsemu.stdout.length;
  tsemu.send(`${line}\n`);
  const end = await tsemu.waitFor(/\(qemu\) $/m, 20_000, from + line.length + 1);
  return tsemu.stdout.slice(from, end);
}

/** The characters of `xp /Nhx 0xb8000` output (each cell: attribute << 8 | character). */
function textCells(dump: string): string {
  let text = '';
  for (const match of dump.matchAll(/0x([0-9a-f]{4})/g))
    text += String.fromCharCode(Number.parseInt(match[1], 16) & 0xff);
  return text;
}

describe('SeaBIOS with the standard VGA', () => {
  it('shows its banner on the VGA text screen', async () => {
    image('vgabios-stdvga.bin');
    const tsemu = new TsemuProcess(['-display', 'none', '-monitor', 'stdio', '-m', '64']);
    running = tsemu;
    await tsemu.waitFor('(qemu) ', 30_000);
    let screen = '';
    for (let attempt = 0; attempt < 60 && !screen.includes('No bootable device'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      screen = textCells(await command(tsemu, 'xp /2000hx 0xb8000'));
    }
    expect(screen).toMatch(/SeaBIOS \(version [^)]+\)/);
    expect(screen).toContain('No bootable device');
    tsemu.send('quit\n');
    expect(await tsemu.exited).toBe(0);
  }, 90_000);
});

describe('a boot sector of our own on an IDE disk', () => {
  it('is loaded by SeaBIOS from -hda and runs: it prints on COM1 and exits with its status', async () => {
    // 16-bit real mode at 0x7c00: print through the UART at 0x3f8, then write 0x21 to
    // isa-debug-exit (exit status (0x21 << 1) | 1 = 67).
    const sector = assemble(
      `
      bits 16
      org 0x7c00
      start:
        cli
        xor ax, ax
        mov ds, ax
        mov si, message
      .next:
        lodsb
        test al, al
        jz .done
        mov ah, al
        mov dx, 0x3fd
      .wait:
        in al, dx
        test al, 0x20
        jz .wait
        mov dx, 0x3f8
        mov al, ah
        out dx, al
        jmp .next
      .done:
        mov al, 0x21
        out 0xf4, al
        hlt
      message:
        db 'Hello from an IDE boot sector', 13, 10, 0
        times 510 - ($ - $$) db 0
        dw 0xaa55
      `,
      { bits: 16 },
    ).bytes;
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-bootsector-'));
    const disk = join(dir, 'disk.img');
    const bytes = new Uint8Array(1024 * 1024);
    bytes.set(sector);
    writeFileSync(disk, bytes);
    const tsemu = new TsemuProcess([
      '-nographic',
      '-m',
      '32',
      '-drive',
      `file=${disk},format=raw,if=ide,index=0`,
      '-device',
      'isa-debug-exit,iobase=0xf4,iosize=4',
    ]);
    running = tsemu;
    expect(await tsemu.exited).toBe(67);
    expect(tsemu.stdout).toContain('Booting from Hard Disk');
    expect(tsemu.stdout).toContain('Hello from an IDE boot sector');
  }, 90_000);
});
