/**
 * Logging for guest mistakes (QEMU's `qemu_log_mask(LOG_GUEST_ERROR, ...)`).
 *
 * The memory package does not depend on `@tsemu/system`'s `Log`: it accepts any object
 * with this shape, so a library user can pass `console`-backed sinks or nothing at all.
 */
export interface LogSink {
  /** True when messages for `item` (a QEMU `-d` item such as `guest_errors`) are wanted. */
  enabled(item: string): boolean;
  /** Writes one message; `text` ends with a newline, as qemu_log's messages do. */
  write(item: string, text: string): void;
}

/** A sink that logs nothing (the default). Stateless, so sharing it is safe. */
export const silentLog: LogSink = Object.freeze({
  enabled: () => false,
  write: () => {},
});

/** The `-d` item under which bad guest accesses are reported. */
export const GUEST_ERRORS = 'guest_errors';
