/**
 * Turns what a terminal in raw mode sends into key presses, named as QEMU's QKeyCode
 * (qapi/ui.json: 'a', 'shift', 'ctrl', 'alt', 'ret', 'esc', 'up', 'f1' ...), the names the
 * i8042's PS/2 keyboard takes in `keyDown` / `keyUp`.
 *
 * A terminal sends characters, not keys: 'A' is Shift+a, 0x01 is Ctrl+a, ESC followed by a
 * character is Alt+that character, and the keys without a character arrive as escape
 * sequences (xterm/VT220 style: `ESC [ A` is Up, `ESC [ 1 ; 5 A` is Ctrl+Up, `ESC [ 3 ~`
 * is Delete, `ESC O P` is F1). Each is turned into the modifier presses, the key's press and
 * release, and the modifier releases, as a US keyboard would send them.
 *
 * An ESC at the end of the input may be the start of a sequence that is still on its way;
 * it stays pending until more input comes or {@link TerminalKeyDecoder.flush} is called
 * (after a short delay, as curses's ESCDELAY), which makes it the Escape key.
 */

/** One key going down or up. */
export interface KeyEvent {
  /** QKeyCode name of the key. */
  key: string;
  down: boolean;
}

/** Modifier keys, as QKeyCode names. */
export type Modifier = 'shift' | 'ctrl' | 'alt' | 'meta_l';

/** Characters typed with Shift on a US keyboard, and the key that types them. */
const SHIFTED: Readonly<Record<string, string>> = {
  '!': '1',
  '@': '2',
  '#': '3',
  $: '4',
  '%': '5',
  '^': '6',
  '&': '7',
  '*': '8',
  '(': '9',
  ')': '0',
  _: 'minus',
  '+': 'equal',
  '{': 'bracket_left',
  '}': 'bracket_right',
  ':': 'semicolon',
  '"': 'apostrophe',
  '~': 'grave_accent',
  '|': 'backslash',
  '<': 'comma',
  '>': 'dot',
  '?': 'slash',
};

/** Characters typed without Shift that are not letters or digits. */
const UNSHIFTED: Readonly<Record<string, string>> = {
  ' ': 'spc',
  '-': 'minus',
  '=': 'equal',
  '[': 'bracket_left',
  ']': 'bracket_right',
  ';': 'semicolon',
  "'": 'apostrophe',
  '`': 'grave_accent',
  '\\': 'backslash',
  ',': 'comma',
  '.': 'dot',
  '/': 'slash',
};

/** `ESC [ n ~` sequences (VT220 and xterm). */
const TILDE_KEYS: Readonly<Record<number, string>> = {
  1: 'home',
  2: 'insert',
  3: 'delete',
  4: 'end',
  5: 'pgup',
  6: 'pgdn',
  7: 'home',
  8: 'end',
  11: 'f1',
  12: 'f2',
  13: 'f3',
  14: 'f4',
  15: 'f5',
  17: 'f6',
  18: 'f7',
  19: 'f8',
  20: 'f9',
  21: 'f10',
  23: 'f11',
  24: 'f12',
};

/** `ESC [ X` and `ESC O X` sequences by their final letter. */
const LETTER_KEYS: Readonly<Record<string, string>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
  M: 'kp_enter',
};

/** The Linux console's `ESC [ [ X` for F1-F5. */
const LINUX_CONSOLE_F_KEYS: Readonly<Record<string, string>> = {
  A: 'f1',
  B: 'f2',
  C: 'f3',
  D: 'f4',
  E: 'f5',
};

