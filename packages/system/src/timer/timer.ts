/**
 * Timers and timer lists (QEMU's QEMUTimer and QEMUTimerList).
 *
 * A TimerList holds the armed timers of one clock, ordered by expiry time; timers with the
 * same expiry fire in the order they were armed. A callback may re-arm its own timer, arm
 * others or delete any timer. The list is a binary heap, so arming and deleting cost
 * O(log n) however many timers a machine has.
 */
import { type Clock, SCALE_NS } from './clock.js';

export type TimerCallback = (timer: Timer) => void;

/** One timer on one clock. Not armed when created. */
export class Timer {
  /** @internal Position in the list's heap, -1 when not armed. */
  heapIndex = -1;
  /** @internal Expiry in ns, -1 when not armed. */
  expireNs = -1;
  /** @internal Arming order, to keep timers with equal expiry first-armed-first-fired. */
  armOrder = 0;

  /**
   * @param list the timer list (and so the clock) the timer belongs to
   * @param callback called once each time the timer expires; the timer is disarmed first
   * @param scale the unit of {@link mod}'s argument: SCALE_NS (default), SCALE_US or SCALE_MS
   */
  constructor(
    readonly list: TimerList,
    readonly callback: TimerCallback,
    readonly scale: number = SCALE_NS,
  ) {
    if (!(scale > 0)) throw new Error(`timer scale must be positive, got ${scale}`);
  }

  /** Arms (or re-arms) the timer to fire when the clock reaches `expire` (in scale units). */
  mod(expire: number): void {
    this.list.arm(this, expire * this.scale);
  }

  /** Arms (or re-arms) the timer to fire when the clock reaches `expireNs` nanoseconds. */
  modNs(expireNs: number): void {
    this.list.arm(this, expireNs);
  }

  /** Like {@link mod}, but only ever moves the expiry earlier (QEMU's timer_mod_anticipate). */
  modAnticipate(expire: number): void {
    const ns = expire * this.scale;
    if (this.expireNs === -1 || this.expireNs > ns) this.list.arm(this, ns);
  }

  /** Disarms the timer; harmless if it is not armed. */
  del(): void {
    this.list.disarm(this);
  }

  get pending(): boolean {
    return this.expireNs >= 0;
  }

  /** The expiry in nanoseconds, or -1 when not armed. */
  get expireTime(): number {
    return this.expireNs;
  }

  /** True if armed and due at `currentTime` (in scale units). */
  expired(currentTime: number): boolean {
    return this.expireNs >= 0 && this.expireNs <= currentTime * this.scale;
  }
}

export interface TimerListOptions {
  /**
   * Called when a newly armed timer becomes the earliest one: whoever sleeps until the
   * list's deadline must recompute it (the main loop wakes up, a running vCPU exits).
   */
  readonly onEarliestChanged?: () => void;
}

/**
 * The armed timers of one clock. This is what a device model is given to create its timers:
 *
 * ```ts
 * const timer = timers.newTimer(() => this.tick());
 * timer.modNs(timers.now() + 1_000_000); // in 1 ms of this clock's time
 * ```
 */
export class TimerList {
  /**
   * Timers of a disabled list neither fire nor count for deadlines (QEMU disables the
   * virtual clock's timers while the vCPUs are stopped).
   */
  enabled = true;
  onEarliestChanged: (() => void) | undefined;
  private readonly heap: Timer[] = [];
  private armCount = 0;

  constructor(
    readonly clock: Clock,
    options: TimerListOptions = {},
  ) {
    this.onEarliestChanged = options.onEarliestChanged;
  }

  /** The clock's current time in nanoseconds. */
  now(): number {
    return this.clock.now();
  }

  /** Creates a timer on this list (same as `new Timer(list, callback, scale)`). */
  newTimer(callback: TimerCallback, scale: number = SCALE_NS): Timer {
    return new Timer(this, callback, scale);
  }

  /** Number of armed timers. */
  get size(): number {
    return this.heap.length;
  }

  /** Absolute expiry (ns) of the earliest armed timer, Infinity if none; ignores `enabled`. */
  nextExpiry(): number {
    return this.heap.length > 0 ? this.heap[0].expireNs : Number.POSITIVE_INFINITY;
  }

  /**
   * Nanoseconds until the earliest timer is due: 0 if one is due now, Infinity if no timer
   * is armed or the list is disabled (QEMU's timerlist_deadline_ns, with Infinity for -1).
   */
  deadlineNs(): number {
    if (!this.enabled || this.heap.length === 0) return Number.POSITIVE_INFINITY;
    const delta = this.heap[0].expireNs - this.clock.now();
    return Math.max(delta, 0);
  }

  /** True if a timer is due now. */
  expired(): boolean {
    return this.heap.length > 0 && this.heap[0].expireNs <= this.clock.now();
  }

  /**
   * Runs every timer due at the current time, earliest first (QEMU's timerlist_run_timers).
   * The time is read once: a callback that re-arms its timer for "now or earlier" makes it
   * fire again in this same call. Returns true if any timer fired.
   */
  runTimers(): boolean {
    if (!this.enabled || this.heap.length === 0) return false;
    const now = this.clock.now();
    let fired = false;
    while (this.heap.length > 0) {
      const timer = this.heap[0];
      if (timer.expireNs > now) break;
      this.removeAt(0);
      timer.expireNs = -1;
      timer.callback(timer);
      fired = true;
    }
    return fired;
  }

  /** @internal Used by {@link Timer.modNs}. */
  arm(timer: Timer, expireNs: number): void {
    if (timer.list !== this) throw new Error('timer belongs to another timer list');
    if (Number.isNaN(expireNs)) throw new Error('timer expiry is NaN');
    // As in QEMU, a time before the clock's origin means "as soon as possible".
    timer.expireNs = Math.max(expireNs, 0);
    timer.armOrder = ++this.armCount;
    if (timer.heapIndex === -1) {
      timer.heapIndex = this.heap.length;
      this.heap.push(timer);
      this.siftUp(timer.heapIndex);
    } else {
      this.siftUp(timer.heapIndex);
      this.siftDown(timer.heapIndex);
    }
    if (this.heap[0] === timer) this.onEarliestChanged?.();
  }

  /** @internal Used by {@link Timer.del}. */
  disarm(timer: Timer): void {
    if (timer.heapIndex !== -1) this.removeAt(timer.heapIndex);
    timer.expireNs = -1;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index];
    const last = heap.pop()!;
    removed.heapIndex = -1;
    if (last === removed) return;
    heap[index] = last;
    last.heapIndex = index;
    this.siftUp(index);
    this.siftDown(last.heapIndex);
  }

  private static before(a: Timer, b: Timer): boolean {
    return a.expireNs < b.expireNs || (a.expireNs === b.expireNs && a.armOrder < b.armOrder);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const timer = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!TimerList.before(timer, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = timer;
    timer.heapIndex = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const timer = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && TimerList.before(heap[right], heap[left]) ? right : left;
      if (!TimerList.before(heap[child], timer)) break;
      heap[index] = heap[child];
      heap[index].heapIndex = index;
      index = child;
    }
    heap[index] = timer;
    timer.heapIndex = index;
  }
}
