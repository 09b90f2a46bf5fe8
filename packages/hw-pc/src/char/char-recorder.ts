import type { CharBackend, CharEvent, CharHandlers } from './char-backend.js';

/**
 * A chardev for device tests (the character-device counterpart of
 * IrqRecorder): records what the device writes, and types input into it
 * following the same back-pressure rule as a real chardev: never more than the
 * device's `canReceive()`, the rest held until the device calls
 * `acceptInput()`.
 */
export class CharRecorder implements CharBackend {
  /** Every byte the device wrote. */
  readonly output: number[] = [];
  /** The largest single delivery the device was given. */
  largestDelivery = 0;
  private handlers: CharHandlers | null = null;
  private readonly pending: number[] = [];
  private delivering = false;

  setHandlers(handlers: CharHandlers | null): void {
    this.handlers = handlers;
    this.deliver();
  }

  write(data: Uint8Array): void {
    for (const byte of data) this.output.push(byte);
  }

  acceptInput(): void {
    this.deliver();
  }

  /** Input from the outside world (a string is taken as latin1). */
  type(input: string | readonly number[]): void {
    const bytes = typeof input === 'string' ? [...Buffer.from(input, 'latin1')] : input;
    for (const byte of bytes) this.pending.push(byte & 0xff);
    this.deliver();
  }

  /** Report a connection event (such as `break`) to the device. */
  signal(event: CharEvent): void {
    this.handlers?.event?.(event);
  }

  /** Input bytes the device has not taken yet. */
  get pendingInput(): number {
    return this.pending.length;
  }

  /** Everything written so far as latin1 text; clears the record. */
  takeText(): string {
    const text = Buffer.from(this.output).toString('latin1');
    this.output.length = 0;
    return text;
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.pending.length > 0 && this.handlers) {
        const room = this.handlers.canReceive();
        if (!(room > 0)) break;
        const chunk = this.pending.splice(0, room);
        this.largestDelivery = Math.max(this.largestDelivery, chunk.length);
        this.handlers.receive(Uint8Array.from(chunk));
      }
    } finally {
      this.delivering = false;
    }
  }
}
