import { describe, expect, it } from 'vitest';
import { ManualTime } from '../testing/manual-time.js';
import { PS2Keyboard } from './ps2-keyboard.js';

/** Everything the keyboard has queued, as hex. */
function drain(kbd: PS2Keyboard): string {
  const bytes: number[] = [];
  while (kbd.hasData) bytes.push(kbd.read());
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

describe('PS/2 keyboard commands', () => {
  it('answers reset with ACK and the self-test result 0xAA', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xff);
    expect(drain(kbd)).toBe('fa aa');
  });

  it('echoes 0xEE without an ACK', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xee);
    expect(drain(kbd)).toBe('ee');
  });

  it('identifies as an MF2 keyboard', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xf2);
    expect(drain(kbd)).toBe('fa ab 83');
  });

  it('sets the LEDs and tells the display', () => {
    const shown: number[] = [];
    const kbd = new PS2Keyboard({ onLeds: (leds) => shown.push(leds) });
    kbd.write(0xed);
    kbd.write(0x06);
    expect(drain(kbd)).toBe('fa fa');
    expect(kbd.leds).toBe(0x06);
    expect(shown).toEqual([0x06]);
  });

  it('reports and switches the scancode set', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xf0);
    kbd.write(0x00);
    expect(drain(kbd)).toBe('fa fa 02');
    kbd.write(0xf0);
    kbd.write(0x01);
    expect(drain(kbd)).toBe('fa fa');
    kbd.keyDown('a');
    expect(drain(kbd)).toBe('1e');
  });

  it('refuses scancode set 3 and stays in set 2', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xf0);
    kbd.write(0x03);
    expect(drain(kbd)).toBe('fa fe');
    expect(kbd.currentScancodeSet).toBe(2);
  });

  it('stops reporting keys after 0xF5 and starts again after 0xF4', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xf5);
    kbd.keyDown('a');
    expect(drain(kbd)).toBe('fa');
    kbd.write(0xf4);
    kbd.keyUp('a');
    expect(drain(kbd)).toBe('fa f0 1c');
  });

  it('answers an unknown command with Resend, and Resend repeats the last byte', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0x42);
    expect(drain(kbd)).toBe('fe');
    kbd.write(0xf2);
    drain(kbd);
    kbd.write(0xfe);
    expect(drain(kbd)).toBe('83');
  });

  it('takes a command byte sent in place of a parameter as a new command', () => {
    const kbd = new PS2Keyboard();
    kbd.write(0xed);
    kbd.write(0xf2);
    expect(drain(kbd)).toBe('fa fa ab 83');
  });
});

describe('PS/2 keyboard keys', () => {
  it('sends modifiers and keys in the order pressed (Shift+A in set 2)', () => {
    const kbd = new PS2Keyboard();
    kbd.keyDown('shift');
    kbd.keyDown('a');
    kbd.keyUp('a');
    kbd.keyUp('shift');
    expect(drain(kbd)).toBe('12 1c f0 1c f0 12');
  });

  it('drops a key whose sequence does not fit the 16-byte buffer, never half of it', () => {
    const kbd = new PS2Keyboard();
    for (let i = 0; i < 5; i++) kbd.keyDown('up'); // 5 x E0 75 = 10 bytes
    kbd.keyDown('pause'); // 8 bytes: does not fit
    kbd.keyDown('esc');
    expect(drain(kbd)).toBe('e0 75 e0 75 e0 75 e0 75 e0 75 76');
  });

  it('rejects a key name it does not know (a host mistake)', () => {
    const kbd = new PS2Keyboard();
    expect(() => kbd.keyDown('nonsense' as never)).toThrow("PS/2 keyboard: unknown key 'nonsense'");
  });

  it('repeats a held key at the typematic rate when given a clock', () => {
    const time = new ManualTime();
    const kbd = new PS2Keyboard({ typematicTime: time });
    kbd.keyDown('a');
    time.advance(499_000_000);
    expect(drain(kbd)).toBe('1c');
    time.advance(1_000_000);
    expect(drain(kbd)).toBe('1c');
    // Default rate 0x2B: (8 + 3) * 2^1 * 4.17 ms = 91.74 ms per repeat.
    time.advance(91_740_000 * 3);
    expect(drain(kbd)).toBe('1c 1c 1c');
    kbd.keyUp('a');
    time.advance(1_000_000_000);
    expect(drain(kbd)).toBe('f0 1c');
  });

  it('follows the typematic rate the guest sets', () => {
    const time = new ManualTime();
    const kbd = new PS2Keyboard({ typematicTime: time });
    kbd.write(0xf3);
    kbd.write(0x00); // 250 ms delay, 30 per second
    drain(kbd);
    kbd.keyDown('b');
    time.advance(250_000_000 + 33_360_000);
    expect(drain(kbd)).toBe('32 32 32');
  });
});
