/**
 * One machine's runstate, clocks, timers, notifiers, reset handlers, requests and main loop,
 * wired together (what QEMU keeps in globals across vl.c, runstate.c, cpus.c and
 * main-loop.c). Two `System`s run side by side in one process without touching each other.
 */
import { type LogSink, NULL_LOG_SINK } from './log/log.js';
import type { HostScheduler } from './main-loop/host-scheduler.js';
import { MainLoop, type MainLoopHost } from './main-loop/main-loop.js';
import type { VcpuExitReason, VcpuRunner } from './main-loop/vcpu.js';
import { VcpuScheduler } from './main-loop/vcpu-scheduler.js';
import { type Notifier, NotifierList } from './notifier.js';
import { type RunstateActions, SystemRequests } from './runstate/requests.js';
import { ResetHandlers } from './runstate/reset.js';
import { type RunState, Runstate } from './runstate/runstate.js';
import type { ShutdownCause, WakeupReason } from './runstate/shutdown-cause.js';
import { VmChangeStateHandlers } from './runstate/vm-change-state.js';
import type { HostTime } from './timer/clock.js';
import { Clocks } from './timer/clocks.js';
import { type IcountOptions, parseIcountOptions } from './timer/icount.js';

export interface SystemOptions {
  /** Where `-d` output goes (`guest_errors` on a guest panic). Default: nowhere. */
  readonly log?: LogSink;
  /** `-icount`: an options object or the command-line string (`'shift=3,sleep=off'`). */
  readonly icount?: IcountOptions | string;
  /** `-no-reboot`: a guest reset shuts the VM down instead. */
  readonly noReboot?: boolean;
  /** `-no-shutdown`: a guest shutdown stops the VM (state `shutdown`) instead of exiting. */
  readonly noShutdown?: boolean;
  /** QEMU's `-action`; applied after `noReboot` / `noShutdown`. */
  readonly actions?: Partial<RunstateActions>;
  /** Host time source; tests pass a FakeHostTime. */
  readonly hostTime?: HostTime;
  /** Host event-loop primitives; default: Node's (or the browser's). */
  readonly scheduler?: HostScheduler;
  /** Longest time (ms) the main loop holds Node's event loop before yielding. Default 4. */
  readonly maxSliceMs?: number;
  /** Prints a one-line host message (a signal, an emulator bug). Default: console.error. */
  readonly reportError?: (message: string) => void;
}

/** The notifier lists of a system, each told about one kind of event. */
export interface SystemNotifiers {
  /** The process is ending (normally or by SIGINT/SIGTERM/SIGHUP): flush disk images here. */
  readonly exit: NotifierList<void>;
  /** After each system reset, with its cause. */
  readonly reset: NotifierList<ShutdownCause>;
  /** A shutdown request is being handled, with its cause (before the loop exits or pauses). */
  readonly shutdown: NotifierList<ShutdownCause>;
  /** The guest is asked to power down (the ACPI power button). */
  readonly powerdown: NotifierList<void>;
  /** The guest is entering S3. */
  readonly suspend: NotifierList<void>;
  /** The guest woke from S3, with the reason. */
  readonly wakeup: NotifierList<WakeupReason>;
}

export class System {
  readonly log: LogSink;
  readonly actions: RunstateActions;
  readonly runstate = new Runstate();
  readonly clocks: Clocks;
  /** Told when the VM starts or stops running (QEMU's vm change-state handlers). */
  readonly vmChangeState = new VmChangeStateHandlers();
  /** Device and CPU reset handlers run by {@link systemReset}. */
  readonly resetHandlers = new ResetHandlers();
  readonly notifiers: SystemNotifiers = {
    exit: new NotifierList<void>(),
    reset: new NotifierList<ShutdownCause>(),
    shutdown: new NotifierList<ShutdownCause>(),
    powerdown: new NotifierList<void>(),
    suspend: new NotifierList<void>(),
    wakeup: new NotifierList<WakeupReason>(),
  };
  readonly requests: SystemRequests;
  readonly vcpus: VcpuScheduler;
  readonly mainLoop: MainLoop;
  readonly reportError: (message: string) => void;
  private readonly machineInitDoneNotifiers = new NotifierList<void>();
  private machineInitIsDone = false;
  private exitNotifiersDone = false;
  /** The VM was suspended when it was stopped; starting it returns it to `suspended`. */
  private vmWasSuspended = false;

