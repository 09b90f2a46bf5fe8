import type { CharEvent, CharHandlers } from './char-backend.js';
import { Chardev } from './chardev.js';

/** Ctrl-A: QEMU's default escape character. */
export const MUX_ESCAPE_CHAR = 0x01;

/**
 * Input held per frontend when the frontend is full (QEMU holds 32 bytes). A
 * larger hold keeps the escape keys (Ctrl-A x) working while a stalled guest
 * ignores its serial port; past it, the terminal is back-pressured.
 */
export const MUX_INPUT_HOLD = 4096;

export interface CharMuxOptions {
  /** The escape character (QEMU's `-echr`); Ctrl-A by default. */
  escapeChar?: number;
  /** Ctrl-A x: the user asked to quit (QEMU's `qmp_quit`). The notice is already printed. */
  onQuit?: () => void;
  /** Ctrl-A s: commit `-snapshot` disks. Without it, the key is ignored and not listed in the help. */
  onCommitDisks?: () => void;
  /** Milliseconds since some origin, for Ctrl-A t timestamps; `Date.now` by default. */
  now?: () => number;
}

/**
 * The multiplexer (QEMU's mux chardev, `mux=on`, `mon:`): several frontends,
 * typically a serial port and the monitor, share one backend such as stdio.
 * Output from every frontend goes to the backend; input goes to the frontend
 * that has the focus. The escape character (Ctrl-A) starts a command:
 *
 * | keys | action |
 * |---|---|
 * | Ctrl-A h (or ?) | print this help |
 * | Ctrl-A x | print "tsemu: Terminated" and quit |
 * | Ctrl-A c | give the focus to the next frontend (serial console <-> monitor) |
 * | Ctrl-A b | send a break to the focused frontend (magic SysRq on Linux) |
 * | Ctrl-A t | toggle timestamps at the start of each output line |
 * | Ctrl-A s | commit `-snapshot` disks (when the emulator supports it) |
 * | Ctrl-A Ctrl-A | send one Ctrl-A |
 *
 * Each frontend is a `Chardev` of its own (`addFrontend()`), so devices take it
 * like any other chardev. As in QEMU, a frontend takes the focus when it
 * registers its handlers, so the last one to register has it (QEMU creates the
 * monitor before the serial ports, so the serial console starts focused);
 * `setFocus()` chooses explicitly.
 */
export class CharMux {
  private readonly frontends: MuxFrontend[] = [];
  private focus = -1;
  private escapePending = false;
  private timestamps = false;
  private timestampOrigin = -1;
  private atLineStart = true;
  private readonly escapeChar: number;
  private readonly now: () => number;

  constructor(
    readonly backend: Chardev,
    private readonly options: CharMuxOptions = {},
  ) {
    this.escapeChar = options.escapeChar ?? MUX_ESCAPE_CHAR;
    this.now = options.now ?? Date.now;
    backend.setHandlers({
      canReceive: () => this.canReceive(),
      receive: (data) => this.receive(data),
      event: (event) => this.broadcast(event),
    });
  }

  get id(): string {
    return this.backend.id;
  }

  /** Index of the frontend that receives input, or -1 before any is added. */
  get focusIndex(): number {
    return this.focus;
  }

  /** Number of frontends attached. */
  get frontendCount(): number {
    return this.frontends.length;
  }

  /** Attach one more frontend. It takes the focus when it registers its handlers. */
  addFrontend(): Chardev {
    const frontend = new MuxFrontend(this, this.frontends.length, this.backend.isOpen);
    this.frontends.push(frontend);
    return frontend;
  }

