// Test helpers for the kernel loaders: a Multiboot kernel written with @tsemu/x86asm (a
// devDependency: this folder is not part of the package's main entry) and a bare machine
// that runs a loaded kernel.
export * from './bare-machine.js';
export * from './multiboot-test-kernel.js';
