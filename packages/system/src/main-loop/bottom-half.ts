/**
 * Bottom halves (QEMU's QEMUBH): callbacks scheduled to run once, soon, from the main loop,
 * outside whatever code scheduled them. A device uses one to finish work it must not do in
 * the middle of a guest access (completing a transfer, raising a deferred interrupt).
 *
 * Bottom halves run in the order they were scheduled. Scheduling one that is already
 * scheduled does nothing; one scheduled while bottom halves are running runs at the next
 * poll (the loop does not sleep in between).
 */

export class BottomHalf {
  private isScheduled = false;
  private deleted = false;

  /** @internal Use {@link BottomHalfQueue.newBh} (or MainLoop.newBh). */
  constructor(
    private readonly queue: BottomHalfQueue,
    readonly callback: () => void,
    readonly name: string,
  ) {}

  /** Runs the callback at the next poll (QEMU's qemu_bh_schedule). */
  schedule(): void {
    if (this.deleted) throw new Error(`bottom half '${this.name}' was deleted`);
    if (this.isScheduled) return;
    this.isScheduled = true;
    this.queue.enqueue(this);
  }

  /** Unschedules it; harmless if not scheduled (QEMU's qemu_bh_cancel). */
  cancel(): void {
    this.isScheduled = false;
  }

  /** Cancels it for good; scheduling it again is an error (QEMU's qemu_bh_delete). */
  delete(): void {
    this.isScheduled = false;
    this.deleted = true;
  }

  get scheduled(): boolean {
    return this.isScheduled;
  }

  /** @internal Called by the queue; false if it was cancelled meanwhile. */
  take(): boolean {
    if (!this.isScheduled) return false;
    this.isScheduled = false;
    return true;
  }
}

export class BottomHalfQueue {
  /** Told whenever a bottom half is scheduled (the main loop wakes up). */
  onScheduled: (() => void) | undefined;
  private queue: BottomHalf[] = [];

  newBh(callback: () => void, name = 'bh'): BottomHalf {
    return new BottomHalf(this, callback, name);
  }

  /** Schedules `callback` once, without keeping a handle (QEMU's aio_bh_schedule_oneshot). */
  scheduleOneshot(callback: () => void, name = 'oneshot'): void {
    this.newBh(callback, name).schedule();
  }

  /** True if some bottom half is waiting to run. */
  get pending(): boolean {
    return this.queue.some((bh) => bh.scheduled);
  }

  /** Runs the bottom halves scheduled before this call; true if any ran. */
  poll(): boolean {
    if (this.queue.length === 0) return false;
    const batch = this.queue;
    this.queue = [];
    let ran = false;
    for (const bh of batch) {
      if (bh.take()) {
        bh.callback();
        ran = true;
      }
    }
    return ran;
  }

  /** @internal */
  enqueue(bh: BottomHalf): void {
    this.queue.push(bh);
    this.onScheduled?.();
  }
}
