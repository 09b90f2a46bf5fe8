import { describe, expect, it } from 'vitest';
import { readElf32 } from '../elf32.js';
import { detectKernelFormat } from '../kernel-format.js';
import { prepareMultibootBoot } from '../multiboot.js';
import { findMultibootHeader, MULTIBOOT_AOUT_KLUDGE } from '../multiboot-header.js';
import { BareMachine } from './bare-machine.js';
import {
  buildMultibootTestKernel,
  MULTIBOOT_TEST_KERNEL_BAD_MAGIC,
  MULTIBOOT_TEST_KERNEL_BANNER,
} from './multiboot-test-kernel.js';

const MODULE_TEXT = 'hello from module\nsecond line\n';

function run(
  format: 'elf' | 'aout',
  cmdline: string,
  options: { modules?: boolean; eax?: number } = {},
) {
  const machine = new BareMachine();
  const boot = prepareMultibootBoot({
    kernel: buildMultibootTestKernel({ format }),
    kernelName: `test-kernel.${format}`,
    cmdline,
    modules: options.modules
      ? [{ commandLine: 'greeting.txt lang=en', bytes: new TextEncoder().encode(MODULE_TEXT) }]
      : [],
    belowFourGig: machine.ramSize,
  });
  const entry = { ...boot.entry, regs: { ...boot.entry.regs } };
  if (options.eax !== undefined) entry.regs.eax = options.eax;
  machine.boot(boot.regions, entry);
  const result = machine.run();
  return { result, status: machine.exitStatus, lines: machine.text.split('\r\n') };
}

describe('the Multiboot test kernel', () => {
  it('is a Multiboot ELF executable, and a flat image with the a.out kludge', () => {
    const elf = buildMultibootTestKernel({ format: 'elf' });
    expect(detectKernelFormat(elf)).toBe('multiboot');
    expect(findMultibootHeader(elf)).toMatchObject({ offset: 0x60, flags: 3 });
    const image = readElf32(elf);
    expect(image.low).toBe(0x100000);
    expect(image.entry).toBe(0x100060 + 12);
    const aout = buildMultibootTestKernel({ format: 'aout' });
    expect(detectKernelFormat(aout)).toBe('multiboot');
    expect(findMultibootHeader(aout)).toMatchObject({
      offset: 0,
      flags: 3 | MULTIBOOT_AOUT_KLUDGE,
      headerAddr: 0x100000,
      loadAddr: 0x100000,
      loadEndAddr: 0x100000 + aout.length,
      bssEndAddr: 0x100000 + aout.length + 0x1000,
      entryAddr: 0x100000 + 32,
    });
  });

  it.each(['elf', 'aout'] as const)(
    'prints what the loader gave it and exits with the status it was asked for (%s)',
    (format) => {
      const { result, status, lines } = run(format, 'exit=5 verbose', { modules: true });
      expect(result).toBe('exit');
      expect(status).toBe(11);
      expect(lines).toEqual([
        MULTIBOOT_TEST_KERNEL_BANNER,
        'loader: tsemu',
        'memory: lower 639 KiB, upper 31744 KiB',
        `cmdline: test-kernel.${format} exit=5 verbose`,
        'modules: 1',
        'module 0: greeting.txt lang=en',
        'module 0 text: hello from module',
        'second line',
        '',
        'exit: 5',
        '',
      ]);
    },
  );

  it('takes exit= only as a word of its own, and halts without one', () => {
    const { result, status, lines } = run('elf', 'noexit=3');
    expect(result).toBe('halted');
    expect(status).toBeUndefined();
    expect(lines).toContain('modules: 0');
    expect(lines.at(-2)).toBe('no exit= on the command line: halting');
  });

  it('reports a wrong boot magic through the exit port', () => {
    const { status, lines } = run('aout', 'exit=1', { eax: 0 });
    expect(status).toBe((MULTIBOOT_TEST_KERNEL_BAD_MAGIC << 1) | 1);
    expect(lines[1]).toBe('bad boot magic in EAX');
  });

  it('exits through another port when built for one', () => {
    const machine = new BareMachine({ exitPort: 0x501 });
    const boot = prepareMultibootBoot({
      kernel: buildMultibootTestKernel({ exitPort: 0x501 }),
      kernelName: 'k',
      cmdline: 'exit=0',
      belowFourGig: machine.ramSize,
    });
    machine.boot(boot.regions, boot.entry);
    expect(machine.run()).toBe('exit');
    expect(machine.exitStatus).toBe(1);
  });
});