  /** Give the input focus to frontend `index` (QEMU's mux_set_focus). */
  setFocus(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.frontends.length) {
      throw new RangeError(`mux '${this.id}' has no frontend ${index}`);
    }
    if (this.focus >= 0) this.frontends[this.focus].eventFromMux('mux-out');
    this.focus = index;
    this.frontends[index].eventFromMux('mux-in');
    this.backend.acceptInput();
  }

  /** Close the backend (frontends then see nothing more). */
  async close(): Promise<void> {
    await this.backend.close();
  }

  /** Output from a frontend. */
  writeFromFrontend(data: Uint8Array): number {
    if (!this.timestamps) return this.backend.write(data);
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (this.atLineStart) {
        if (i > start) this.backend.write(data.subarray(start, i));
        start = i;
        this.backend.write(Buffer.from(this.timestamp(), 'latin1'));
        this.atLineStart = false;
      }
      if (data[i] === 0x0a) this.atLineStart = true;
    }
    this.backend.write(data.subarray(start));
    return data.length;
  }

  /** The focused frontend made room: let the backend deliver more. */
  frontendDrained(index: number): void {
    if (index === this.focus) this.backend.acceptInput();
  }

  private canReceive(): number {
    const focused = this.frontends[this.focus];
    if (!focused) return 0;
    return Math.max(0, MUX_INPUT_HOLD - focused.pendingInput);
  }

  private receive(data: Uint8Array): void {
    let passThrough: number[] = [];
    const flush = () => {
      if (passThrough.length === 0) return;
      this.frontends[this.focus]?.receiveFromMux(Uint8Array.from(passThrough));
      passThrough = [];
    };
    for (const byte of data) {
      if (this.escapePending) {
        this.escapePending = false;
        if (byte === this.escapeChar) {
          passThrough.push(byte);
          continue;
        }
        // A command may move the focus: input before it goes to the old focus.
        flush();
        this.runEscapeCommand(byte);
      } else if (byte === this.escapeChar) {
        this.escapePending = true;
      } else {
        passThrough.push(byte);
      }
    }
    flush();
  }

  private runEscapeCommand(key: number): void {
    switch (String.fromCharCode(key)) {
      case 'h':
      case '?':
        this.printHelp();
        break;
      case 'x':
        this.backend.write(Buffer.from('tsemu: Terminated\r\n', 'latin1'));
        this.options.onQuit?.();
        break;
      case 's':
        this.options.onCommitDisks?.();
        break;
      case 'b':
        this.frontends[this.focus]?.eventFromMux('break');
        break;
      case 'c':
        if (this.frontends.length > 0) this.setFocus((this.focus + 1) % this.frontends.length);
        break;
      case 't':
        this.timestamps = !this.timestamps;
        this.timestampOrigin = -1;
        this.atLineStart = false;
        break;
      default:
        // Unknown commands are ignored, as in QEMU.
        break;
    }
  }

  private printHelp(): void {
    const key = this.escapeKeyName();
    const lines = [
      `${key} h    print this help`,
      `${key} x    exit emulator`,
      ...(this.options.onCommitDisks
        ? [`${key} s    save disk data back to file (if -snapshot)`]
        : []),
      `${key} t    toggle console timestamps`,
      `${key} b    send break (magic sysrq)`,
      `${key} c    switch between console and monitor`,
      `${key} ${key}  sends ${key}`,
    ];
    this.backend.write(Buffer.from(`\r\n${lines.map((line) => `${line}\r\n`).join('')}`, 'latin1'));
  }

  private escapeKeyName(): string {
    const c = this.escapeChar;
    if (c > 0 && c < 27) return `C-${String.fromCharCode(c - 1 + 'a'.charCodeAt(0))}`;
    return `0x${c.toString(16).padStart(2, '0')}`;
  }

  private timestamp(): string {
    const now = this.now();
    if (this.timestampOrigin < 0) this.timestampOrigin = now;
    const elapsed = Math.max(0, now - this.timestampOrigin);
    const seconds = Math.floor(elapsed / 1000);
    const two = (n: number) => String(n).padStart(2, '0');
    const hours = two(Math.floor(seconds / 3600));
    const minutes = two(Math.floor(seconds / 60) % 60);
    const millis = String(Math.floor(elapsed % 1000)).padStart(3, '0');
    return `[${hours}:${minutes}:${two(seconds % 60)}.${millis}] `;
  }

  private broadcast(event: CharEvent): void {
    for (const frontend of this.frontends) frontend.eventFromMux(event);
  }
}

/** One frontend's view of a mux: a chardev whose output goes through the mux. */
class MuxFrontend extends Chardev {
  constructor(
    private readonly mux: CharMux,
    private readonly index: number,
    backendOpen: boolean,
  ) {
    super(`${mux.id}#${index}`);
    if (backendOpen) this.sendEvent('opened');
  }

  get filename(): string {
    return `mux:${this.mux.backend.filename}`;
  }

  override setHandlers(handlers: CharHandlers | null): void {
    super.setHandlers(handlers);
    // QEMU's qemu_chr_fe_take_focus: a frontend registering its handlers takes the focus.
    if (handlers) this.mux.setFocus(this.index);
  }

  receiveFromMux(data: Uint8Array): void {
    this.pushInput(data);
  }

  eventFromMux(event: CharEvent): void {
    this.sendEvent(event);
  }

  protected writeOut(data: Uint8Array): number {
    return this.mux.writeFromFrontend(data);
  }

  protected override resumeSource(): void {
    this.mux.frontendDrained(this.index);
  }

  protected async closeBackend(): Promise<void> {}
}
