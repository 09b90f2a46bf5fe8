/**
 * The monitor's line editor (QEMU's util/readline.c): it takes the bytes a
 * terminal sends one at a time, keeps the line being typed, echoes it, and
 * hands over whole lines. Keys, as in QEMU:
 *
 * | keys | action |
 * |---|---|
 * | Enter (CR or LF) | run the line |
 * | Backspace (DEL or Ctrl-H) | delete before the cursor |
 * | Ctrl-D, Delete (ESC [3~) | delete at the cursor |
 * | Left/Right (ESC [D, ESC [C) | move |
 * | Ctrl-A, Home (ESC [1~, ESC OH) / Ctrl-E, End (ESC [4~, ESC OF) | start / end of line |
 * | Up/Down (ESC [A, ESC [B) | history |
 * | Ctrl-W | delete the word before the cursor |
 * | Ctrl-L | clear the screen |
 * | Tab | complete |
 *
 * One departure: a LF (or NUL) straight after a CR is dropped, so a client
 * that ends lines with CR LF (telnet, many scripts) runs each line once; QEMU
 * would run an empty line as well and print a second prompt.
 */

/** QEMU's READLINE_CMD_BUF_SIZE - 1: the longest line. */
export const READLINE_MAX_LINE = 4095;
/** QEMU's READLINE_MAX_CMDS: history entries kept. */
export const READLINE_MAX_HISTORY = 64;

export interface ReadLineHost {
  /** Terminal output: prompts, echo, cursor movement ("\n" for a new line). */
  write(data: string | Uint8Array): void;
  /** Candidates for Tab, given the text before the cursor; `wordLength` is the typed part of the last word. */
  complete?(lineBeforeCursor: string): { candidates: readonly string[]; wordLength: number };
}

type EscapeState = 'normal' | 'escape' | 'csi' | 'ss3';

const ESC = '\x1b';
const CURSOR_LEFT = `${ESC}[D`;
const CURSOR_RIGHT = `${ESC}[C`;
const CLEAR_TO_END = `${ESC}[K`;

/** Bytes and strings in the buffer are latin1: one char per byte, so any input survives. */
const bytesToLatin1 = (bytes: readonly number[]) => String.fromCharCode(...bytes);
const latin1ToBytes = (text: string) => Array.from(text, (char) => char.charCodeAt(0));
const isSpaceByte = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

export class ReadLine {
  private line: number[] = [];
  private cursor = 0;
  /** What the terminal shows of the line, and where its cursor is (QEMU's last_cmd_buf). */
  private shownLine: number[] = [];
  private shownCursor = 0;
  private escapeState: EscapeState = 'normal';
  private escapeParam = 0;
  private lastByteWasCr = false;
  /** Oldest first, as latin1 byte strings. */
  private readonly historyEntries: string[] = [];
  /** The history entry being shown, or -1 for the line being typed. */
  private historyIndex = -1;
  private prompt = '';
  private onLine: ((line: Uint8Array) => void) | null = null;

  constructor(private readonly host: ReadLineHost) {}

  /** Expect a line after `prompt` (not printed yet); `onLine` gets it without the line end. */
  start(prompt: string, onLine: (line: Uint8Array) => void): void {
    this.prompt = prompt;
    this.onLine = onLine;
    this.restart();
  }

  /** Forget the line being typed (QEMU's readline_restart). */
  restart(): void {
    this.line = [];
    this.cursor = 0;
  }

  /** Print the prompt; the terminal line is empty after it. */
  showPrompt(): void {
    this.host.write(this.prompt);
    this.shownLine = [];
    this.shownCursor = 0;
    this.escapeState = 'normal';
  }

  /** The history, oldest first, as UTF-8 text. */
  history(): string[] {
    return this.historyEntries.map((entry) => Buffer.from(entry, 'latin1').toString('utf8'));
  }

