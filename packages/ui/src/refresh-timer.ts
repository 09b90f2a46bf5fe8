/**
 * The display refresh tick (QEMU's GUI refresh timer, 30 ms by default): every interval it
 * calls `console.refresh()`, which makes each display ask the device for an update.
 *
 * The timer comes from the machine (QEMU runs it on the realtime clock, so the screen keeps
 * updating while the guest is paused), through the small {@link RefreshClock} interface;
 * {@link hostRefreshClock} gives one backed by `setTimeout` for a display without a machine.
 */
import type { DisplayConsole } from './console.js';

/** A one-shot timer (the shape of `@tsemu/hw-pc`'s DeviceTimer and QEMU's QEMUTimer). */
export interface RefreshTimer {
  /** (Re)arm the timer to fire at `expireNs` on its clock. */
  mod(expireNs: number): void;
  del(): void;
}

/** A clock in nanoseconds and one-shot timers on it. */
export interface RefreshClock {
  now(): number;
  newTimer(callback: () => void): RefreshTimer;
}

/** QEMU's GUI_REFRESH_INTERVAL_DEFAULT. */
export const DEFAULT_REFRESH_INTERVAL_MS = 30;

export class DisplayRefreshTimer {
  private readonly timer: RefreshTimer;
  private running = false;
  /** Number of refresh ticks so far. */
  ticks = 0;

  /**
   * @example
   * const refresher = new DisplayRefreshTimer(console, hostRefreshClock());
   * refresher.start(); // console.refresh() every 30 ms until refresher.stop()
   */
  constructor(
    private readonly console: DisplayConsole,
    private readonly clock: RefreshClock,
    private readonly intervalMs = DEFAULT_REFRESH_INTERVAL_MS,
  ) {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new Error(
        `DisplayRefreshTimer: interval must be a positive number of ms, got ${intervalMs}`,
      );
    }
    this.timer = clock.newTimer(() => this.tick());
  }

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer.mod(this.clock.now() + this.intervalMs * 1e6);
  }

  stop(): void {
    this.running = false;
    this.timer.del();
  }

  private tick(): void {
    if (!this.running) return;
    this.ticks++;
    this.console.refresh();
    this.timer.mod(this.clock.now() + this.intervalMs * 1e6);
  }
}

/**
 * A {@link RefreshClock} on the host's clock and `setTimeout` (Node or a browser). The
 * pending timeout does not keep a Node process alive.
 */
export function hostRefreshClock(): RefreshClock {
  const now = () => performance.now() * 1e6;
  return {
    now,
    newTimer(callback) {
      let handle: ReturnType<typeof setTimeout> | undefined;
      const del = () => {
        if (handle !== undefined) clearTimeout(handle);
        handle = undefined;
      };
      return {
        mod(expireNs) {
          del();
          handle = setTimeout(
            () => {
              handle = undefined;
              callback();
            },
            Math.max(0, (expireNs - now()) / 1e6),
          );
          (handle as { unref?: () => void }).unref?.();
        },
        del,
      };
    },
  };
}
