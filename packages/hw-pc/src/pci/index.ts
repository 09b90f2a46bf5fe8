// PCI: the bus, the function base class with its configuration space and BARs, the
// `addr` property kind, the header's register names, and `info pci`.
export * from './info-pci.js';
export * from './pci-bus.js';
export * from './pci-devfn-prop.js';
export * from './pci-device.js';
export * from './pci-regs.js';
