import { describe, expect, it } from 'vitest';
import { monitorOnTerminal } from '../test/fake-machine.js';
import { READLINE_MAX_HISTORY, READLINE_MAX_LINE, ReadLine } from './readline.js';

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const CLEAR_TO_END = '\x1b[K';
const UP = '\x1b[A';
const DOWN = '\x1b[B';

describe('line editing at the (qemu) prompt', () => {
  it('backspace (DEL or Ctrl-H) deletes the last character', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('infx\x7fo status\r')).toBe(
      `infx${LEFT}${CLEAR_TO_END}o status\r\nVM status: paused (prelaunch)\r\n(qemu) `,
    );
    expect(type('stoq\bp\r')).toBe(`stoq${LEFT}${CLEAR_TO_END}p\r\n(qemu) `);
  });

  it('inserts in the middle of the line, redrawing it as QEMU does', async () => {
    const { type } = await monitorOnTerminal();
    // "info stats", cursor left once, insert "u": QEMU goes back to the start of the
    // line, reprints it, clears the rest, and puts the cursor after the insertion.
    expect(type(`info stats${LEFT}u`)).toBe(
      `info stats${LEFT}${LEFT.repeat(9)}info status${CLEAR_TO_END}${LEFT}`,
    );
    expect(type('\r')).toBe('\r\nVM status: paused (prelaunch)\r\n(qemu) ');
  });

  it('moves with Home/End, Ctrl-A/Ctrl-E and deletes with Ctrl-D and Ctrl-W', async () => {
    const { type } = await monitorOnTerminal();
    // Ctrl-A, insert the missing "i", Ctrl-E.
    expect(type(`nfo status\x01i\x05\r`)).toContain('\r\nVM status: paused (prelaunch)\r\n');
    // Ctrl-W deletes the word before the cursor, then the space and the word before that.
    expect(type('p 1 22\x17\r')).toBe(`p 1 22${LEFT.repeat(2)}${CLEAR_TO_END}\r\n0x1\r\n(qemu) `);
    expect(type('p 4 5 66\x17\x17\r')).toContain('\r\n0x4\r\n');
    expect(type(`Xp 1\x1b[1~\x1b[3~\x1b[4~\r`)).toContain('\r\n0x1\r\n');
    expect(type(`Yp 2\x1bOH\x04\x1bOF\r`)).toContain('\r\n0x2\r\n');
    expect(type(`p 3${LEFT}${LEFT}${RIGHT}\r`)).toContain('\r\n0x3\r\n');
  });

  it('recalls earlier lines with up and down', async () => {
    const { type } = await monitorOnTerminal();
    type('p 1\r');
    type('p 2\r');
    expect(type(UP)).toBe('p 2');
    expect(type(UP)).toBe(`${LEFT.repeat(3)}p 1${CLEAR_TO_END}`);
    expect(type(UP)).toBe(''); // no older entry
    expect(type(DOWN)).toBe(`${LEFT.repeat(3)}p 2${CLEAR_TO_END}`);
    expect(type(DOWN)).toBe(`${LEFT.repeat(3)}${CLEAR_TO_END}`);
    expect(type(`${UP}${UP}\r`)).toBe(`p 2${LEFT.repeat(3)}p 1${CLEAR_TO_END}\r\n0x1\r\n(qemu) `);
  });

  it('runs a line ended by CR LF once, and takes LF alone as a line end', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('p 7\r\n')).toBe('p 7\r\n0x7\r\n(qemu) ');
    expect(type('p 8\n')).toBe('p 8\r\n0x8\r\n(qemu) ');
    expect(type('p 9\r\r')).toBe('p 9\r\n0x9\r\n(qemu) \r\n(qemu) ');
  });

  it('runs several lines typed at once one after the other', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('p 1\rp 2\r')).toBe('p 1\r\n0x1\r\n(qemu) p 2\r\n0x2\r\n(qemu) ');
  });

  it('completes command names and info sub-commands with Tab', async () => {
    const { type, machine } = await monitorOnTerminal();
    expect(type('sys\t')).toBe('sys\r\nsystem_powerdown  system_reset      \r\n(qemu) system_');
    expect(type('r\t')).toBe('reset ');
    type('\x15'); // not an editing key: ignored
    expect(type('\r')).toBe('\r\n(qemu) ');
    expect(machine.system.requests.pending).toBe(true);
    expect(type('info st\t')).toBe('info status ');
    expect(type('\r')).toContain('VM status');
    expect(type('help x\t')).toBe('help x\r\nx         xp        \r\n(qemu) help x');
  });
});

describe('ReadLine limits', () => {
  it('keeps at most READLINE_MAX_LINE bytes in a line and READLINE_MAX_HISTORY lines', () => {
    const lines: string[] = [];
    const readline = new ReadLine({ write: () => {} });
    readline.start('> ', (line) => lines.push(Buffer.from(line).toString()));
    for (let i = 0; i < READLINE_MAX_LINE + 10; i++) readline.handleByte(0x61);
    readline.handleByte(0x0d);
    expect(lines[0].length).toBe(READLINE_MAX_LINE);
    for (let i = 0; i < READLINE_MAX_HISTORY + 5; i++) {
      for (const byte of Buffer.from(`p ${i}\r`)) readline.handleByte(byte);
    }
    const history = readline.history();
    expect(history.length).toBe(READLINE_MAX_HISTORY);
    expect(history.at(-1)).toBe(`p ${READLINE_MAX_HISTORY + 4}`);
  });

  it('moves a repeated line to the end of the history instead of keeping it twice', () => {
    const readline = new ReadLine({ write: () => {} });
    readline.start('> ', () => {});
    for (const line of ['a', 'b', 'a']) {
      for (const byte of Buffer.from(`${line}\r`)) readline.handleByte(byte);
    }
    expect(readline.history()).toEqual(['b', 'a']);
  });
});
