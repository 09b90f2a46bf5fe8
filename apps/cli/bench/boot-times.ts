/**
 * Wall time of each boot the end-to-end tests make, through the real `tsemu` command (run
 * from the sources, as the tests do): SeaBIOS to "No bootable device", our Multiboot kernel
 * (SeaBIOS and BIOS-less), and Debian's Linux to the initramfs marker (SeaBIOS + -kernel,
 * BIOS-less, the isolinux CD-ROM). Writes bench/RESULTS.md.
 *
 *   cd apps/cli && node --conditions=@tsemu/source --import tsx bench/boot-times.ts [--quick]
 *
 * `--quick` leaves out the three Linux boots.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMultibootTestKernel } from '@tsemu/hw-pc/testing';
import { image, TsemuProcess } from '../test/tsemu-process.js';

interface Scenario {
  name: string;
  args: string[];
  /** What ends the measurement: a line on the console, or the process's exit. */
  until: string | 'exit';
  /** Keys to type when a text appears (isolinux's boot: prompt). */
  answer?: { when: string; send: string };
}

const dir = mkdtempSync(join(tmpdir(), 'tsemu-boot-bench-'));
const multiboot = join(dir, 'kernel.elf');
writeFileSync(multiboot, buildMultibootTestKernel({ format: 'elf' }));
const linux = () => [
  '-kernel',
  image('vmlinuz'),
  '-initrd',
  image('initramfs.cpio.gz'),
  '-append',
  'console=ttyS0',
];
const MARKER = 'TSEMU-INITRAMFS-READY';
const exitDevice = ['-device', 'isa-debug-exit,iobase=0xf4,iosize=4'];

const scenarios: Scenario[] = [
  {
    name: 'SeaBIOS to "No bootable device"',
    args: ['-nographic', '-m', '64'],
    until: 'No bootable device',
  },
  {
    name: 'Multiboot kernel through SeaBIOS, to its exit',
    args: ['-nographic', '-m', '64', '-kernel', multiboot, '-append', 'exit=5', ...exitDevice],
    until: 'exit',
  },
  {
    name: 'Multiboot kernel, -machine pc,firmware=none, to its exit',
    args: [
      '-machine',
      'pc,firmware=none',
      '-nographic',
      '-m',
      '64',
      '-kernel',
      multiboot,
      '-append',
      'exit=5',
      ...exitDevice,
    ],
    until: 'exit',
  },
];
if (!process.argv.includes('--quick')) {
  scenarios.push(
    {
      name: 'Linux through SeaBIOS + -kernel, to the marker',
      args: ['-nographic', '-m', '256', ...linux()],
      until: MARKER,
    },
    {
      name: 'Linux, -machine pc,firmware=none, to the marker',
      args: ['-machine', 'pc,firmware=none', '-nographic', '-m', '256', ...linux()],
      until: MARKER,
    },
    {
      name: 'Linux from the isolinux CD-ROM (-boot d), to the marker',
      args: ['-nographic', '-m', '256', '-cdrom', image('tsemu-linux.iso'), '-boot', 'd'],
      until: MARKER,
      answer: { when: 'boot:', send: '\r' },
    },
  );
}

const rows: string[] = [];
for (const scenario of scenarios) {
  const load = loadavg()[0].toFixed(1);
  const tsemu = new TsemuProcess(scenario.args);
  try {
    if (scenario.answer) {
      await tsemu.waitFor(scenario.answer.when, 120_000);
      tsemu.send(scenario.answer.send);
    }
    if (scenario.until === 'exit') await tsemu.exited;
    else await tsemu.waitFor(scenario.until, 1_800_000);
    rows.push(`| ${scenario.name} | ${tsemu.elapsed.toFixed(1)} s | ${load} |`);
  } catch (error) {
    rows.push(
      `| ${scenario.name} | failed: ${(error as Error).message.split('\n')[0]} | ${load} |`,
    );
  } finally {
    tsemu.kill();
  }
  console.log(rows[rows.length - 1]);
}

const command = `cd apps/cli && node --conditions=@tsemu/source --import tsx bench/boot-times.ts${process.argv.includes('--quick') ? ' --quick' : ''}`;
const text = `### Boot times through the tsemu command

Command: \`${command}\`. Date: ${new Date().toISOString().slice(0, 10)}. Host: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}. Each boot runs once, one after another, from process start (the times include Node's start-up and tsx compiling the sources, about 1-2 s).

| boot | wall time | load average at start |
|---|---:|---:|
${rows.join('\n')}
`;
writeFileSync(new URL('RESULTS.md', import.meta.url), text);
console.log(text);
