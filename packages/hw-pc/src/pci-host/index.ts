// PCI host bridges: configuration mechanism #1, the generic host bridge, the i440FX (host
// side and PMC with PAM and SMRAM), and the whole i440FX/PIIX3/PIIX4-PM chipset builder.
export * from './config-mechanism.js';
export * from './i440fx.js';
export * from './i440fx-piix.js';
export * from './pci-host.js';
