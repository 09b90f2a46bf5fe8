import {
  applyEntryState,
  detectKernelFormat,
  prepareMultibootBoot,
  writeLoadRegions,
} from './index.js';
import { BareMachine, buildMultibootTestKernel } from './testing/index.js';

export function main(print: (line: string) => void): void {
  const kernel = buildMultibootTestKernel(); // an ELF Multiboot kernel written with x86asm
  print(`format: ${detectKernelFormat(kernel)}`);

  const machine = new BareMachine(); // 32 MiB of RAM, a CPU, COM1, isa-debug-exit at 0xf4
  const boot = prepareMultibootBoot({
    kernel,
    kernelName: 'test.elf',
    cmdline: 'exit=3',
    modules: [{ commandLine: 'notes.txt', bytes: new TextEncoder().encode('some notes') }],
    belowFourGig: machine.ramSize,
  });
  for (const r of boot.regions) {
    print(`${r.name}: 0x${r.addr.toString(16)}, ${r.bytes.length} bytes`);
  }

  // What the machine's BIOS-less path does: write the regions, then start the CPU.
  writeLoadRegions(machine.writer, boot.regions);
  machine.cpu.reset();
  applyEntryState(machine.cpu, boot.entry);
  machine.run();
  for (const line of machine.text.trimEnd().split('\r\n')) print(`| ${line}`);
  print(`exit status ${machine.exitStatus}`);
}
