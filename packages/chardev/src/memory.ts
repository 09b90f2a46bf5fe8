import type { CharEvent } from './char-backend.js';
import { Chardev } from './chardev.js';

/**
 * A chardev held in memory: the test (or an embedding program) types input
 * with `type()` and reads what the frontend wrote with `takeOutput()`. Input
 * follows the same back-pressure rules as the real backends, so tests of a
 * device's receive path see exactly what a guest behind a socket would.
 */
export class MemoryChardev extends Chardev {
  private readonly chunks: Uint8Array[] = [];
  /** How many times the input source was paused and resumed (back-pressure seen by the "terminal"). */
  pauses = 0;
  resumes = 0;

  constructor(id = 'memory', open = true) {
    super(id);
    if (open) this.sendEvent('opened');
  }

  get filename(): string {
    return 'memory';
  }

  /** Input from the outside world, as a string (latin1) or bytes. */
  type(input: string | Uint8Array): void {
    this.pushInput(
      typeof input === 'string' ? Buffer.from(input, 'latin1') : Uint8Array.from(input),
    );
  }

  /** Report a connection event (`opened`, `closed`, `break`) to the frontend. */
  signal(event: CharEvent): void {
    this.sendEvent(event);
  }

  /** Everything written since the last call. */
  takeOutput(): Uint8Array {
    const all = new Uint8Array(Buffer.concat(this.chunks));
    this.chunks.length = 0;
    return all;
  }

  /** Everything written since the last call, as latin1 text. */
  takeText(): string {
    return Buffer.from(this.takeOutput()).toString('latin1');
  }

  protected writeOut(data: Uint8Array): number {
    this.chunks.push(Uint8Array.from(data));
    return data.length;
  }

  protected override pauseSource(): void {
    this.pauses++;
  }

  protected override resumeSource(): void {
    this.resumes++;
  }

  protected async closeBackend(): Promise<void> {}
}
