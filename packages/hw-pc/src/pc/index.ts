// The `pc` machine (QEMU's pc_init1 for pc-i440fx) and what it is built from.
export * from './pc-cmos.js';
export * from './pc-firmware.js';
export * from './pc-machine.js';
export * from './pc-machine-types.js';
export * from './pc-options.js';
export * from './pci-info.js';
export * from './qtree.js';
