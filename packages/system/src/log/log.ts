/**
 * QEMU's qemu_log: diagnostic output switched on by `-d ITEMS` and sent to `-D FILE`.
 */
import { type LogItemName, type LogSelection, parseLogItems, traceMatcher } from './log-items.js';
import { fileLogOutput, type LogOutput, stderrLogOutput } from './log-output.js';

/**
 * The structural interface every package accepts for logging (declared again, identically,
 * in packages that must not import this one). `enabled` is cheap enough for a hot path;
 * `write` does nothing for a disabled item.
 */
export interface LogSink {
  enabled(item: string): boolean;
  write(item: string, text: string): void;
}

/** A sink that logs nothing: the default everywhere a sink is optional. */
export const NULL_LOG_SINK: LogSink = {
  enabled: () => false,
  write: () => {},
};

export interface LogOptions {
  /** The `-d` argument (e.g. `'int,guest_errors'`) or an item list. Default: nothing. */
  readonly items?: string | Iterable<LogItemName>;
  /** Where to write. Default: standard error. */
  readonly output?: LogOutput;
}

/**
 * The log of one machine.
 *
 * ```ts
 * const log = Log.fromCommandLine({ d: 'int,guest_errors', D: '/tmp/tsemu.log' });
 * if (log.enabled('int')) log.write('int', `INT 0x${vector.toString(16)}\n`);
 * ```
 */
export class Log implements LogSink {
  private items: Set<string> = new Set();
  private traceMatchers: ((event: string) => boolean)[] = [];
  private output: LogOutput;

  constructor(options: LogOptions = {}) {
    this.output = options.output ?? stderrLogOutput();
    if (options.items !== undefined) this.setItems(options.items);
  }

  /**
   * Builds the log from the `-d` and `-D` options. Throws a {@link LogItemError} for an
   * unknown item and an Error if the file cannot be opened. `-d help` must be handled by
   * the caller first (see {@link parseLogItems}); here it is an error.
   */
  static fromCommandLine(options: { d?: string; D?: string }): Log {
    const selection = options.d === undefined ? undefined : parseLogItems(options.d);
    if (selection?.help) throw new Error("'-d help' must be handled before building the log");
    const log = new Log({ output: options.D ? fileLogOutput(options.D) : stderrLogOutput() });
    if (selection) log.select(selection);
    return log;
  }

  /** Replaces the enabled items (the monitor's `log` command does this at run time). */
  setItems(items: string | Iterable<LogItemName>): void {
    if (typeof items === 'string') {
      const selection = parseLogItems(items);
      if (selection.help) throw new Error("'help' is not a log item");
      this.select(selection);
    } else {
      this.select({ help: false, items: new Set(items), tracePatterns: [] });
    }
  }

  /** The enabled items, in no particular order (trace patterns as `trace:PATTERN`). */
  get enabledItems(): readonly string[] {
    return [...this.items];
  }

  /** Sends further output elsewhere; the previous output is closed. */
  setOutput(output: LogOutput): void {
    this.output.close();
    this.output = output;
  }

  enabled(item: string): boolean {
    if (this.items.has(item)) return true;
    if (this.traceMatchers.length === 0 || !item.startsWith('trace:')) return false;
    const event = item.slice('trace:'.length);
    return this.traceMatchers.some((matches) => matches(event));
  }

  /** Writes `text` if `item` is enabled; a missing final newline is added. */
  write(item: string, text: string): void {
    if (!this.enabled(item)) return;
    this.output.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  close(): void {
    this.output.close();
  }

  private select(selection: LogSelection): void {
    this.items = new Set<string>(selection.items);
    for (const pattern of selection.tracePatterns) this.items.add(`trace:${pattern}`);
    this.traceMatchers = selection.tracePatterns.map(traceMatcher);
  }
}
