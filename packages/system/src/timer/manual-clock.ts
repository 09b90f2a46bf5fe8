/**
 * A clock moved by hand, with its own timer list: what a device-model test drives instead of
 * a main loop.
 *
 * ```ts
 * const clock = new ManualClock();
 * const pit = new Pit({ timers: clock.timers });
 * clock.advance(1_000_000); // 1 ms: every timer due on the way fires, each at its deadline
 * ```
 */
import { type Clock, QEMUClockType } from './clock.js';
import { TimerList } from './timer.js';

export class ManualClock implements Clock {
  readonly timers: TimerList;
  private ns: number;

  constructor(
    startNs = 0,
    readonly type: QEMUClockType = QEMUClockType.VIRTUAL,
  ) {
    this.ns = startNs;
    this.timers = new TimerList(this);
  }

  now(): number {
    return this.ns;
  }

  /** Moves time forward by `deltaNs`; see {@link advanceTo}. */
  advance(deltaNs: number): void {
    if (!(deltaNs >= 0)) throw new Error(`cannot move a clock backwards (delta ${deltaNs} ns)`);
    this.advanceTo(this.ns + deltaNs);
  }

  /**
   * Moves time forward to `targetNs`, stopping at each timer expiry on the way and running
   * the timers due then, so that each callback sees `now()` equal to its own deadline (like
   * QEMU's qemu_clock_advance_virtual_time). Timers armed by callbacks for times up to
   * `targetNs` fire too.
   */
  advanceTo(targetNs: number): void {
    if (targetNs < this.ns) {
      throw new Error(`cannot move a clock backwards (from ${this.ns} to ${targetNs} ns)`);
    }
    while (this.timers.enabled) {
      const next = this.timers.nextExpiry();
      if (next > targetNs) break;
      if (next > this.ns) this.ns = next;
      this.timers.runTimers();
    }
    this.ns = targetNs;
  }
}
