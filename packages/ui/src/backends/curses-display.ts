/**
 * `-display curses`: the console's text screen on the terminal, and the terminal's keys sent
 * to the guest's keyboard (QEMU's ui/curses.c, written with plain ANSI escapes instead of
 * the curses library).
 *
 * On each refresh tick it asks the device for a text update (a VGA in a graphics mode gives
 * a one-line message instead) and writes only the cells that changed. Terminal input goes
 * through {@link TerminalKeyDecoder} to a {@link KeySink}: the i8042's PS/2 keyboard, whose
 * `keyDown` / `keyUp` take the same QKeyCode names.
 */
import type { DisplayChangeListener, DisplayConsole } from '../console.js';
import { DisplayRefreshTimer, type RefreshClock } from '../refresh-timer.js';
import type { DisplayBackend } from './display-backend.js';
import { AnsiTextRenderer, SGR_RESET, SHOW_CURSOR } from './terminal/ansi-text-renderer.js';
import { type KeyEvent, TerminalKeyDecoder } from './terminal/terminal-keys.js';

/** Where the escape sequences go (a terminal's output stream). */
export interface TerminalOutput {
  write(text: string): void;
}

/** Receives key presses by QKeyCode name (the i8042 keyboard's `keyDown` / `keyUp`). */
export interface KeySink {
  keyDown(key: string): void;
  keyUp(key: string): void;
}

export interface CursesDisplayOptions {
  output: TerminalOutput;
  /** Where typed keys go; without it input is decoded and dropped. */
  keys?: KeySink;
  /** Terminal size; default 80x25. */
  columns?: number;
  rows?: number;
  /** Clock for the refresh tick; without it, the owner calls `console.refresh()` itself. */
  clock?: RefreshClock;
  refreshIntervalMs?: number;
}

/** Switch to the alternate screen and stop line wrapping (so the last column is safe). */
const ENTER_SCREEN = '\x1b[?1049h\x1b[?7l';
/** Line wrapping back on, the normal screen back. */
const LEAVE_SCREEN = '\x1b[?7h\x1b[?1049l';

export class CursesDisplay implements DisplayBackend, DisplayChangeListener {
  readonly name = 'curses';
  readonly renderer: AnsiTextRenderer;
  private readonly decoder = new TerminalKeyDecoder();
  private console: DisplayConsole | undefined;
  private timer: DisplayRefreshTimer | undefined;

  constructor(private readonly options: CursesDisplayOptions) {
    this.renderer = new AnsiTextRenderer(options.columns ?? 80, options.rows ?? 25);
  }

  attach(console: DisplayConsole): void {
    if (this.console) throw new Error('curses display: already attached to a console');
    this.console = console;
    console.addListener(this);
    this.options.output.write(ENTER_SCREEN);
    this.renderer.invalidate();
    if (this.options.clock) {
      this.timer = new DisplayRefreshTimer(
        console,
        this.options.clock,
        this.options.refreshIntervalMs,
      );
      this.timer.start();
    }
  }

  close(): void {
    this.timer?.stop();
    this.timer = undefined;
    if (this.console) {
      this.console.removeListener(this);
      this.console = undefined;
      this.options.output.write(SGR_RESET + SHOW_CURSOR + LEAVE_SCREEN);
    }
  }

  /** A refresh tick: the device updates the text grid, the changed cells go out. */
  refresh(console: DisplayConsole): void {
    console.updateText();
    const out = this.renderer.render(console.textGrid);
    if (out !== '') this.options.output.write(out);
  }

  textResize(): void {
    this.renderer.invalidate();
  }

  /** The terminal was resized. */
  resizeTerminal(columns: number, rows: number): void {
    this.renderer.setTerminalSize(columns, rows);
  }

  /** Bytes read from the terminal: decoded into key presses for the keyboard. */
  input(data: Uint8Array | string): KeyEvent[] {
    return this.deliver(this.decoder.feed(data));
  }

  /** Whether an escape sequence is waiting for more input (call {@link flushInput} soon). */
  get inputPending(): boolean {
    return this.decoder.hasPending;
  }

  /** The terminal has gone quiet: a pending ESC is the Escape key. */
  flushInput(): KeyEvent[] {
    return this.deliver(this.decoder.flush());
  }

  private deliver(events: KeyEvent[]): KeyEvent[] {
    const keys = this.options.keys;
    if (keys) {
      for (const e of events) {
        if (e.down) keys.keyDown(e.key);
        else keys.keyUp(e.key);
      }
    }
    return events;
  }
}
