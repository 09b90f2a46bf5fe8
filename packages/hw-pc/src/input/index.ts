export { I8042, type I8042Env, type I8042State } from './i8042.js';
export { I8042_DEVICE, type I8042SavedState, IsaI8042 } from './i8042-qdev.js';
export * from './i8042-registers.js';
export {
  PS2_ACK,
  PS2_BAT_OK,
  PS2_QUEUE_SIZE,
  PS2_RESEND,
  Ps2Device,
  type Ps2OutputState,
  type Ps2Port,
} from './ps2-device.js';
export * from './ps2-keyboard.js';
export * from './ps2-mouse.js';
export { isQKeyCode, keyScancodes, QKEYCODES, type QKeyCode } from './qkeycode.js';
export { type HeldModifiers, I8042_TRANSLATION, keySequence } from './scancodes.js';
