/**
 * Splits a guest's serial console output into lines as it arrives, stamping each line with
 * the time its end was seen: the moment a person watching the console would have read it.
 */

export interface ConsoleLine {
  /** Milliseconds since the emulator process was started. */
  atMs: number;
  /** The line without its line ending and without terminal control sequences. */
  text: string;
}

const ESC = 0x1b;

/**
 * The line without terminal control: CSI sequences (ESC [ parameters, final byte in
 * 0x40..0x7e), which busybox's shell sends before its prompts, and other control characters
 * (carriage returns, bells, the rest of C0, DEL). Tabs stay.
 */
export function cleanLine(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === ESC && raw[i + 1] === '[') {
      i += 2;
      while (i < raw.length && !(raw.charCodeAt(i) >= 0x40 && raw.charCodeAt(i) <= 0x7e)) i++;
      continue;
    }
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) continue;
    out += raw[i];
  }
  return out;
}

export class ConsoleLineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: ConsoleLine) => void) {}

  /** Feeds output that arrived at `atMs`; every line it completes is passed on. */
  push(chunk: string, atMs: number): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.onLine({ atMs, text: cleanLine(part) });
  }

  /** Passes on the last, unterminated line, if any (when the process has ended). */
  flush(atMs: number): void {
    if (this.partial !== '') this.onLine({ atMs, text: cleanLine(this.partial) });
    this.partial = '';
  }
}
