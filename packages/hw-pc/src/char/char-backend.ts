/**
 * The character device a UART or isa-debugcon talks through, seen from the
 * device (QEMU's `CharBackend` and its `qemu_chr_fe_*` calls).
 *
 * Declared here structurally so that device models never import a chardev
 * package: `@tsemu/chardev`'s `Chardev` satisfies this interface, and so does
 * any test double.
 */

/** Connection events a chardev reports (QEMU's QEMUChrEvent). */
export type CharEvent = 'opened' | 'closed' | 'break' | 'mux-in' | 'mux-out';

/** The device's side: what the chardev calls. */
export interface CharHandlers {
  /** How many bytes the device can take now; the chardev never passes more, and keeps the rest. */
  canReceive(): number;
  /** Input bytes (valid only during the call). */
  receive(data: Uint8Array): void;
  /** A connection event; a UART turns `break` into a received break. */
  event?(event: CharEvent): void;
}

/** The chardev's side: what the device calls. */
export interface CharBackend {
  /** Register the device's handlers, or remove them with `null`. */
  setHandlers(handlers: CharHandlers | null): void;
  /** Send bytes to the outside world. The chardev copies what it keeps: `data` may be reused. */
  write(data: Uint8Array): void;
  /** The device has room again: deliver input the chardev is holding. */
  acceptInput(): void;
}

/** A chardev that takes output and never gives input: the default for a device with none. */
export const NULL_CHAR_BACKEND: CharBackend = {
  setHandlers: () => {},
  write: () => {},
  acceptInput: () => {},
};
