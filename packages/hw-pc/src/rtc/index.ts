// The MC146818 real-time clock and CMOS RAM, and its qdev wrapper.
export * from './mc146818.js';
export * from './mc146818-qdev.js';
