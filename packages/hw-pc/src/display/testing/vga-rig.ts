import { type AddressSpace, MemoryCore, type MemoryRegion } from '@tsemu/memory';
import { ManualTime } from '../../testing/manual-time.js';
import type { VgaRenderer } from '../vga/vga-renderer.js';
import { VgaCommon } from '../vga-common.js';
import { TestConsole } from './test-console.js';

/** Where the rig maps video memory (QEMU's VBE_DISPI_LFB_PHYSICAL_ADDRESS). */
export const VGA_RIG_LFB = 0xe0000000;

/** A VGA in a bare machine: memory and I/O address spaces, a console, a manual clock. */
export interface VgaRig {
  memory: MemoryCore;
  system: MemoryRegion;
  mem: AddressSpace;
  io: AddressSpace;
  vga: VgaCommon;
  console: TestConsole;
  renderer: VgaRenderer;
  time: ManualTime;
  outb(port: number, value: number): void;
  outw(port: number, value: number): void;
  inb(port: number): number;
  inw(port: number): number;
  /** Redraw what changed; returns the number of scanlines (or text cells) redrawn. */
  update(): number;
}

export function vgaRig(options: { vramMb?: number } = {}): VgaRig {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 32n);
  const ioRoot = memory.container('io', 0x10000);
  // Conventional memory only: 0xa0000-0xfffff is the VGA's (as the i440FX routes it to PCI).
  system.addSubregion(0, memory.ram('pc.ram', 0xa0000));
  const time = new ManualTime();
  const vga = new VgaCommon({ memory, vramSize: (options.vramMb ?? 4) << 20, clock: time });
  vga.mapLegacy(system);
  vga.mapPorts(ioRoot);
  // The linear framebuffer where the ISA VGA has it.
  system.addSubregion(VGA_RIG_LFB, memory.alias('vram.vbe', vga.vram, 0, vga.vram.size));
  const console = new TestConsole();
  const renderer = vga.attachConsole(console);
  const mem = memory.addressSpace('memory', system);
  const io = memory.addressSpace('io', ioRoot);
  return {
    memory,
    system,
    mem,
    io,
    vga,
    console,
    renderer,
    time,
    outb: (port, value) => io.write(port, 1, value),
    outw: (port, value) => io.write(port, 2, value),
    inb: (port) => io.read(port, 1),
    inw: (port) => io.read(port, 2),
    update() {
      console.hardware?.gfxUpdate();
      return renderer.stats.linesDrawn + renderer.stats.cellsDrawn;
    },
  };
}
