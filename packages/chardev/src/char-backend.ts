/**
 * What a device model (a "frontend": a UART, the monitor, isa-debugcon) sees of
 * its character device. This is QEMU's `CharBackend` and its `qemu_chr_fe_*`
 * calls. Device packages declare the same shape structurally, so they never
 * import this package: any `Chardev` can be handed to them.
 */

/**
 * Events a chardev reports to its frontend (QEMU's `QEMUChrEvent`):
 * - `opened`: the backend is connected (a client arrived on a server socket, or
 *   the frontend attached to an already open backend);
 * - `closed`: the peer went away (socket disconnect, end of input);
 * - `break`: a line break was requested (Ctrl-A b on the mux): a UART shows it as
 *   a break condition;
 * - `mux-in` / `mux-out`: a mux gave this frontend the keyboard focus, or took it.
 */
export type CharEvent = 'opened' | 'closed' | 'break' | 'mux-in' | 'mux-out';

/** The callbacks a frontend registers (QEMU's IOCanReadHandler, IOReadHandler, IOEventHandler). */
export interface CharHandlers {
  /**
   * How many bytes the frontend can take right now. The chardev never passes
   * more than this to `receive`; bytes it cannot deliver wait in the chardev
   * (and the input source is paused) until the frontend calls `acceptInput()`.
   */
  canReceive(): number;
  /** Bytes from the outside world, at most the last `canReceive()` count. */
  receive(data: Uint8Array): void;
  /** A change of the connection (see `CharEvent`). */
  event?(event: CharEvent): void;
}

/** The frontend's handle on a chardev. */
export interface CharBackend {
  /** Register (or with `null`, remove) the frontend's handlers. */
  setHandlers(handlers: CharHandlers | null): void;
  /**
   * Send bytes to the outside world. Returns the number of bytes taken: every
   * backend here takes all of them (output is buffered), or drops them when
   * nothing is connected, as QEMU does.
   */
  write(data: Uint8Array): number;
  /** The frontend has room again (QEMU's qemu_chr_fe_accept_input): deliver waiting input. */
  acceptInput(): void;
}