  constructor(options: SystemOptions = {}) {
    this.log = options.log ?? NULL_LOG_SINK;
    this.reportError = options.reportError ?? ((message) => console.error(message));
    this.actions = {
      reboot: options.noReboot ? 'shutdown' : 'reset',
      shutdown: options.noShutdown ? 'pause' : 'poweroff',
      panic: 'shutdown',
      ...options.actions,
    };
    const icount =
      typeof options.icount === 'string' ? parseIcountOptions(options.icount) : options.icount;
    this.clocks = new Clocks({ hostTime: options.hostTime, icount });
    // Virtual-clock timers fire only while the vCPUs run (QEMU's pause_all_vcpus disables them).
    this.clocks.virtual.enabled = false;
    this.runstate.onChange((state) => {
      this.clocks.virtual.enabled = state === 'running';
    });
    this.requests = new SystemRequests(this.runstate, this.actions, () => this.mainLoop.notify());
    this.vcpus = new VcpuScheduler(this.clocks, {
      mayContinue: () => this.runstate.isRunning() && !this.requests.pending,
      handleExit: (runner, reason) => this.handleVcpuExit(runner, reason),
      handleError: (runner, error) => this.handleVcpuError(runner, error),
    });
    const loopHost: MainLoopHost = {
      shouldExit: () => this.mainLoopShouldExit(),
      requestsPending: () => this.requests.pending,
      vcpusMayRun: () => this.runstate.isRunning(),
      finish: () => this.vmShutdown(),
    };
    this.mainLoop = new MainLoop(loopHost, this.clocks, this.vcpus, {
      maxSliceMs: options.maxSliceMs,
      scheduler: options.scheduler,
    });
  }

  /** Adds a vCPU for the main loop to run (after those added before). */
  addVcpu(runner: VcpuRunner): Notifier {
    const handle = this.vcpus.add(runner);
    this.mainLoop.notify();
    return handle;
  }

  /**
   * Starts (or resumes) the VM (QEMU's vm_start): the virtual clock resumes where it
   * stopped, change-state handlers run in ascending priority, the vCPUs run. A VM stopped
   * while suspended goes back to `suspended`. Does nothing if the VM is running.
   */
  vmStart(): void {
    this.requests.takeVmstop(); // a stop requested before this start is void
    if (this.runstate.isRunning()) return;
    const state: RunState = this.vmWasSuspended ? 'suspended' : 'running';
    this.clocks.vmTicks.enable();
    this.runstate.set(state);
    this.vmChangeState.notify(true, state);
    this.vmWasSuspended = false;
    this.mainLoop.notify();
  }

  /**
   * Stops the VM in `state` (QEMU's vm_stop): the vCPUs stop, the virtual clock freezes,
   * change-state handlers run in descending priority. Called from device code while a vCPU
   * runs, it becomes a request handled as soon as the vCPU returns.
   */
  vmStop(state: RunState): void {
    if (this.vcpus.current) {
      this.requests.vmstop(state);
      return;
    }
    this.doVmStop(state);
  }

  /** Enters `state` even if the VM is already stopped (QEMU's vm_stop_force_state). */
  vmStopForceState(state: RunState): void {
    if (this.runstate.isLive()) this.vmStop(state);
    else this.runstate.set(state);
  }

  /** Stops the VM for good as the process ends (QEMU's vm_shutdown). */
  vmShutdown(): void {
    this.doVmStop('shutdown');
  }

  /** Resets the whole system now: device handlers, CPU handlers, then reset notifiers. */
  systemReset(cause: ShutdownCause): void {
    this.resetHandlers.resetAll(cause);
    this.notifiers.reset.notify(cause);
    this.vmWasSuspended = false;
  }