  handleByte(byte: number): void {
    const afterCr = this.lastByteWasCr;
    this.lastByteWasCr = false;
    switch (this.escapeState) {
      case 'normal':
        if (afterCr && (byte === 0x0a || byte === 0x00)) return;
        this.handleNormal(byte);
        break;
      case 'escape':
        if (byte === 0x5b /* [ */) {
          this.escapeState = 'csi';
          this.escapeParam = 0;
        } else if (byte === 0x4f /* O */) {
          this.escapeState = 'ss3';
          this.escapeParam = 0;
        } else {
          this.escapeState = 'normal';
        }
        break;
      case 'csi':
        if (byte >= 0x30 && byte <= 0x39) {
          this.escapeParam = this.escapeParam * 10 + (byte - 0x30);
          break;
        }
        this.handleCsi(String.fromCharCode(byte));
        this.escapeState = 'normal';
        break;
      case 'ss3':
        if (byte === 0x46 /* F */) this.cursor = this.line.length;
        else if (byte === 0x48 /* H */) this.cursor = 0;
        this.escapeState = 'normal';
        break;
    }
    this.update();
  }

  private handleNormal(byte: number): void {
    switch (byte) {
      case 0x01: // Ctrl-A
        this.cursor = 0;
        break;
      case 0x04: // Ctrl-D
        this.deleteAtCursor();
        break;
      case 0x05: // Ctrl-E
        this.cursor = this.line.length;
        break;
      case 0x09: // Tab
        this.completeWord();
        break;
      case 0x0c: // Ctrl-L
        this.host.write(`${ESC}[2J${ESC}[1;1H`);
        this.showPrompt();
        break;
      case 0x0a:
      case 0x0d:
        this.lastByteWasCr = byte === 0x0d;
        this.enter();
        break;
      case 0x17: // Ctrl-W
        this.deleteWordBeforeCursor();
        break;
      case 0x1b:
        this.escapeState = 'escape';
        break;
      case 0x7f:
      case 0x08:
        if (this.cursor > 0) {
          this.line.splice(this.cursor - 1, 1);
          this.cursor--;
        }
        break;
      case 0x9b: // a one-byte CSI
        this.escapeState = 'csi';
        this.escapeParam = 0;
        break;
      default:
        if (byte >= 0x20) this.insert(byte);
        break;
    }
  }

  private handleCsi(final: string): void {
    switch (final) {
      case 'A':
      case 'F':
        this.historyUp();
        break;
      case 'B':
      case 'E':
        this.historyDown();
        break;
      case 'D':
        if (this.cursor > 0) this.cursor--;
        break;
      case 'C':
        if (this.cursor < this.line.length) this.cursor++;
        break;
      case '~':
        if (this.escapeParam === 1) this.cursor = 0;
        else if (this.escapeParam === 3) this.deleteAtCursor();
        else if (this.escapeParam === 4) this.cursor = this.line.length;
        break;
    }
  }

  private insert(byte: number): void {
    if (this.line.length >= READLINE_MAX_LINE) return;
    this.line.splice(this.cursor, 0, byte);
    this.cursor++;
  }

  private deleteAtCursor(): void {
    if (this.cursor < this.line.length) this.line.splice(this.cursor, 1);
  }

  private deleteWordBeforeCursor(): void {
    let start = this.cursor;
    while (start > 0 && isSpaceByte(this.line[start - 1])) start--;
    while (start > 0 && !isSpaceByte(this.line[start - 1])) start--;
    this.line.splice(start, this.cursor - start);
    this.cursor = start;
  }

  private enter(): void {
    const line = Uint8Array.from(this.line);
    this.addToHistory(bytesToLatin1(this.line));
    this.host.write('\n');
    this.line = [];
    this.cursor = 0;
    this.shownLine = [];
    this.shownCursor = 0;
    this.onLine?.(line);
  }

