import { describe, expect, it } from 'vitest';
import { DisplayConsole } from '../console.js';
import { ManualClock } from '../testing/manual-clock.js';
import { CursesDisplay } from './curses-display.js';
import { NoneDisplay } from './none-display.js';

/** A text-mode device: writes `lines` into the console's grid when asked. */
function textDevice(console: DisplayConsole, lines: string[]) {
  const device = {
    lines,
    textUpdates: 0,
    update() {
      device.textUpdates++;
      console.textResize(lines[0].length, lines.length);
      lines.forEach((line, y) => {
        [...line].forEach((ch, x) => {
          console.textGrid.setCell(x, y, ch.charCodeAt(0), 0x07);
        });
      });
      console.textCursor(0, lines.length - 1);
    },
  };
  console.setHardware({ textUpdate: () => device.update() });
  return device;
}

describe('CursesDisplay', () => {
  it('shows the text screen on refresh ticks and writes only changes', () => {
    const console = new DisplayConsole();
    const device = textDevice(console, ['ab', 'cd']);
    const out: string[] = [];
    const clock = new ManualClock();
    const display = new CursesDisplay({ output: { write: (s) => out.push(s) }, clock });
    display.attach(console);
    expect(out.join('')).toContain('\x1b[?1049h'); // the alternate screen
    out.length = 0;
    clock.advanceMs(30);
    expect(device.textUpdates).toBe(1);
    expect(out.join('')).toContain('ab');
    expect(out.join('')).toContain('cd');
    out.length = 0;
    clock.advanceMs(30);
    expect(out).toEqual([]); // nothing changed: nothing written
    device.lines[0] = 'aZ';
    clock.advanceMs(30);
    expect(out.join('')).toBe('\x1b[1;2H\x1b[0;37;40mZ\x1b[0m\x1b[2;1H\x1b[?25h');
    display.close();
    expect(out.join('')).toContain('\x1b[?1049l');
    expect(console.listenerCount).toBe(0);
    out.length = 0;
    clock.advanceMs(100);
    expect(out).toEqual([]);
  });

  it('sends terminal keys to the keyboard by QKeyCode name', () => {
    const pressed: string[] = [];
    const display = new CursesDisplay({
      output: { write: () => {} },
      keys: { keyDown: (k) => pressed.push(`+${k}`), keyUp: (k) => pressed.push(`-${k}`) },
    });
    display.input('L\x1b[1;5C');
    expect(pressed.join(' ')).toBe('+shift +l -l -shift +ctrl +right -right -ctrl');
    display.input('\x1b');
    expect(display.inputPending).toBe(true);
    display.flushInput();
    expect(pressed.slice(-2)).toEqual(['+esc', '-esc']);
  });
});

describe('NoneDisplay', () => {
  it('registers nothing, so refresh ticks draw nothing', () => {
    const console = new DisplayConsole();
    let updates = 0;
    console.setHardware({ gfxUpdate: () => updates++, textUpdate: () => updates++ });
    const display = new NoneDisplay();
    display.attach(console);
    console.refresh();
    expect(updates).toBe(0);
    expect(display.attached).toBe(console);
    display.close();
    expect(display.attached).toBeUndefined();
  });
});