/** The key and modifiers a single character (byte) is typed with, or undefined. */
export function keyForCharacter(code: number): { key: string; modifiers: Modifier[] } | undefined {
  if (code === 0x0d || code === 0x0a) return { key: 'ret', modifiers: [] };
  if (code === 0x09) return { key: 'tab', modifiers: [] };
  if (code === 0x7f || code === 0x08) return { key: 'backspace', modifiers: [] };
  if (code === 0x1b) return { key: 'esc', modifiers: [] };
  if (code === 0x00) return { key: 'spc', modifiers: ['ctrl'] };
  if (code >= 0x01 && code <= 0x1a) {
    return { key: String.fromCharCode(0x60 + code), modifiers: ['ctrl'] };
  }
  if (code === 0x1c) return { key: 'backslash', modifiers: ['ctrl'] };
  if (code === 0x1d) return { key: 'bracket_right', modifiers: ['ctrl'] };
  if (code === 0x1e) return { key: '6', modifiers: ['ctrl', 'shift'] };
  if (code === 0x1f) return { key: 'minus', modifiers: ['ctrl', 'shift'] };
  if (code >= 0x80) return undefined;
  const ch = String.fromCharCode(code);
  if (ch >= 'a' && ch <= 'z') return { key: ch, modifiers: [] };
  if (ch >= 'A' && ch <= 'Z') return { key: ch.toLowerCase(), modifiers: ['shift'] };
  if (ch >= '0' && ch <= '9') return { key: ch, modifiers: [] };
  const unshifted = UNSHIFTED[ch];
  if (unshifted !== undefined) return { key: unshifted, modifiers: [] };
  const shifted = SHIFTED[ch];
  if (shifted !== undefined) return { key: shifted, modifiers: ['shift'] };
  return undefined;
}

/** Modifiers of an xterm modifier parameter (1 + shift 1, alt 2, ctrl 4, meta 8). */
function modifiersOfParameter(param: number | undefined): Modifier[] {
  if (param === undefined || param < 2) return [];
  const bits = param - 1;
  const mods: Modifier[] = [];
  if (bits & 4) mods.push('ctrl');
  if (bits & 2) mods.push('alt');
  if (bits & 1) mods.push('shift');
  if (bits & 8) mods.push('meta_l');
  return mods;
}

/** Press the modifiers, tap the key, release the modifiers in reverse order. */
export function keyStroke(key: string, modifiers: readonly Modifier[]): KeyEvent[] {
  const unique = [...new Set(modifiers)];
  return [
    ...unique.map((m) => ({ key: m, down: true })),
    { key, down: true },
    { key, down: false },
    ...unique.reverse().map((m) => ({ key: m, down: false })),
  ];
}

/** How a parse step ended: events and bytes used, or "need more input". */
type Parsed = { events: KeyEvent[]; length: number } | 'incomplete';

export class TerminalKeyDecoder {
  private pending: number[] = [];

  /** Whether input is held back waiting for the rest of an escape sequence. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Decodes what the terminal sent; an unfinished escape sequence waits for more. */
  feed(input: Uint8Array | string): KeyEvent[] {
    const bytes = typeof input === 'string' ? [...new TextEncoder().encode(input)] : [...input];
    this.pending.push(...bytes);
    return this.decode(false);
  }

  /** The terminal has been quiet: what is pending is complete (a lone ESC is Escape). */
  flush(): KeyEvent[] {
    return this.decode(true);
  }

  private decode(final: boolean): KeyEvent[] {
    const events: KeyEvent[] = [];
    const buf = this.pending;
    let i = 0;
    while (i < buf.length) {
      const parsed = this.parseAt(buf, i, final);
      if (parsed === 'incomplete') break;
      events.push(...parsed.events);
      i += parsed.length;
    }
    this.pending = buf.slice(i);
    return events;
  }

  private parseAt(buf: readonly number[], i: number, final: boolean): Parsed {
    const b = buf[i];
    if (b === 0x1b) return this.parseEscape(buf, i, final);
    if (b >= 0x80) return { events: [], length: utf8Length(b) };
    const k = keyForCharacter(b);
    return { events: k ? keyStroke(k.key, k.modifiers) : [], length: 1 };
  }

