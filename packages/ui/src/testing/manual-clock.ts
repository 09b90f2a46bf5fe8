import type { RefreshClock, RefreshTimer } from '../refresh-timer.js';

/** A clock that moves only when a test says so; timers fire in deadline order. */
export class ManualClock implements RefreshClock {
  private nowNs = 0;
  private readonly timers: { expire: number; armed: boolean; callback: () => void }[] = [];

  now(): number {
    return this.nowNs;
  }

  newTimer(callback: () => void): RefreshTimer {
    const t = { expire: 0, armed: false, callback };
    this.timers.push(t);
    return {
      mod: (expireNs) => {
        t.expire = expireNs;
        t.armed = true;
      },
      del: () => {
        t.armed = false;
      },
    };
  }

  advanceMs(ms: number): void {
    const target = this.nowNs + ms * 1e6;
    for (;;) {
      const due = this.timers
        .filter((t) => t.armed && t.expire <= target)
        .sort((a, b) => a.expire - b.expire)[0];
      if (!due) break;
      this.nowNs = Math.max(this.nowNs, due.expire);
      due.armed = false;
      due.callback();
    }
    this.nowNs = target;
  }
}
