/**
 * Clocks: what "now" means for timers (QEMU's QEMUClockType and qemu_clock_get_ns).
 *
 * All times are nanoseconds held in a JS number (exact up to 2^53 ns, about 104 days of
 * guest time; the host clock, being wall time, is exact to 256 ns).
 */

/** The kinds of clock, as in QEMU. */
export const QEMUClockType = {
  /** Host monotonic time; runs even while the VM is stopped. For host-side work (UI, timeouts). */
  REALTIME: 'realtime',
  /**
   * Guest time: what device models use. Stops while the VM is stopped; under `-icount` it
   * advances with executed instructions instead of host time.
   */
  VIRTUAL: 'virtual',
  /** Host wall-clock time; may jump when the host's clock is set. For guest RTCs that follow the host. */
  HOST: 'host',
  /** Host monotonic time that stops while the VM is stopped (equal to VIRTUAL without icount). */
  VIRTUAL_RT: 'virtual_rt',
} as const;
export type QEMUClockType = (typeof QEMUClockType)[keyof typeof QEMUClockType];

/** The clock types in the order their timers run (QEMU's order). */
export const CLOCK_TYPES: readonly QEMUClockType[] = ['realtime', 'virtual', 'host', 'virtual_rt'];

/** A clock: anything that can say what time it is, in nanoseconds. */
export interface Clock {
  readonly type: QEMUClockType;
  now(): number;
}

/** Timer scales: `Timer.mod(expire)` takes its argument in units of the timer's scale. */
export const SCALE_NS = 1;
export const SCALE_US = 1_000;
export const SCALE_MS = 1_000_000;

/** The host's two time sources; injected so that tests can move time by hand. */
export interface HostTime {
  /** Monotonic nanoseconds (origin unspecified). */
  monotonicNs(): number;
  /** Wall-clock nanoseconds since the Unix epoch. */
  wallNs(): number;
}

/** The real host time (works in Node and in browsers). */
export const HOST_TIME: HostTime = {
  monotonicNs: () => performance.now() * 1e6,
  wallNs: () => (performance.timeOrigin + performance.now()) * 1e6,
};

/** A host time that only moves when told to; for tests of clock behaviour. */
export class FakeHostTime implements HostTime {
  constructor(
    private monotonic = 0,
    private wall = 1_700_000_000_000_000_000,
  ) {}
  monotonicNs(): number {
    return this.monotonic;
  }
  wallNs(): number {
    return this.wall;
  }
  advance(ns: number): void {
    this.monotonic += ns;
    this.wall += ns;
  }
}
