/**
 * End-to-end: a Multiboot kernel written by us (`@tsemu/hw-pc/testing`) booted with
 * `-kernel`, through SeaBIOS's multiboot option ROM and through the BIOS-less path. It
 * prints on the serial port and ends the run through isa-debug-exit with the status its
 * command line chose: `exit=5` gives QEMU's (5 << 1) | 1 = 11.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMultibootTestKernel, MULTIBOOT_TEST_KERNEL_BANNER } from '@tsemu/hw-pc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { image, TsemuProcess } from './tsemu-process.js';

let running: TsemuProcess | undefined;
afterEach(() => running?.kill());

const dir = mkdtempSync(join(tmpdir(), 'tsemu-multiboot-'));
const kernel = join(dir, 'kernel.elf');
writeFileSync(kernel, buildMultibootTestKernel({ format: 'elf' }));
const module = join(dir, 'module.txt');
writeFileSync(module, 'hello from the first module\n');

describe('a Multiboot kernel of our own', () => {
  for (const machine of ['pc', 'pc,firmware=none']) {
    it(`prints and exits with the status it chose (-machine ${machine})`, async () => {
      image('multiboot_dma.bin');
      const tsemu = new TsemuProcess([
        '-machine',
        machine,
        '-nographic',
        '-m',
        '64',
        '-kernel',
        kernel,
        '-append',
        'exit=5',
        '-initrd',
        `${module} modarg`,
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=4',
      ]);
      running = tsemu;
      expect(await tsemu.exited).toBe(11);
      expect(tsemu.stdout).toContain(MULTIBOOT_TEST_KERNEL_BANNER);
      expect(tsemu.stdout).toContain('exit=5');
      expect(tsemu.stdout).toContain('hello from the first module');
      console.log(`Multiboot (${machine}): exit after ${tsemu.elapsed.toFixed(1)} s`);
    }, 90_000);
  }
});
