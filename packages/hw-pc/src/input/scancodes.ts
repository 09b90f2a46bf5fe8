import { keyScancodes, type QKeyCode } from './qkeycode.js';

/** Prefix of the extended keys (the second Enter, the arrow block, the right Ctrl and Alt...). */
export const SCANCODE_EXTENDED = 0xe0;
/** Prefix of the Pause key's sequence. */
export const SCANCODE_PAUSE_PREFIX = 0xe1;
/** Set 2 and set 3: the next code is a key release. */
export const SCANCODE_BREAK_PREFIX = 0xf0;
/** Set 1: a key release is its make code with bit 7 set. */
export const SCANCODE_SET1_BREAK_BIT = 0x80;

/**
 * The i8042's set 2 -> set 1 translation (what command byte bit 6 switches
 * on): the fixed table of the IBM PC/AT keyboard controller, which turns AT
 * keyboard codes into the XT codes PC software expects. Indexed by the byte
 * from the keyboard; a release prefix F0 is folded into bit 7 of the next
 * translated code by the controller.
 */
export const I8042_TRANSLATION = buildTranslationTable();

function buildTranslationTable(): Uint8Array {
  // biome-ignore format: the table reads best as 16 rows of 8
  const low = [
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58,
    0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a,
    0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c,
    0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e,
    0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60,
    0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e,
    0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b,
    0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45,
    0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
  ];
  const table = new Uint8Array(256);
  table.set(low);
  // Codes from 0x80 up pass through, except F7 (0x83) and SysRq (0x84), the two keys above 0x7f.
  for (let code = 0x80; code < 0x100; code++) table[code] = code;
  table[0x83] = 0x41;
  table[0x84] = 0x54;
  return table;
}

/** Which modifiers are held: they change what Pause and PrintScreen send. */
export interface HeldModifiers {
  shift: boolean;
  ctrl: boolean;
  alt: boolean;
}

/**
 * The bytes a keyboard in scancode set `set` (1 or 2) sends when `key` is
 * pressed (`down`) or released. Pause sends its whole sequence on press and
 * nothing on release; PrintScreen sends a fake Shift around its code unless a
 * modifier is held, and is SysRq (0x54) under Alt.
 */
export function keySequence(
  key: QKeyCode,
  down: boolean,
  set: 1 | 2,
  held: HeldModifiers,
): number[] {
  if (key === 'pause') return pauseSequence(down, set, held);
  if (key === 'print') return printSequence(down, set, held);
  const code = keyScancodes(key)[set - 1];
  const low = code & 0xff;
  const bytes = code > 0xff ? [SCANCODE_EXTENDED] : [];
  if (set === 1) bytes.push(down ? low : low | SCANCODE_SET1_BREAK_BIT);
  else if (down) bytes.push(low);
  else bytes.push(SCANCODE_BREAK_PREFIX, low);
  return bytes;
}

function pauseSequence(down: boolean, set: 1 | 2, held: HeldModifiers): number[] {
  if (!down) return [];
  if (held.ctrl) {
    // Ctrl+Pause is Break: an extended ScrollLock press and release.
    return set === 1 ? [0xe0, 0x46, 0xe0, 0xc6] : [0xe0, 0x7e, 0xe0, 0xf0, 0x7e];
  }
  return set === 1
    ? [0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]
    : [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77];
}

function printSequence(down: boolean, set: 1 | 2, held: HeldModifiers): number[] {
  if (held.alt) {
    // Alt+PrintScreen is SysRq.
    if (set === 1) return [down ? 0x54 : 0xd4];
    return down ? [0x84] : [0xf0, 0x84];
  }
  const plain = !held.shift && !held.ctrl;
  if (set === 1) {
    if (down) return plain ? [0xe0, 0x2a, 0xe0, 0x37] : [0xe0, 0x37];
    return plain ? [0xe0, 0xb7, 0xe0, 0xaa] : [0xe0, 0xb7];
  }
  if (down) return plain ? [0xe0, 0x12, 0xe0, 0x7c] : [0xe0, 0x7c];
  return plain ? [0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12] : [0xe0, 0xf0, 0x7c];
}
