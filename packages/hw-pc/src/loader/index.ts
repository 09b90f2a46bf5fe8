// Kernel loaders for `-kernel`: Linux bzImages (the 32-bit boot protocol, and the fw_cfg
// items of QEMU's linuxboot path) and Multiboot v1 kernels. See docs/hw-pc-loader.md.
export * from './bios-e820.js';
export * from './boot-params.js';
export { type Elf32Image, type ElfLoadSegment, readElf32 } from './elf32.js';
export * from './entry-state.js';
export * from './kernel-format.js';
export * from './kernel-image-error.js';
export * from './linux-boot-layout.js';
export * from './linux-direct.js';
export * from './linux-header.js';
export * from './load-region.js';
export * from './multiboot.js';
export * from './multiboot-header.js';
