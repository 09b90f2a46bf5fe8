/**
 * Gathers output bytes and hands them to a sink in one piece per turn of the
 * event loop.
 *
 * A UART sends one byte per guest `out` instruction; a system call per byte
 * would make a Linux boot log crawl. The guest runs for a time slice before the
 * event loop turns, so batching until `setImmediate` turns thousands of writes
 * into one, without reordering anything. `flush()` empties the batch at once
 * (on close and at process exit).
 */
export class OutputBatcher {
  private buffer: Buffer;
  private length = 0;
  private scheduled: ReturnType<typeof setImmediate> | null = null;

  /**
   * @param sink receives each batch; it owns the Buffer it is given.
   */
  constructor(
    private readonly sink: (chunk: Buffer) => void,
    private readonly initialCapacity = 4096,
  ) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes waiting to be flushed. */
  get pending(): number {
    return this.length;
  }

  write(data: Uint8Array): void {
    const count = data.length;
    if (count === 0) return;
    if (this.length + count > this.buffer.length) this.reserve(count);
    // One byte at a time is the common case (a UART): skip set()'s setup cost.
    if (count === 1) this.buffer[this.length] = data[0];
    else this.buffer.set(data, this.length);
    this.length += count;
    if (!this.scheduled) this.scheduled = setImmediate(() => this.flush());
  }

  /** Hand everything gathered so far to the sink now. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    if (this.length === 0) return;
    const chunk = this.buffer.subarray(0, this.length);
    // The sink keeps `chunk` (a socket writes it later): start a fresh buffer.
    this.buffer = Buffer.allocUnsafe(this.initialCapacity);
    this.length = 0;
    this.sink(chunk);
  }

  /** Drop anything gathered and cancel the pending flush. */
  discard(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    this.length = 0;
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const bigger = Buffer.allocUnsafe(capacity);
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }
}
