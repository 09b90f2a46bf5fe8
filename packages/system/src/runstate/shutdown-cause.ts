/**
 * Why the VM is shutting down or resetting, spelled as QEMU's QMP SHUTDOWN and RESET events
 * spell it, so that tools written for QEMU read our events unchanged.
 *
 * An x86 triple fault is a reset request with cause `guest-reset` (the chipset resets the
 * machine, as QEMU's x86 target does); with `-no-reboot` it becomes a shutdown with that cause.
 */
export type ShutdownCause =
  /** No shutdown or reset requested (a reset done by the emulator itself, e.g. at start). */
  | 'none'
  /** An error in the host prevents further use of the guest. */
  | 'host-error'
  /** QMP `quit` or HMP `quit`. */
  | 'host-qmp-quit'
  /** QMP `system_reset` or HMP `system_reset`. */
  | 'host-qmp-system-reset'
  /** The host process got SIGINT, SIGTERM or SIGHUP. */
  | 'host-signal'
  /** The user interface asked (e.g. the window was closed). */
  | 'host-ui'
  /** The guest powered off (ACPI S5, a debug exit port ...). */
  | 'guest-shutdown'
  /** The guest reset the machine (reset port, keyboard controller, triple fault ...). */
  | 'guest-reset'
  /** The guest panicked and the panic action is to shut down. */
  | 'guest-panic'
  /** Part of the machine reset itself; `-no-reboot` does not turn it into a shutdown. */
  | 'subsystem-reset'
  /** A snapshot is being loaded. */
  | 'snapshot-load';

/** True for causes that come from inside the guest (QEMU's shutdown_caused_by_guest). */
export function shutdownCausedByGuest(cause: ShutdownCause): boolean {
  return cause === 'guest-shutdown' || cause === 'guest-reset' || cause === 'guest-panic';
}

/** Why a suspended guest wakes up (QEMU's WakeupReason). */
export type WakeupReason = 'rtc' | 'pmtimer' | 'other';
