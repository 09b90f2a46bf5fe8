import type { DeviceTime, DeviceTimer } from '../device-env.js';

/**
 * A virtual clock that moves only when a test says so, with timers that fire in
 * deadline order as it advances. Device tests use it to step time exactly.
 */
export class ManualTime implements DeviceTime {
  private nowNs = 0;
  private readonly timers = new Set<ManualTimer>();

  now(): number {
    return this.nowNs;
  }

  newTimer(callback: () => void): DeviceTimer {
    const timer = new ManualTimer(callback);
    this.timers.add(timer);
    return timer;
  }

  /** Advance the clock by `ns`, firing every timer that falls due, earliest first. */
  advance(ns: number): void {
    this.advanceTo(this.nowNs + ns);
  }

  /** Advance the clock to `targetNs`, firing due timers in deadline order. */
  advanceTo(targetNs: number): void {
    if (targetNs < this.nowNs) throw new Error('ManualTime cannot go backwards');
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) {
        if (
          timer.pending &&
          timer.expireNs <= targetNs &&
          (!next || timer.expireNs < next.expireNs)
        ) {
          next = timer;
        }
      }
      if (!next) break;
      this.nowNs = Math.max(this.nowNs, next.expireNs);
      next.fire();
    }
    this.nowNs = targetNs;
  }

  /** The earliest pending deadline, or undefined. */
  nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const timer of this.timers) {
      if (timer.pending && (best === undefined || timer.expireNs < best)) best = timer.expireNs;
    }
    return best;
  }
}

class ManualTimer implements DeviceTimer {
  expireNs = 0;
  pending = false;

  constructor(private readonly callback: () => void) {}

  mod(expireNs: number): void {
    this.expireNs = expireNs;
    this.pending = true;
  }

  del(): void {
    this.pending = false;
  }

  fire(): void {
    this.pending = false;
    this.callback();
  }
}
