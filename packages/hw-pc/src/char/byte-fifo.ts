/**
 * A fixed-size first-in first-out queue of bytes (QEMU's Fifo8): the 16-byte
 * receive and transmit FIFOs of a 16550A, the output queue of a PS/2 device.
 */
export class ByteFifo {
  private readonly data: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`ByteFifo capacity must be a positive integer, not ${capacity}`);
    }
    this.data = new Uint8Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Free slots. */
  get space(): number {
    return this.capacity - this.count;
  }

  /** Append a byte; returns false (and drops it) when full. */
  push(byte: number): boolean {
    if (this.count === this.capacity) return false;
    this.data[(this.head + this.count) % this.capacity] = byte;
    this.count++;
    return true;
  }

  /** Remove and return the oldest byte, or undefined when empty. */
  pop(): number | undefined {
    if (this.count === 0) return undefined;
    const byte = this.data[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return byte;
  }

  /** The oldest byte without removing it. */
  peek(): number | undefined {
    return this.count === 0 ? undefined : this.data[this.head];
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** The contents, oldest first (for snapshots). */
  toArray(): number[] {
    const bytes: number[] = [];
    for (let i = 0; i < this.count; i++) bytes.push(this.data[(this.head + i) % this.capacity]);
    return bytes;
  }

  /** Replace the contents (for snapshots). @throws RangeError if they do not fit. */
  load(bytes: readonly number[]): void {
    if (bytes.length > this.capacity) {
      throw new RangeError(`${bytes.length} bytes do not fit a ${this.capacity}-byte FIFO`);
    }
    this.clear();
    for (const byte of bytes) this.push(byte & 0xff);
  }
}
