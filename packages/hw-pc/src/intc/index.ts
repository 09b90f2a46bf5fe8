// Interrupt controllers: the 8259 pair, the I/O APIC, the local APIC and the bus between
// them, the interface a CPU polls for its interrupts (docs/hw-pc-interrupts.md), and their
// qdev wrappers.
export * from './apic-bus.js';
export * from './cpu-interrupts.js';
export * from './hw-environment.js';
export * from './i8259.js';
export * from './i8259-pair.js';
export * from './i8259-qdev.js';
export * from './ioapic.js';
export * from './ioapic-qdev.js';
export * from './local-apic.js';
export * from './local-apic-qdev.js';
export * from './local-apic-regs.js';
export * from './pic-interrupt-lines.js';
