// QEMU's firmware configuration device: the item table core, its I/O-port qdev wrapper,
// the e820 builder and the items QEMU's pc machine provides.
export * from './e820.js';
export * from './fw-cfg.js';
export * from './fw-cfg-io.js';
export * from './fw-cfg-keys.js';
export * from './pc-fw-cfg.js';
