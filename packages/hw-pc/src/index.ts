// @tsemu/hw-pc: the device models of QEMU's `pc` machine.
// Each folder holds device cores (plain register logic with injected IRQ lines, clock and
// log: see docs/hw-pc.md) and their qdev wrappers.
export * from './acpi/index.js';
export * from './char/index.js';
export * from './device-env.js';
export * from './display/index.js';
export * from './fw_cfg/index.js';
export * from './ide/index.js';
export * from './input/index.js';
export * from './intc/index.js';
export * from './isa/index.js';
export * from './loader/index.js';
export * from './misc/index.js';
export * from './pc/index.js';
export * from './pci/index.js';
export * from './pci-host/index.js';
export * from './rtc/index.js';
export * from './testing/irq-recorder.js';
export * from './testing/manual-time.js';
export * from './timer/index.js';
