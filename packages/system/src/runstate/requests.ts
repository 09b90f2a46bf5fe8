/**
 * Requests to the main loop (QEMU's qemu_system_*_request): anyone may file one at any
 * time — a device model in the middle of a guest access, a signal handler, the monitor —
 * and the main loop handles it between two turns, in QEMU's order (see System).
 */
import type { RunState, Runstate } from './runstate.js';
import type { ShutdownCause, WakeupReason } from './shutdown-cause.js';

/** What to do on guest events (QEMU's `-action`; `-no-reboot` and `-no-shutdown` set two). */
export interface RunstateActions {
  /** On a reset request: reset (default), or shut down instead (`-no-reboot`). */
  reboot: 'reset' | 'shutdown';
  /** On a shutdown request: exit (default), or stop the VM in `shutdown` state (`-no-shutdown`). */
  shutdown: 'poweroff' | 'pause';
  /** On a guest panic: shut down (default), pause, exit with status 1, or ignore it. */
  panic: 'shutdown' | 'pause' | 'exit-failure' | 'none';
}

interface ShutdownRequest {
  readonly cause: ShutdownCause;
  readonly exitCode: number | undefined;
}

export class SystemRequests {
  private resetCause: ShutdownCause | undefined;
  private shutdownRequest: ShutdownRequest | undefined;
  private powerdownRequested = false;
  private suspendRequested = false;
  private debugRequested = false;
  private wakeupReason: WakeupReason | undefined;
  private vmstopState: RunState | undefined;
  private signal: number | undefined;

  /**
   * @param wake wakes the main loop and makes a running vCPU return (QEMU's
   *   qemu_notify_event plus cpu_stop_current)
   */
  constructor(
    private readonly runstate: Runstate,
    private readonly actions: RunstateActions,
    private readonly wake: () => void,
  ) {}

  /**
   * Asks for a system reset. With `-no-reboot` (reboot action `shutdown`) it becomes a
   * shutdown request with the same cause, except for `subsystem-reset`.
   */
  reset(cause: ShutdownCause = 'host-qmp-system-reset'): void {
    if (this.actions.reboot === 'shutdown' && cause !== 'subsystem-reset') {
      this.shutdownRequest = { cause, exitCode: this.shutdownRequest?.exitCode };
    } else {
      this.resetCause = cause;
    }
    this.wake();
  }

  /** Asks to shut down; the main loop exits with `exitCode` (default 0) unless `-no-shutdown`. */
  shutdown(cause: ShutdownCause, exitCode?: number): void {
    if (exitCode !== undefined && !Number.isInteger(exitCode)) {
      throw new Error(`exit code must be an integer, got ${exitCode}`);
    }
    this.shutdownRequest = { cause, exitCode };
    this.wake();
  }

  /** Asks the guest to power down (the ACPI power button); powerdown notifiers are told. */
  powerdown(): void {
    this.powerdownRequested = true;
    this.wake();
  }

  /** The guest enters S3: the vCPUs stop and the VM goes to `suspended`. */
  suspend(): void {
    if (this.runstate.check('suspended')) return;
    this.suspendRequested = true;
    this.wake();
  }

  /**
   * Wakes a suspended guest: the VM is `running` again at once, wakeup notifiers are told at
   * the next turn. Throws if the guest is not suspended (a QMP error in QEMU).
   */
  wakeup(reason: WakeupReason = 'other'): void {
    if (!this.runstate.check('suspended')) {
      throw new Error('Unable to wake up: guest is not in suspended state');
    }
    this.runstate.set('running');
    this.wakeupReason = reason;
    this.wake();
  }

  /** Stops the VM in the `debug` state (a breakpoint or the gdbstub). */
  debug(): void {
    this.debugRequested = true;
    this.wake();
  }

  /** Stops the VM in `state` at the next turn (QEMU's qemu_system_vmstop_request). */
  vmstop(state: RunState): void {
    this.vmstopState = state;
    this.wake();
  }

  /**
   * The process got a terminating signal (QEMU's qemu_system_killed): shut down with cause
   * `host-signal`, even under `-no-shutdown`.
   */
  killed(signal: number): void {
    this.signal = signal;
    this.actions.shutdown = 'poweroff';
    this.shutdownRequest = { cause: 'host-signal', exitCode: this.shutdownRequest?.exitCode };
    this.wake();
  }

  /** True if some request waits for the main loop. */
  get pending(): boolean {
    return (
      this.resetCause !== undefined ||
      this.shutdownRequest !== undefined ||
      this.powerdownRequested ||
      this.suspendRequested ||
      this.debugRequested ||
      this.wakeupReason !== undefined ||
      this.vmstopState !== undefined
    );
  }

  // The take* methods hand a request to the main loop and forget it.

  /** @internal */
  takeReset(): ShutdownCause | undefined {
    const cause = this.resetCause;
    this.resetCause = undefined;
    return cause;
  }

  /** @internal */
  takeShutdown(): ShutdownRequest | undefined {
    const request = this.shutdownRequest;
    this.shutdownRequest = undefined;
    return request;
  }

  /** @internal */
  takePowerdown(): boolean {
    const requested = this.powerdownRequested;
    this.powerdownRequested = false;
    return requested;
  }

  /** @internal */
  takeSuspend(): boolean {
    const requested = this.suspendRequested;
    this.suspendRequested = false;
    return requested;
  }

  /** @internal */
  takeDebug(): boolean {
    const requested = this.debugRequested;
    this.debugRequested = false;
    return requested;
  }

  /** @internal */
  takeWakeup(): WakeupReason | undefined {
    const reason = this.wakeupReason;
    this.wakeupReason = undefined;
    return reason;
  }

  /** @internal */
  takeVmstop(): RunState | undefined {
    const state = this.vmstopState;
    this.vmstopState = undefined;
    return state;
  }

  /** @internal The signal that caused a shutdown, reported once. */
  takeSignal(): number | undefined {
    const signal = this.signal;
    this.signal = undefined;
    return signal;
  }
}