  /**
   * The machine is built (QEMU's qdev_machine_creation_done): machine-init-done notifiers
   * run. Notifiers added afterwards run at once.
   */
  machineInitDone(): void {
    if (this.machineInitIsDone) throw new Error('machineInitDone() was already called');
    this.machineInitIsDone = true;
    this.machineInitDoneNotifiers.notify();
  }

  onMachineInitDone(callback: () => void): Notifier {
    const handle = this.machineInitDoneNotifiers.add(callback);
    if (this.machineInitIsDone) callback();
    return handle;
  }

  /** The guest reported a panic (pvpanic, Hyper-V crash MSRs): apply the panic action. */
  guestPanicked(): void {
    this.log.write('guest_errors', 'Guest crashed');
    const panic = this.actions.panic;
    if (panic === 'pause' || (panic === 'shutdown' && this.actions.shutdown === 'pause')) {
      this.vmStop('guest-panicked');
    } else if (panic === 'shutdown' || panic === 'exit-failure') {
      this.vmStop('guest-panicked');
      this.requests.shutdown('guest-panic');
    }
  }

  /** Runs the exit notifiers, once; `attachToProcess` calls it when the process ends. */
  runExitNotifiers(): void {
    if (this.exitNotifiersDone) return;
    this.exitNotifiersDone = true;
    this.notifiers.exit.notify();
  }

  private doVmStop(state: RunState): void {
    const previous = this.runstate.get();
    if (!this.runstate.isLive()) return;
    this.vmWasSuspended = previous === 'suspended';
    this.runstate.set(state);
    this.clocks.vmTicks.disable();
    this.vmChangeState.notify(false, state);
  }

  /** QEMU's main_loop_should_exit: handles the pending requests, in QEMU's order. */
  private mainLoopShouldExit(): number | undefined {
    const requests = this.requests;
    if (requests.takeDebug()) this.vmStop('debug');
    if (requests.takeSuspend() && this.runstate.isRunning()) {
      this.notifiers.suspend.notify();
      this.runstate.set('suspended');
    }
    const shutdown = requests.takeShutdown();
    if (shutdown) {
      const signal = requests.takeSignal();
      if (signal !== undefined) this.reportError(`terminating on signal ${signal}`);
      this.notifiers.shutdown.notify(shutdown.cause);
      if (this.actions.shutdown === 'pause') {
        this.vmStop('shutdown');
      } else {
        if (shutdown.exitCode !== undefined) return shutdown.exitCode;
        return shutdown.cause === 'guest-panic' && this.actions.panic === 'exit-failure' ? 1 : 0;
      }
    }
    const reset = requests.takeReset();
    if (reset !== undefined) {
      this.systemReset(reset);
      const state = this.runstate.get();
      if (state !== 'running' && state !== 'inmigrate' && state !== 'finish-migrate') {
        // A reset VM that is not running waits in prelaunch for a `cont`, its clock stopped.
        this.clocks.vmTicks.disable();
        this.runstate.set('prelaunch');
      }
    }
    const wakeup = requests.takeWakeup();
    if (wakeup !== undefined) this.notifiers.wakeup.notify(wakeup);
    if (requests.takePowerdown()) this.notifiers.powerdown.notify();
    const stop = requests.takeVmstop();
    if (stop !== undefined) this.vmStop(stop);
    return undefined;
  }

  private handleVcpuExit(_runner: VcpuRunner, reason: VcpuExitReason): void {
    if (reason === 'debug') this.requests.debug();
    else if (reason === 'reset-request') this.requests.reset('guest-reset');
    else if (reason === 'shutdown-request') this.requests.shutdown('guest-shutdown');
  }

  /** A vCPU threw: an emulator bug. The VM stops in `internal-error`, as QEMU does. */
  private handleVcpuError(runner: VcpuRunner, error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.reportError(`emulator bug in ${runner.name}: ${detail}`);
    const state = runner.dumpState?.();
    if (state) this.reportError(state);
    this.doVmStop('internal-error');
  }
}
