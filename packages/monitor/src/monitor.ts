import type { CharBackend, CharEvent } from '@tsemu/chardev';
import { HmpInterpreter } from './interpreter.js';
import type { MonitorInfoCommand, MonitorMachine } from './machine.js';
import { ReadLine } from './readline.js';

/** QEMU's prompt; scripts wait for it, so it stays "(qemu) ". */
export const MONITOR_PROMPT = '(qemu) ';

export interface MonitorOptions {
  /** The emulator's version, for the banner ("tsemu VERSION monitor - ...") and `info version`. */
  readonly version: string;
}

/**
 * QEMU's human monitor (HMP) on a character device: the banner when the
 * chardev opens, the `(qemu) ` prompt, line editing, and the commands of
 * `HmpInterpreter`. It works on any chardev: `-monitor stdio`, a socket (the
 * banner is printed to each client that connects), or a frontend of the Ctrl-A
 * mux, where it follows QEMU's rules:
 *
 * - while the serial console has the focus, the monitor's output is held
 *   back and shown when Ctrl-A c gives it the focus (so the banner appears
 *   at the first switch, followed by the prompt);
 * - leaving the monitor ends the line; coming back shows a fresh prompt.
 *
 * While a command runs (or after `quit`) the monitor takes no input, so typed
 * lines run one after another, each after the previous prompt.
 *
 * ```ts
 * const monitor = new Monitor(chardev, machine, { version: '0.1.0' });
 * ```
 */
export class Monitor {
  readonly interpreter: HmpInterpreter;
  private readonly readline: ReadLine;
  /** Another mux frontend has the focus: output waits in `heldOutput`. */
  private muxOut = false;
  /** The chardev has been opened once (QEMU's reset_seen): prompts may be shown. */
  private resetSeen = false;
  private suspendCount = 0;
  private heldOutput: Uint8Array[] = [];
  private openPending = false;
  private closed = false;

  constructor(
    private readonly chardev: CharBackend,
    machine: MonitorMachine,
    private readonly options: MonitorOptions,
  ) {
    this.readline = new ReadLine({
      write: (data) => this.write(data),
      complete: (before) => this.interpreter.complete(before),
    });
    this.interpreter = new HmpInterpreter(machine, {
      version: options.version,
      history: () => this.readline.history(),
      suspendInput: () => this.suspend(),
    });
    this.readline.start(MONITOR_PROMPT, (line) => this.runLine(line));
    chardev.setHandlers({
      // One byte at a time, as QEMU's monitor_can_read: a command line that suspends the
      // monitor leaves the bytes after it in the chardev until the next prompt.
      canReceive: () => (this.suspendCount === 0 && !this.openPending ? 1 : 0),
      receive: (data) => {
        for (const byte of data) this.readline.handleByte(byte);
      },
      event: (event) => this.handleEvent(event),
    });
  }

  /** Adds an `info NAME` sub-command after construction (see `MonitorMachine.info`). */
  addInfoCommand(name: string, command: MonitorInfoCommand): void {
    this.interpreter.addInfoCommand(name, command);
  }

  /**
   * Runs a command line as if typed and returns what it printed (QMP's
   * human-monitor-command). Nothing is written to the chardev.
   */
  async runCommand(line: string): Promise<string> {
    let output = '';
    await this.interpreter.execute(line, (text) => {
      output += text;
    });
    return output;
  }

  /** Detach from the chardev: no more input is read and nothing more is written. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chardev.setHandlers(null);
  }

  /** Monitor output: "\n" becomes "\r\n" (QEMU's monitor_puts); held back while another mux frontend has the focus. */
  private write(data: string | Uint8Array): void {
    if (this.closed) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const converted = toCrLf(bytes);
    if (converted.length === 0) return;
    if (this.muxOut) this.heldOutput.push(converted);
    else this.chardev.write(converted);
  }

  private print(text: string): void {
    this.write(text);
  }

  private flushHeldOutput(): void {
    if (this.muxOut || this.heldOutput.length === 0) return;
    const held = this.heldOutput;
    this.heldOutput = [];
    for (const chunk of held) this.chardev.write(chunk);
  }

  private runLine(line: Uint8Array): void {
    this.suspend();
    const text = Buffer.from(line).toString('utf8');
    const result = this.interpreter.execute(text, (output) => this.print(output));
    if (result instanceof Promise) void result.finally(() => this.resume());
    else this.resume();
  }

  private suspend(): void {
    this.suspendCount++;
  }

  /** The last suspension ends: a fresh prompt, and input flows again (QEMU's monitor_accept_input). */
  private resume(): void {
    if (this.suspendCount === 0) return;
    this.suspendCount--;
    if (this.suspendCount > 0 || this.closed) return;
    if (this.resetSeen) {
      this.readline.restart();
      this.readline.showPrompt();
    }
    this.chardev.acceptInput();
  }

  /** QEMU's monitor_event. */
  private handleEvent(event: CharEvent): void {
    switch (event) {
      case 'opened':
        // QEMU tells a mux's frontends that the chardev opened only once the command line is
        // processed, after the serial port has taken the focus. A mux here reports it when the
        // monitor registers; waiting for the end of this turn lets a serial port registered
        // next take the focus first, so the banner waits for Ctrl-A c as in QEMU.
        this.openPending = true;
        queueMicrotask(() => {
          if (!this.openPending || this.closed) return;
          this.openPending = false;
          this.opened();
          // Input that arrived meanwhile is read after the banner and the prompt.
          this.chardev.acceptInput();
        });
        break;
      case 'closed':
        this.openPending = false;
        break;
      case 'mux-in':
        this.muxOut = false;
        if (this.resetSeen) {
          this.flushHeldOutput();
          this.readline.restart();
          this.resume();
        } else {
          this.suspendCount = 0;
        }
        break;
      case 'mux-out':
        if (this.resetSeen) {
          if (this.suspendCount === 0) this.print('\n');
          this.suspend();
        } else {
          this.suspendCount++;
        }
        this.muxOut = true;
        break;
      case 'break':
        break;
    }
  }

  private opened(): void {
    this.print(`tsemu ${this.options.version} monitor - type 'help' for more information\n`);
    if (!this.muxOut) {
      this.readline.restart();
      this.readline.showPrompt();
    }
    this.resetSeen = true;
  }
}

function toCrLf(bytes: Uint8Array): Uint8Array {
  let newlines = 0;
  for (const byte of bytes) if (byte === 0x0a) newlines++;
  if (newlines === 0) return Uint8Array.from(bytes);
  const out = new Uint8Array(bytes.length + newlines);
  let j = 0;
  for (const byte of bytes) {
    if (byte === 0x0a) out[j++] = 0x0d;
    out[j++] = byte;
  }
  return out;
}
