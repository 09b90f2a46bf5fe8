/** Names of qdev's base types. */

/** Abstract base of every device (QEMU's TYPE_DEVICE). */
export const TYPE_DEVICE = 'device';
/** Abstract base of every bus (QEMU's TYPE_BUS). */
export const TYPE_BUS = 'bus';
/** Abstract base of every machine type (QEMU's TYPE_MACHINE). */
export const TYPE_MACHINE = 'machine';
/** Suffix of machine type names: `pc-i440fx-9.0` is type `pc-i440fx-9.0-machine`. */
export const MACHINE_TYPE_SUFFIX = '-machine';
/** One input line fanned out to several outputs (QEMU's TYPE_SPLIT_IRQ). */
export const TYPE_SPLIT_IRQ = 'split-irq';
