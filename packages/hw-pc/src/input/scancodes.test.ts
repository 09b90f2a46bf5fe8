import { describe, expect, it } from 'vitest';
import { keyScancodes, QKEYCODES } from './qkeycode.js';
import { I8042_TRANSLATION, keySequence } from './scancodes.js';

const none = { shift: false, ctrl: false, alt: false };
const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('scancode tables', () => {
  it('has, for every key, a set 2 code the i8042 translates to its set 1 code', () => {
    for (const key of QKEYCODES) {
      const [set1, set2] = keyScancodes(key);
      expect([key, I8042_TRANSLATION[set2 & 0xff]]).toEqual([key, set1 & 0xff]);
      expect([key, set1 >> 8]).toEqual([key, set2 >> 8]);
    }
  });

  it('passes replies such as ACK, BAT and echo through the translation unchanged', () => {
    for (const reply of [0xfa, 0xaa, 0xee, 0xfe, 0xe0, 0xe1, 0xab])
      expect(I8042_TRANSLATION[reply]).toBe(reply);
    // ...but the identify reply's second byte becomes 0x41, which Linux expects from a translating controller.
    expect(I8042_TRANSLATION[0x83]).toBe(0x41);
  });
});

describe('key sequences', () => {
  it('sends make and break codes for a plain key in sets 1 and 2', () => {
    expect(hex(keySequence('a', true, 2, none))).toBe('1c');
    expect(hex(keySequence('a', false, 2, none))).toBe('f0 1c');
    expect(hex(keySequence('a', true, 1, none))).toBe('1e');
    expect(hex(keySequence('a', false, 1, none))).toBe('9e');
  });

  it('prefixes the extended keys with E0', () => {
    expect(hex(keySequence('up', true, 2, none))).toBe('e0 75');
    expect(hex(keySequence('up', false, 2, none))).toBe('e0 f0 75');
    expect(hex(keySequence('kp_enter', true, 1, none))).toBe('e0 1c');
    expect(hex(keySequence('ctrl_r', false, 1, none))).toBe('e0 9d');
  });

  it('sends the whole Pause sequence on press and nothing on release', () => {
    expect(hex(keySequence('pause', true, 2, none))).toBe('e1 14 77 e1 f0 14 f0 77');
    expect(hex(keySequence('pause', true, 1, none))).toBe('e1 1d 45 e1 9d c5');
    expect(keySequence('pause', false, 2, none)).toEqual([]);
  });

  it('sends Break for Ctrl+Pause', () => {
    const ctrl = { ...none, ctrl: true };
    expect(hex(keySequence('pause', true, 2, ctrl))).toBe('e0 7e e0 f0 7e');
    expect(hex(keySequence('pause', true, 1, ctrl))).toBe('e0 46 e0 c6');
  });

  it('wraps PrintScreen in a fake shift unless a modifier is held, and sends SysRq under Alt', () => {
    expect(hex(keySequence('print', true, 2, none))).toBe('e0 12 e0 7c');
    expect(hex(keySequence('print', false, 2, none))).toBe('e0 f0 7c e0 f0 12');
    expect(hex(keySequence('print', true, 1, none))).toBe('e0 2a e0 37');
    expect(hex(keySequence('print', false, 1, none))).toBe('e0 b7 e0 aa');
    expect(hex(keySequence('print', true, 2, { ...none, shift: true }))).toBe('e0 7c');
    expect(hex(keySequence('print', true, 1, { ...none, alt: true }))).toBe('54');
    expect(hex(keySequence('print', false, 2, { ...none, alt: true }))).toBe('f0 84');
  });
});
