import type { CharBackend, CharEvent, CharHandlers } from './char-backend.js';

/**
 * A character device (QEMU's `Chardev`): a byte stream between the outside
 * world (a terminal, a file, a socket) and one frontend device.
 *
 * The base class owns what every backend shares: the frontend's handlers, and
 * the input that arrived but that the frontend has no room for yet. Input is
 * never dropped: a subclass hands bytes to `pushInput`, the chardev passes at
 * most `canReceive()` bytes at a time to the frontend and keeps the rest, and
 * while anything is kept it asks the subclass to pause its source
 * (`pauseSource`), so a slow guest back-pressures the terminal or the socket
 * instead of losing keystrokes. The frontend calls `acceptInput()` when it has
 * room again (a UART after the guest read RBR).
 */
export abstract class Chardev implements CharBackend {
  private handlers: CharHandlers | null = null;
  /** Input not yet taken by the frontend: whole chunks, the first one partly consumed. */
  private readonly inputQueue: Uint8Array[] = [];
  private inputHeadOffset = 0;
  private queuedBytes = 0;
  private delivering = false;
  private deliverAgain = false;
  private sourcePaused = false;
  private backendOpen = false;
  private closed = false;

  /**
   * @param id the chardev's name (`-chardev ...,id=ID`, or `serial0` for `-serial`).
   */
  constructor(readonly id: string) {}

  /** A short description of the backend, as QEMU's `info chardev` shows it (`stdio`, `file`, `tcp:...`). */
  abstract get filename(): string;

  /** Whether the backend is connected (QEMU's `be_open`): false for a server socket with no client. */
  get isOpen(): boolean {
    return this.backendOpen;
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Input bytes waiting for the frontend. */
  get pendingInput(): number {
    return this.queuedBytes;
  }

  /** Whether a frontend has registered its handlers. */
  get hasFrontend(): boolean {
    return this.handlers !== null;
  }

  setHandlers(handlers: CharHandlers | null): void {
    this.handlers = handlers;
    // QEMU's sync_state: a frontend attaching to an open backend is told so at once.
    if (handlers && this.backendOpen) handlers.event?.('opened');
    this.flushInput();
  }

  write(data: Uint8Array): number {
    if (this.closed || data.length === 0) return data.length;
    return this.writeOut(data);
  }

  acceptInput(): void {
    this.flushInput();
  }

  /** Release the backend's resources (restore the terminal, close sockets and files). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.backendOpen = false;
    await this.closeBackend();
  }

  /** Send bytes to the outside world; returns how many were taken. */
  protected abstract writeOut(data: Uint8Array): number;

  /** Backend-specific cleanup for `close()`. */
  protected abstract closeBackend(): Promise<void>;

  /** Stop reading from the input source: the frontend is full. */
  protected pauseSource(): void {}

  /** Read from the input source again: everything queued was delivered. */
  protected resumeSource(): void {}

  /** Whether the input source is currently paused for back-pressure. */
  protected get isSourcePaused(): boolean {
    return this.sourcePaused;
  }

  /** Bytes from the outside world for the frontend. The chardev keeps its own reference: the caller must not reuse `data`. */
  protected pushInput(data: Uint8Array): void {
    if (this.closed || data.length === 0) return;
    this.inputQueue.push(data);
    this.queuedBytes += data.length;
    this.flushInput();
  }

  /** Report a connection change to the frontend. */
  protected sendEvent(event: CharEvent): void {
    if (event === 'opened') this.backendOpen = true;
    if (event === 'closed') this.backendOpen = false;
    this.handlers?.event?.(event);
  }

  /** Hand queued input to the frontend, as much as it says it can take. */
  private flushInput(): void {
    // A frontend may call acceptInput() from inside receive(): loop instead of recursing.
    if (this.delivering) {
      this.deliverAgain = true;
      return;
    }
    this.delivering = true;
    try {
      do {
        this.deliverAgain = false;
        while (this.queuedBytes > 0 && this.handlers) {
          const room = this.handlers.canReceive();
          if (!(room > 0)) break;
          const head = this.inputQueue[0];
          const count = Math.min(room, head.length - this.inputHeadOffset);
          const chunk = head.subarray(this.inputHeadOffset, this.inputHeadOffset + count);
          this.inputHeadOffset += count;
          this.queuedBytes -= count;
          if (this.inputHeadOffset === head.length) {
            this.inputQueue.shift();
            this.inputHeadOffset = 0;
          }
          this.handlers.receive(chunk);
        }
      } while (this.deliverAgain);
    } finally {
      this.delivering = false;
    }
    this.updateSourceFlow();
  }

  private updateSourceFlow(): void {
    const backlog = this.queuedBytes > 0;
    if (backlog && !this.sourcePaused) {
      this.sourcePaused = true;
      this.pauseSource();
    } else if (!backlog && this.sourcePaused) {
      this.sourcePaused = false;
      this.resumeSource();
    }
  }
}
