import { Chardev } from './chardev.js';
import { onProcessExit } from './exit-hook.js';
import { OutputBatcher } from './output-batcher.js';

/** The terminal input a stdio chardev reads: `process.stdin` or a stand-in. */
export interface StdioInput {
  readonly isTTY?: boolean;
  /** Present on a TTY: switch the terminal in or out of raw mode. */
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The output a stdio chardev writes: `process.stdout` or a stand-in. */
export interface StdioOutput {
  write(chunk: Uint8Array): unknown;
}

export interface StdioChardevOptions {
  /**
   * Let the terminal's Ctrl-C and Ctrl-\ signal the emulator (`signal=on`, the
   * default), or pass them to the guest as bytes (`signal=off`; `mon:stdio`
   * turns this off as QEMU does, so Ctrl-C reaches the guest).
   */
  signal?: boolean;
  input?: StdioInput;
  output?: StdioOutput;
  /** How a terminal signal is raised; defaults to signalling this process. */
  raiseSignal?: (signal: NodeJS.Signals) => void;
}

/** Bytes a terminal with ISIG on turns into signals, and the signal each raises. */
const SIGNAL_BYTES: ReadonlyMap<number, NodeJS.Signals> = new Map([
  [0x03, 'SIGINT'], // Ctrl-C
  [0x1c, 'SIGQUIT'], // Ctrl-backslash
]);

/**
 * `-chardev stdio` / `-serial stdio`: the emulator's own terminal.
 *
 * On a TTY the terminal is put in raw mode (no echo, no line editing, bytes
 * delivered as typed), as QEMU does, and given back in its original mode when
 * the chardev closes or the process exits by any path (Node itself restores the
 * terminal when a signal ends the process). Raw mode switches off the
 * terminal's own signal keys, so with `signal=on` Ctrl-C and Ctrl-\ are turned
 * back into SIGINT and SIGQUIT here; Ctrl-Z is passed to the guest.
 */
export class StdioChardev extends Chardev {
  private readonly input: StdioInput;
  private readonly output: StdioOutput;
  private readonly batcher: OutputBatcher;
  private readonly signal: boolean;
  private readonly raiseSignal: (signal: NodeJS.Signals) => void;
  private rawMode = false;
  private readonly removeExitHook: () => void;
  private readonly onData = (chunk: Buffer | string) => this.receiveChunk(chunk);
  private readonly onEnd = () => this.sendEvent('closed');

  constructor(id = 'stdio', options: StdioChardevOptions = {}) {
    super(id);
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.signal = options.signal ?? true;
    this.raiseSignal = options.raiseSignal ?? ((signal) => process.kill(process.pid, signal));
    this.batcher = new OutputBatcher((chunk) => this.output.write(chunk));
    if (this.input.isTTY && this.input.setRawMode) {
      this.input.setRawMode(true);
      this.rawMode = true;
    }
    this.removeExitHook = onProcessExit(() => {
      this.batcher.flush();
      this.restoreTerminal();
    });
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.resume();
    this.sendEvent('opened');
  }

  get filename(): string {
    return 'stdio';
  }

  /** Whether the terminal is in raw mode because of this chardev. */
  get isRawMode(): boolean {
    return this.rawMode;
  }

  /** Write everything gathered so far to the terminal now. */
  flush(): void {
    this.batcher.flush();
  }

  protected writeOut(data: Uint8Array): number {
    this.batcher.write(data);
    return data.length;
  }

  protected override pauseSource(): void {
    this.input.pause();
  }

  protected override resumeSource(): void {
    if (!this.isClosed) this.input.resume();
  }

  protected async closeBackend(): Promise<void> {
    this.batcher.flush();
    this.input.removeListener('data', this.onData);
    this.input.removeListener('end', this.onEnd);
    this.input.pause();
    this.restoreTerminal();
    this.removeExitHook();
  }

  private restoreTerminal(): void {
    if (!this.rawMode) return;
    this.rawMode = false;
    this.input.setRawMode?.(false);
  }

  private receiveChunk(chunk: Buffer | string): void {
    let bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (this.rawMode && this.signal) bytes = this.takeSignalBytes(bytes);
    this.pushInput(bytes);
  }

  /** Raise the signals a cooked terminal would have raised, and drop their bytes. */
  private takeSignalBytes(bytes: Uint8Array): Uint8Array {
    if (!bytes.some((byte) => SIGNAL_BYTES.has(byte))) return bytes;
    const kept: number[] = [];
    for (const byte of bytes) {
      const signal = SIGNAL_BYTES.get(byte);
      if (signal) this.raiseSignal(signal);
      else kept.push(byte);
    }
    return Uint8Array.from(kept);
  }
}