  private parseEscape(buf: readonly number[], i: number, final: boolean): Parsed {
    if (i + 1 >= buf.length) {
      return final ? { events: keyStroke('esc', []), length: 1 } : 'incomplete';
    }
    const next = buf[i + 1];
    if (next === 0x5b /* [ */ || next === 0x4f /* O */) {
      const seq = this.parseSequence(buf, i, next === 0x4f);
      if (seq !== 'incomplete') return seq;
      if (!final) return 'incomplete';
      // Never completed: read it as Alt+'[' (or Alt+'O') and go on.
    }
    if (next === 0x1b) return { events: keyStroke('esc', []), length: 1 };
    // ESC followed by a character: that character with Alt.
    const k = keyForCharacter(next);
    if (!k) return { events: [], length: 2 };
    return { events: keyStroke(k.key, ['alt', ...k.modifiers]), length: 2 };
  }

  /** `ESC [ params final` (CSI) or `ESC O final` (SS3) starting at `i`. */
  private parseSequence(buf: readonly number[], i: number, ss3: boolean): Parsed {
    let j = i + 2;
    // The Linux console's F1-F5: ESC [ [ A-E.
    if (!ss3 && buf[j] === 0x5b) {
      if (j + 1 >= buf.length) return 'incomplete';
      const key = LINUX_CONSOLE_F_KEYS[String.fromCharCode(buf[j + 1])];
      return { events: key ? keyStroke(key, []) : [], length: j + 2 - i };
    }
    // Parameters: digits and ';' (and '<', '?' for mouse/private sequences we ignore).
    let params = '';
    while (j < buf.length && ((buf[j] >= 0x30 && buf[j] <= 0x3f) || buf[j] === 0x20)) {
      params += String.fromCharCode(buf[j]);
      j++;
      if (j - i > 32) return { events: [], length: j - i }; // runaway: drop it
    }
    if (j >= buf.length) return 'incomplete';
    const finalByte = buf[j];
    const length = j + 1 - i;
    if (finalByte < 0x40 || finalByte > 0x7e) return { events: [], length };
    if (!ss3 && finalByte === 0x4d /* M */ && params === '') {
      // X10 mouse report: three more bytes, ignored.
      return buf.length >= i + length + 3 ? { events: [], length: length + 3 } : 'incomplete';
    }
    const numbers = params.split(';').map((p) => (p === '' ? undefined : Number(p)));
    const final = String.fromCharCode(finalByte);
    if (final === '~') {
      const key = TILDE_KEYS[numbers[0] ?? 0];
      return { events: key ? keyStroke(key, modifiersOfParameter(numbers[1])) : [], length };
    }
    if (final === 'Z') return { events: keyStroke('tab', ['shift']), length };
    const key = LETTER_KEYS[final];
    if (key === undefined || (key === 'kp_enter' && !ss3)) return { events: [], length };
    // ESC [ 1 ; 5 A: the modifiers are the second parameter (SS3 may carry them first).
    const modifierParam = numbers.length > 1 ? numbers[1] : ss3 ? numbers[0] : undefined;
    return { events: keyStroke(key, modifiersOfParameter(modifierParam)), length };
  }
}

/** Bytes of the UTF-8 sequence starting with `lead` (characters beyond ASCII are ignored). */
function utf8Length(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Every key name the decoder can produce (for checking them against a keyboard's table). */
export function terminalKeyNames(): string[] {
  const names = new Set<string>([
    'shift',
    'ctrl',
    'alt',
    'meta_l',
    'esc',
    'ret',
    'tab',
    'backspace',
    'spc',
  ]);
  for (let c = 0; c < 0x80; c++) {
    const k = keyForCharacter(c);
    if (k) names.add(k.key);
  }
  for (const table of [TILDE_KEYS, LETTER_KEYS, LINUX_CONSOLE_F_KEYS]) {
    for (const key of Object.values(table)) names.add(key);
  }
  return [...names].sort();
}
