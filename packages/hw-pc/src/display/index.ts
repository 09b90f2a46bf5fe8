// Display devices: the standard VGA with the Bochs VBE extensions (core, renderer and the
// `isa-vga` / `VGA` qdev wrappers), and the console shape they draw into.
export * from './console-port.js';
export * from './vga/vbe-regs.js';
export * from './vga/vga-core.js';
export { dac6to8, rgba } from './vga/vga-draw.js';
export * from './vga/vga-regs.js';
export * from './vga/vga-renderer.js';
export * from './vga/vga-state.js';
export * from './vga-common.js';
export * from './vga-isa.js';
export * from './vga-pci.js';
