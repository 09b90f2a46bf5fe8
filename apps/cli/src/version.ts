/** The tsemu version, printed by `-version` in QEMU's style. */
export const TSEMU_VERSION = '0.0.0';
