/**
 * The main loop (QEMU's qemu_main_loop, main_loop_wait and the round-robin vCPU thread,
 * folded into one JavaScript task).
 *
 * Each turn handles pending requests (reset, shutdown ...), runs due timers and bottom
 * halves, then runs the vCPUs, and repeats until a host-time slice (4 ms by default) is
 * used; it then yields to Node with setImmediate so that I/O callbacks run, and continues.
 * When no vCPU can run (all halted, or the VM stopped) it sleeps with setTimeout until the
 * next timer is due; I/O callbacks registered through {@link MainLoop.addEventHandler} (or
 * anything that calls {@link MainLoop.notify}) wake it earlier. It never spins while idle.
 */
import type { Notifier } from '../notifier.js';
import type { Clocks } from '../timer/clocks.js';
import { type BottomHalf, BottomHalfQueue } from './bottom-half.js';
import { defaultHostScheduler, type HostScheduler } from './host-scheduler.js';
import type { VcpuScheduler } from './vcpu-scheduler.js';

/** What the loop needs from the system around it. */
export interface MainLoopHost {
  /** QEMU's main_loop_should_exit: handles pending requests; returns an exit status to stop. */
  shouldExit(): number | undefined;
  /** True if a request waits to be handled by {@link shouldExit}. */
  requestsPending(): boolean;
  /** True if the vCPUs may run (the VM is running). */
  vcpusMayRun(): boolean;
  /** Called once when the loop stops with `status`, before `run()` resolves. */
  finish(status: number): void;
}

export interface MainLoopOptions {
  /** Longest stretch, in ms, the loop keeps Node's event loop busy before yielding. Default 4. */
  readonly maxSliceMs?: number;
  readonly scheduler?: HostScheduler;
}

/** Something that emits events, like a Node EventEmitter, stream or socket. */
export interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** With nothing to wait for, the loop still wakes this often (it keeps the process alive). */
const MAX_SLEEP_MS = 1000;

export class MainLoop {
  /** Passes through the loop body so far (for statistics and the benchmark). */
  passes = 0;
  private readonly bottomHalves = new BottomHalfQueue();
  private readonly scheduler: HostScheduler;
  private readonly maxSliceNs: number;
  private active = false;
  private pendingImmediate: unknown;
  private pendingTimeout: unknown;
  private settle: { resolve(status: number): void; reject(error: unknown): void } | undefined;
  /** icount with sleep=on: virtual_rt time when the idle vCPUs started waiting, and the most to warp. */
  private warpStartNs: number | undefined;
  private warpMaxNs = 0;

  constructor(
    private readonly host: MainLoopHost,
    private readonly clocks: Clocks,
    private readonly vcpus: VcpuScheduler,
    options: MainLoopOptions = {},
  ) {
    const maxSliceMs = options.maxSliceMs ?? 4;
    if (!(maxSliceMs > 0)) throw new Error(`maxSliceMs must be positive, got ${maxSliceMs}`);
    this.maxSliceNs = maxSliceMs * 1e6;
    this.scheduler = options.scheduler ?? defaultHostScheduler();
    this.bottomHalves.onScheduled = () => this.notify();
    clocks.onTimerArmed = () => this.notify();
  }

  /** True between `run()` and the moment it resolves. */
  get running(): boolean {
    return this.active;
  }