  /** The newest entry goes last; a line already in the history moves there (QEMU's readline_hist_add). */
  private addToHistory(entry: string): void {
    this.historyIndex = -1;
    if (entry === '') return;
    const existing = this.historyEntries.indexOf(entry);
    if (existing >= 0) this.historyEntries.splice(existing, 1);
    this.historyEntries.push(entry);
    if (this.historyEntries.length > READLINE_MAX_HISTORY) this.historyEntries.shift();
  }

  private historyUp(): void {
    if (this.historyIndex === 0) return;
    if (this.historyIndex === -1) this.historyIndex = this.historyEntries.length;
    this.historyIndex--;
    if (this.historyIndex >= 0) this.setLine(this.historyEntries[this.historyIndex]);
  }

  private historyDown(): void {
    if (this.historyIndex === -1) return;
    this.historyIndex++;
    if (this.historyIndex < this.historyEntries.length) {
      this.setLine(this.historyEntries[this.historyIndex]);
    } else {
      this.historyIndex = -1;
      this.setLine('');
    }
  }

  private setLine(latin1: string): void {
    this.line = latin1ToBytes(latin1);
    this.cursor = this.line.length;
  }

  /** Tab (QEMU's readline_completion): one candidate is completed, several are listed. */
  private completeWord(): void {
    if (!this.host.complete) return;
    const before = Buffer.from(this.line.slice(0, this.cursor)).toString('utf8');
    const { candidates, wordLength } = this.host.complete(before);
    if (candidates.length === 0) return;
    const insertText = (text: string) => {
      for (const byte of Buffer.from(text, 'utf8')) this.insert(byte);
    };
    if (candidates.length === 1) {
      const only = candidates[0];
      insertText(only.slice(wordLength));
      if (only.length > 0 && !only.endsWith('/')) this.insert(0x20);
      return;
    }
    const sorted = [...candidates].sort();
    let prefix = sorted[0].length;
    let widest = 0;
    for (const candidate of sorted) {
      let same = 0;
      while (same < prefix && candidate[same] === sorted[0][same]) same++;
      prefix = same;
      widest = Math.max(widest, candidate.length);
    }
    insertText(sorted[0].slice(wordLength, Math.max(wordLength, prefix)));
    const width = Math.min(80, Math.max(10, widest + 2));
    const columns = Math.floor(80 / width);
    let text = '\n';
    sorted.forEach((candidate, index) => {
      text += candidate.padEnd(width, ' ');
      if ((index + 1) % columns === 0 || index === sorted.length - 1) text += '\n';
    });
    this.host.write(text);
    this.showPrompt();
  }

  /**
   * Bring the terminal up to date with the line (QEMU's readline_update). QEMU
   * moves back to the start of the line and reprints all of it after every key;
   * typing or deleting at the end of the line is sent here as just the change,
   * which leaves the same picture on the screen with far fewer bytes.
   */
  private update(): void {
    const line = this.line;
    const shown = this.shownLine;
    if (!sameBytes(line, shown)) {
      const wasAtEnd = this.shownCursor === shown.length;
      const atEnd = this.cursor === line.length;
      if (wasAtEnd && atEnd && line.length > shown.length && startsWith(line, shown)) {
        this.host.write(Uint8Array.from(line.slice(shown.length)));
      } else if (wasAtEnd && atEnd && line.length < shown.length && startsWith(shown, line)) {
        this.host.write(CURSOR_LEFT.repeat(shown.length - line.length) + CLEAR_TO_END);
      } else {
        this.host.write(CURSOR_LEFT.repeat(this.shownCursor));
        this.host.write(Uint8Array.from(line));
        this.host.write(CLEAR_TO_END);
      }
      this.shownLine = [...line];
      this.shownCursor = line.length;
    }
    if (this.cursor !== this.shownCursor) {
      const delta = this.cursor - this.shownCursor;
      this.host.write((delta > 0 ? CURSOR_RIGHT : CURSOR_LEFT).repeat(Math.abs(delta)));
      this.shownCursor = this.cursor;
    }
  }
}

function sameBytes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && startsWith(a, b);
}

function startsWith(a: readonly number[], prefix: readonly number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}
