import { describe, expect, it, vi } from 'vitest';
import type { CharEvent, CharHandlers } from './char-backend.js';
import type { Chardev } from './chardev.js';
import { MemoryChardev } from './memory.js';
import { CharMux, MUX_INPUT_HOLD } from './mux.js';

const CTRL_A = '\x01';

/** A frontend that records input and events; `room` limits what it takes. */
function recorder(chardev: Chardev, room = Number.POSITIVE_INFINITY) {
  const state = { input: '', events: [] as CharEvent[], room };
  const handlers: CharHandlers = {
    canReceive: () => state.room,
    receive: (data) => {
      state.input += Buffer.from(data).toString('latin1');
      state.room -= data.length;
    },
    event: (event) => state.events.push(event),
  };
  chardev.setHandlers(handlers);
  return state;
}

/** A terminal, a mux on it, and two frontends: the monitor registers first, the serial port last (as QEMU does). */
function setup(options: ConstructorParameters<typeof CharMux>[1] = {}) {
  const terminal = new MemoryChardev('term');
  const mux = new CharMux(terminal, options);
  const monitorChardev = mux.addFrontend();
  const serialChardev = mux.addFrontend();
  const monitor = recorder(monitorChardev);
  const serial = recorder(serialChardev);
  return { terminal, mux, monitor, serial, monitorChardev, serialChardev };
}

describe('CharMux', () => {
  it('gives the focus to the frontend that registered last', () => {
    const { mux, serial, monitor } = setup();
    expect(mux.focusIndex).toBe(1);
    expect(serial.events).toContain('mux-in');
    expect(monitor.events).toContain('mux-out');
  });

  it('sends typed input to the focused frontend only', () => {
    const { terminal, serial, monitor } = setup();
    terminal.type('ls\r');
    expect(serial.input).toBe('ls\r');
    expect(monitor.input).toBe('');
  });

  it('switches between serial console and monitor on Ctrl-A c', () => {
    const { terminal, serial, monitor } = setup();
    terminal.type(`a${CTRL_A}cinfo status\r${CTRL_A}cb`);
    expect(serial.input).toBe('ab');
    expect(monitor.input).toBe('info status\r');
    expect(monitor.events.slice(-2)).toEqual(['mux-in', 'mux-out']);
  });

  it('sends a single Ctrl-A on Ctrl-A Ctrl-A', () => {
    const { terminal, serial } = setup();
    terminal.type(`${CTRL_A}${CTRL_A}x`);
    expect(serial.input).toBe(`${CTRL_A}x`);
  });

  it('handles an escape split across two reads', () => {
    const onQuit = vi.fn();
    const { terminal, serial } = setup({ onQuit });
    terminal.type(`abc${CTRL_A}`);
    terminal.type('x');
    expect(serial.input).toBe('abc');
    expect(onQuit).toHaveBeenCalledOnce();
  });

  it('prints "Terminated" and asks to quit on Ctrl-A x', () => {
    const onQuit = vi.fn();
    const { terminal } = setup({ onQuit });
    terminal.type(`${CTRL_A}x`);
    expect(terminal.takeText()).toBe('tsemu: Terminated\r\n');
    expect(onQuit).toHaveBeenCalledOnce();
  });

  it('prints the escape help on Ctrl-A h', () => {
    const { terminal, serial } = setup();
    terminal.type(`${CTRL_A}h`);
    const help = terminal.takeText();
    expect(help).toContain('C-a h    print this help\r\n');
    expect(help).toContain('C-a x    exit emulator\r\n');
    expect(help).toContain('C-a c    switch between console and monitor\r\n');
    expect(help).toContain('C-a C-a  sends C-a\r\n');
    expect(help).not.toContain('C-a s');
    expect(serial.input).toBe('');
  });

  it('sends a break to the focused frontend on Ctrl-A b', () => {
    const { terminal, serial, monitor } = setup();
    terminal.type(`${CTRL_A}b`);
    expect(serial.events.at(-1)).toBe('break');
    expect(monitor.events).not.toContain('break');
  });

  it('ignores unknown escape commands', () => {
    const { terminal, serial } = setup();
    terminal.type(`${CTRL_A}zok`);
    expect(serial.input).toBe('ok');
    expect(terminal.takeText()).toBe('');
  });

  it('writes every frontend output to the backend in order', () => {
    const { terminal, serialChardev, monitorChardev } = setup();
    serialChardev.write(Buffer.from('login: '));
    monitorChardev.write(Buffer.from('(tsemu) '));
    expect(terminal.takeText()).toBe('login: (tsemu) ');
  });

  it('stamps each output line with the elapsed time after Ctrl-A t', () => {
    let now = 10_000;
    const { terminal, serialChardev } = setup({ now: () => now });
    terminal.type(`${CTRL_A}t`);
    serialChardev.write(Buffer.from('first\n'));
    now += 61_234;
    serialChardev.write(Buffer.from('second\n'));
    expect(terminal.takeText()).toBe('first\n[00:00:00.000] second\n');
  });

  it('holds input for a full frontend and back-pressures the terminal past the hold', () => {
    const terminal = new MemoryChardev('term');
    const mux = new CharMux(terminal);
    const serialChardev = mux.addFrontend();
    const serial = recorder(serialChardev, 0);
    const burst = 'k'.repeat(MUX_INPUT_HOLD + 100);
    terminal.type(burst);
    expect(serial.input).toBe('');
    expect(terminal.pendingInput).toBe(100);
    serial.room = Number.POSITIVE_INFINITY;
    serialChardev.acceptInput();
    expect(serial.input).toBe(burst);
    expect(terminal.pendingInput).toBe(0);
  });

  it('still quits on Ctrl-A x while the focused frontend takes nothing', () => {
    const onQuit = vi.fn();
    const terminal = new MemoryChardev('term');
    const mux = new CharMux(terminal, { onQuit });
    recorder(mux.addFrontend(), 0);
    terminal.type(`stuck${CTRL_A}x`);
    expect(onQuit).toHaveBeenCalledOnce();
  });

  it('tells every frontend when the backend connects and disconnects', () => {
    const terminal = new MemoryChardev('term', false);
    const mux = new CharMux(terminal);
    const a = recorder(mux.addFrontend());
    const b = recorder(mux.addFrontend());
    terminal.signal('opened');
    terminal.signal('closed');
    expect(a.events.filter((e) => e === 'opened' || e === 'closed')).toEqual(['opened', 'closed']);
    expect(b.events.filter((e) => e === 'opened' || e === 'closed')).toEqual(['opened', 'closed']);
  });
});
