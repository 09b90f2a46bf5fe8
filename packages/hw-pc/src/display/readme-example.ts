import { MemoryCore } from '@tsemu/memory';
import {
  VBE_DISPI_ENABLED,
  VBE_DISPI_INDEX_BPP,
  VBE_DISPI_INDEX_ENABLE,
  VBE_DISPI_INDEX_XRES,
  VBE_DISPI_INDEX_YRES,
  VBE_DISPI_LFB_ENABLED,
  VgaCommon,
} from './index.js';
import { TestConsole } from './testing/test-console.js';

export function main(print: (line: string) => void): void {
  // A bare machine: memory and I/O spaces, the VGA in them, a console to draw into.
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 32n);
  const ioSpace = memory.container('io', 0x10000);
  const vga = new VgaCommon({ memory, vramSize: 16 << 20 });
  vga.mapLegacy(system); // the window at 0xa0000
  vga.mapPorts(ioSpace); // 0x3b0-0x3df and the dispi ports 0x1ce-0x1d0
  const console = new TestConsole(); // any console of the ConsolePort shape (@tsemu/ui's)
  const renderer = vga.attachConsole(console);
  const io = memory.addressSpace('io', ioSpace);
  const mem = memory.addressSpace('memory', system);

  // A Bochs VBE mode as a driver sets it: 800x600, 32 bits per pixel.
  const dispi = (index: number, value: number) => {
    io.write(0x1ce, 2, index);
    io.write(0x1cf, 2, value);
  };
  io.read(0x3da, 1); // reset the attribute flip-flop...
  io.write(0x3c0, 1, 0x20); // ...and turn the screen on
  dispi(VBE_DISPI_INDEX_BPP, 32);
  dispi(VBE_DISPI_INDEX_XRES, 800);
  dispi(VBE_DISPI_INDEX_YRES, 600);
  dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);

  // The 64K bank window at 0xa0000 shows the start of the framebuffer: pixel (20, 10).
  mem.write(0xa0000 + (10 * 800 + 20) * 4, 4, 0x00ff8000);
  renderer.updateDisplay();
  const p = console.rgb(20, 10);
  print(
    `${console.surface.width}x${console.surface.height}, pixel (20, 10) = rgb(${p.join(', ')})`,
  );
  print(`first frame: ${renderer.stats.linesDrawn} lines drawn`);

  // Only lines whose video memory pages were written are drawn again.
  mem.write(0xa0000 + 5 * 800 * 4, 4, 0x000000ff);
  renderer.updateDisplay();
  print(`after one pixel: ${renderer.stats.linesDrawn} lines drawn`);
  renderer.updateDisplay();
  print(`idle: ${renderer.stats.linesDrawn} lines drawn`);
}
