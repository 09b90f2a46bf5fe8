/**
 * The clocks and timer lists of one machine (QEMU's main_loop_tlg and qemu_clock_get_ns).
 */
import {
  CLOCK_TYPES,
  type Clock,
  HOST_TIME,
  type HostTime,
  type QEMUClockType,
  SCALE_NS,
} from './clock.js';
import { Icount, type IcountOptions } from './icount.js';
import { type Timer, type TimerCallback, TimerList } from './timer.js';

/**
 * Host time that counts only while the VM runs (QEMU's cpu_get_clock and its
 * cpu_enable_ticks/cpu_disable_ticks): stopping freezes it, starting resumes from the frozen
 * value, so the guest never sees the time it spent stopped.
 */
export class VmTicks {
  private enabled = false;
  /** While enabled: the value to add to host time; while disabled: the frozen time. */
  private offset = 0;

  constructor(private readonly hostTime: HostTime) {}

  now(): number {
    return this.enabled ? this.hostTime.monotonicNs() + this.offset : this.offset;
  }

  get running(): boolean {
    return this.enabled;
  }

  enable(): void {
    if (this.enabled) return;
    this.offset -= this.hostTime.monotonicNs();
    this.enabled = true;
  }

  disable(): void {
    if (!this.enabled) return;
    this.offset = this.now();
    this.enabled = false;
  }
}

export interface ClocksOptions {
  readonly hostTime?: HostTime;
  /** Enables icount mode (see {@link IcountOptions}). */
  readonly icount?: IcountOptions;
}

export class Clocks {
  readonly hostTime: HostTime;
  /** The instruction counter, in icount mode only. */
  readonly icount: Icount | undefined;
  readonly vmTicks: VmTicks;
  readonly realtime: TimerList;
  readonly virtual: TimerList;
  readonly host: TimerList;
  readonly virtualRt: TimerList;
  /**
   * Told when a timer becomes the earliest of its list; the main loop uses it to wake up or
   * to make a running vCPU exit so that its budget is recomputed.
   */
  onTimerArmed: ((type: QEMUClockType) => void) | undefined;
  private readonly lists: Readonly<Record<QEMUClockType, TimerList>>;

  constructor(options: ClocksOptions = {}) {
    const hostTime = options.hostTime ?? HOST_TIME;
    this.hostTime = hostTime;
    this.icount = options.icount ? new Icount(options.icount) : undefined;
    const ticks = new VmTicks(hostTime);
    this.vmTicks = ticks;
    const icount = this.icount;
    const clocks: Record<QEMUClockType, Clock> = {
      realtime: { type: 'realtime', now: () => hostTime.monotonicNs() },
      virtual: icount
        ? { type: 'virtual', now: () => icount.now() }
        : { type: 'virtual', now: () => ticks.now() },
      host: { type: 'host', now: () => hostTime.wallNs() },
      virtual_rt: { type: 'virtual_rt', now: () => ticks.now() },
    };
    const list = (type: QEMUClockType) =>
      new TimerList(clocks[type], { onEarliestChanged: () => this.onTimerArmed?.(type) });
    this.lists = {
      realtime: list('realtime'),
      virtual: list('virtual'),
      host: list('host'),
      virtual_rt: list('virtual_rt'),
    };
    this.realtime = this.lists.realtime;
    this.virtual = this.lists.virtual;
    this.host = this.lists.host;
    this.virtualRt = this.lists.virtual_rt;
  }

  /** The timer list of a clock; give it to a device model that needs that clock. */
  list(type: QEMUClockType): TimerList {
    const list = this.lists[type];
    if (!list) throw new Error(`unknown clock type '${type}'`);
    return list;
  }

  /** The time of a clock in ns (QEMU's qemu_clock_get_ns). */
  now(type: QEMUClockType): number {
    return this.list(type).now();
  }

  /** A new timer on a clock (QEMU's timer_new). */
  newTimer(type: QEMUClockType, callback: TimerCallback, scale: number = SCALE_NS): Timer {
    return this.list(type).newTimer(callback, scale);
  }

  /** Runs the due timers of every enabled clock, clock by clock; true if any fired. */
  runAllTimers(): boolean {
    let fired = false;
    for (const type of CLOCK_TYPES) {
      if (this.lists[type].runTimers()) fired = true;
    }
    return fired;
  }

  /** True if some enabled clock has a timer due now. */
  anyExpired(): boolean {
    for (const type of CLOCK_TYPES) {
      const list = this.lists[type];
      if (list.enabled && list.expired()) return true;
    }
    return false;
  }

  /**
   * Host nanoseconds until the earliest timer that host time brings closer: the realtime,
   * host and virtual_rt clocks, and the virtual clock unless it counts instructions.
   * Infinity if there is none.
   */
  hostDeadlineNs(): number {
    let deadline = Math.min(
      this.realtime.deadlineNs(),
      this.host.deadlineNs(),
      this.virtualRt.deadlineNs(),
    );
    if (!this.icount) deadline = Math.min(deadline, this.virtual.deadlineNs());
    return deadline;
  }
}
