// Time-keeping devices: the 8254 PIT with system control port B (0x61), and the HPET; and
// their qdev wrappers.
export * from './hpet.js';
export * from './hpet-qdev.js';
export * from './i8254.js';
export * from './i8254-qdev.js';
export * from './port61.js';