  /**
   * Runs the loop until a shutdown request makes it exit; resolves with the exit status
   * (0 unless the request carried another). Rejects if a timer, bottom half or event
   * handler throws (a host-side bug). A vCPU that throws does not stop the loop: the VM
   * enters the `internal-error` state.
   */
  run(): Promise<number> {
    if (this.active) return Promise.reject(new Error('the main loop is already running'));
    this.active = true;
    return new Promise<number>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.scheduleImmediate();
    });
  }

  /**
   * Wakes the loop (QEMU's qemu_notify_event): call it after changing anything the loop
   * should react to from outside a timer or bottom half. If a vCPU is running (the caller is
   * device code inside a guest access), the vCPU is made to return first.
   */
  notify(): void {
    if (this.vcpus.kickCurrent()) return;
    if (this.active && this.pendingTimeout !== undefined) {
      this.scheduler.clearTimeout(this.pendingTimeout);
      this.pendingTimeout = undefined;
      this.scheduleImmediate();
    }
  }

  /** A bottom half run by this loop (QEMU's qemu_bh_new). */
  newBh(callback: () => void, name?: string): BottomHalf {
    return this.bottomHalves.newBh(callback, name);
  }

  /** Runs `callback` once at the next turn (QEMU's aio_bh_schedule_oneshot). */
  scheduleOneshot(callback: () => void, name?: string): void {
    this.bottomHalves.scheduleOneshot(callback, name);
  }

  /**
   * Listens to `event` on `source` (a socket, stdin, a file stream ...) and wakes the loop
   * after each call of `handler`: the way character and block backends feed device models
   * (QEMU's qemu_set_fd_handler). An exception in `handler` stops the loop.
   */
  addEventHandler<Args extends unknown[]>(
    source: EventSource,
    event: string,
    handler: (...args: Args) => void,
  ): Notifier {
    const listener = (...args: Args) => {
      try {
        handler(...args);
      } catch (error) {
        if (!this.active) throw error;
        this.fail(error);
        return;
      }
      this.notify();
    };
    const untyped = listener as unknown as (...args: unknown[]) => void;
    source.on(event, untyped);
    return { remove: () => source.off(event, untyped) };
  }

  private iterate(): void {
    this.pendingImmediate = undefined;
    this.pendingTimeout = undefined;
    if (!this.active) return;
    const hostTime = this.clocks.hostTime;
    const sliceEnd = hostTime.monotonicNs() + this.maxSliceNs;
    try {
      for (;;) {
        this.passes++;
        const status = this.host.shouldExit();
        if (status !== undefined) {
          this.finish(status);
          return;
        }
        this.accountWarp();
        this.clocks.runAllTimers();
        this.bottomHalves.poll();
        let busy =
          this.host.requestsPending() || this.bottomHalves.pending || this.clocks.anyExpired();
        if (!busy && this.host.vcpusMayRun()) {
          // Runs of a quarter slice: if the vCPU turns slower than measured, the slice
          // overshoots by a quarter at worst.
          const left = sliceEnd - hostTime.monotonicNs();
          busy = this.vcpus.runPass(Math.min(left, this.maxSliceNs / 4));
        }
        if (!busy && !this.warpIdleVcpus()) {
          this.sleep();
          return;
        }
        if (hostTime.monotonicNs() >= sliceEnd) {
          this.scheduleImmediate();
          return;
        }
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * icount with sleep=off: idle vCPUs waiting for a virtual timer make virtual time jump to
   * it (QEMU's icount warp without sleep). Returns true if it jumped.
   */
  private warpIdleVcpus(): boolean {
    const icount = this.clocks.icount;
    if (!icount || icount.sleep || !this.host.vcpusMayRun()) return false;
    const deadline = this.clocks.virtual.deadlineNs();
    if (deadline === Number.POSITIVE_INFINITY) return false;
    icount.warp(deadline);
    return true;
  }

  /** icount with sleep=on: adds the host time spent waiting, up to the awaited deadline. */
  private accountWarp(): void {
    if (this.warpStartNs === undefined) return;
    const waited = this.clocks.virtualRt.now() - this.warpStartNs;
    this.clocks.icount?.warp(Math.min(waited, this.warpMaxNs));
    this.warpStartNs = undefined;
  }

  private sleep(): void {
    let timeoutNs = this.clocks.hostDeadlineNs();
    const icount = this.clocks.icount;
    if (icount?.sleep && this.host.vcpusMayRun()) {
      // sleep=on: wait in host time as long as the guest waits in virtual time.
      const deadline = this.clocks.virtual.deadlineNs();
      if (deadline !== Number.POSITIVE_INFINITY) {
        this.warpStartNs = this.clocks.virtualRt.now();
        this.warpMaxNs = deadline;
        timeoutNs = Math.min(timeoutNs, deadline);
      }
    }
    // Round up, as QEMU does: waking a little late beats waking early and spinning.
    const ms = Math.min(MAX_SLEEP_MS, Math.ceil(timeoutNs / 1e6));
    if (ms <= 0) {
      this.scheduleImmediate();
    } else {
      this.pendingTimeout = this.scheduler.setTimeout(() => this.iterate(), ms);
    }
  }

  private scheduleImmediate(): void {
    if (this.pendingImmediate !== undefined) return;
    this.pendingImmediate = this.scheduler.setImmediate(() => this.iterate());
  }

  private cancelScheduled(): void {
    if (this.pendingImmediate !== undefined) this.scheduler.clearImmediate(this.pendingImmediate);
    if (this.pendingTimeout !== undefined) this.scheduler.clearTimeout(this.pendingTimeout);
    this.pendingImmediate = undefined;
    this.pendingTimeout = undefined;
  }

  private finish(status: number): void {
    this.active = false;
    this.cancelScheduled();
    this.warpStartNs = undefined;
    const settle = this.settle;
    this.settle = undefined;
    try {
      this.host.finish(status);
    } catch (error) {
      settle?.reject(error);
      return;
    }
    settle?.resolve(status);
  }

  private fail(error: unknown): void {
    this.active = false;
    this.cancelScheduled();
    this.warpStartNs = undefined;
    const settle = this.settle;
    this.settle = undefined;
    settle?.reject(error);
  }
}
