// ACPI power management: the PM1/PM timer/GPE register core, the APM ports, the SMBus
// host controller, and the PIIX4 PM function that puts them on the PCI bus.
export * from './acpi-pm.js';
export * from './apm.js';
export * from './piix4-pm.js';
export * from './pm-smbus.js';
