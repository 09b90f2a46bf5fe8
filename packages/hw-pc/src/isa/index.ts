// The ISA bus and the ISADevice base other devices build on, and the PIIX3 PCI-to-ISA
// bridge that provides the bus on a PC.
export * from './isa-bus.js';
export * from './isa-device.js';
export * from './piix3.js';
