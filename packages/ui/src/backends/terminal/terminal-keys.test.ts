import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type KeyEvent, TerminalKeyDecoder, terminalKeyNames } from './terminal-keys.js';

/** Key events as compact text: "+shift +a -a -shift". */
const keys = (events: KeyEvent[]) => events.map((e) => `${e.down ? '+' : '-'}${e.key}`).join(' ');
const decode = (input: string) => keys(new TerminalKeyDecoder().feed(input));

describe('TerminalKeyDecoder', () => {
  it('types letters, digits and punctuation with Shift where a US keyboard needs it', () => {
    expect(decode('a')).toBe('+a -a');
    expect(decode('A')).toBe('+shift +a -a -shift');
    expect(decode('7&')).toBe('+7 -7 +shift +7 -7 -shift');
    expect(decode(' -_')).toBe('+spc -spc +minus -minus +shift +minus -minus -shift');
    expect(decode('?/')).toBe('+shift +slash -slash -shift +slash -slash');
  });

  it('turns control characters into Enter, Tab, Backspace and Ctrl+letter', () => {
    expect(decode('\r')).toBe('+ret -ret');
    expect(decode('\t')).toBe('+tab -tab');
    expect(decode('\x7f')).toBe('+backspace -backspace');
    expect(decode('\x03')).toBe('+ctrl +c -c -ctrl');
    expect(decode('\x1a')).toBe('+ctrl +z -z -ctrl');
  });

  it('decodes cursor, editing and function keys (CSI, SS3, Linux console)', () => {
    expect(decode('\x1b[A\x1b[B\x1b[C\x1b[D')).toBe(
      '+up -up +down -down +right -right +left -left',
    );
    expect(decode('\x1bOA')).toBe('+up -up');
    expect(decode('\x1b[H\x1b[F\x1b[1~\x1b[4~')).toBe(
      '+home -home +end -end +home -home +end -end',
    );
    expect(decode('\x1b[2~\x1b[3~\x1b[5~\x1b[6~')).toBe(
      '+insert -insert +delete -delete +pgup -pgup +pgdn -pgdn',
    );
    expect(decode('\x1bOP\x1bOS\x1b[15~\x1b[24~')).toBe('+f1 -f1 +f4 -f4 +f5 -f5 +f12 -f12');
    expect(decode('\x1b[[A\x1b[[E')).toBe('+f1 -f1 +f5 -f5');
    expect(decode('\x1b[Z')).toBe('+shift +tab -tab -shift');
  });

  it('decodes xterm modifier parameters on special keys', () => {
    expect(decode('\x1b[1;5A')).toBe('+ctrl +up -up -ctrl');
    expect(decode('\x1b[1;2D')).toBe('+shift +left -left -shift');
    expect(decode('\x1b[3;3~')).toBe('+alt +delete -delete -alt');
    expect(decode('\x1b[1;6C')).toBe('+ctrl +shift +right -right -shift -ctrl');
    expect(decode('\x1b[15;5~')).toBe('+ctrl +f5 -f5 -ctrl');
  });

  it('reads ESC followed by a character as Alt', () => {
    expect(decode('\x1bx')).toBe('+alt +x -x -alt');
    expect(decode('\x1bX')).toBe('+alt +shift +x -x -shift -alt');
  });

  it('holds a lone ESC until more input or a flush, and splits sequences across reads', () => {
    const d = new TerminalKeyDecoder();
    expect(keys(d.feed('\x1b'))).toBe('');
    expect(d.hasPending).toBe(true);
    expect(keys(d.flush())).toBe('+esc -esc');
    expect(d.hasPending).toBe(false);
    expect(keys(d.feed('\x1b['))).toBe('');
    expect(keys(d.feed('1;5'))).toBe('');
    expect(keys(d.feed('B'))).toBe('+ctrl +down -down -ctrl');
    expect(keys(d.feed('\x1b\x1b'))).toBe('+esc -esc');
    expect(keys(d.flush())).toBe('+esc -esc');
  });

  it('ignores mouse reports, unknown sequences and non-ASCII characters', () => {
    expect(decode('\x1b[M !!a')).toBe('+a -a');
    expect(decode('\x1b[<0;10;20Mb')).toBe('+b -b');
    expect(decode('\x1b[99~c')).toBe('+c -c');
    expect(decode('é€d')).toBe('+d -d');
  });

  it('only names keys the i8042 keyboard knows (QKeyCode names)', () => {
    // The keyboard's table lives in @tsemu/hw-pc, which this package must not import:
    // read its source and check the names against it.
    const source = readFileSync(
      new URL('../../../../hw-pc/src/input/qkeycode.ts', import.meta.url),
      'utf8',
    );
    const table = source.slice(source.indexOf('const KEYS = {'), source.indexOf('} as const'));
    const known = new Set([...table.matchAll(/^\s+'?([a-z0-9_]+)'?: \[/gm)].map((m) => m[1]));
    expect(known.size).toBeGreaterThan(100);
    const unknown = terminalKeyNames().filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });
});
