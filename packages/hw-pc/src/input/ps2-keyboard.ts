import { type DeviceTime, type DeviceTimer, type LogSink, SILENT_LOG } from '../device-env.js';
import { PS2_ACK, PS2_BAT_OK, PS2_RESEND, Ps2Device, type Ps2OutputState } from './ps2-device.js';
import { isQKeyCode, type QKeyCode } from './qkeycode.js';
import { type HeldModifiers, keySequence } from './scancodes.js';

/** Keyboard command: set the LEDs from the next byte (bit 0 Scroll, 1 Num, 2 Caps Lock). */
export const KBD_CMD_SET_LEDS = 0xed;
/** Keyboard command: echo 0xEE back (a "are you there"). */
export const KBD_CMD_ECHO = 0xee;
/** Keyboard command: get (next byte 0) or select (1-3) the scancode set. */
export const KBD_CMD_SCANCODE = 0xf0;
/** Keyboard command: identify: ACK, then 0xAB 0x83 for an MF2 keyboard. */
export const KBD_CMD_GET_ID = 0xf2;
/** Keyboard command: set the typematic delay and rate from the next byte. */
export const KBD_CMD_SET_RATE = 0xf3;
/** Keyboard command: start scanning keys. */
export const KBD_CMD_ENABLE = 0xf4;
/** Keyboard command: restore defaults and stop scanning. */
export const KBD_CMD_RESET_DISABLE = 0xf5;
/** Keyboard command: restore defaults and scan. */
export const KBD_CMD_RESET_ENABLE = 0xf6;
/** Keyboard command: resend the last byte. */
export const KBD_CMD_RESEND = 0xfe;
/** Keyboard command: reset, self-test, answer 0xAA. */
export const KBD_CMD_RESET = 0xff;
/** Set-3-only commands (per-key make/break/typematic): acknowledged and ignored. */
export const KBD_CMD_SET3_FIRST = 0xf7;
export const KBD_CMD_SET3_LAST = 0xfd;

/** First byte of the identify reply: an MF2 keyboard. */
export const KBD_ID_MF2 = 0xab;
/** Second byte of the identify reply (the controller's translation turns it into 0x41). */
export const KBD_ID_MF2_SECOND = 0x83;

/** LED bits of the Set LEDs parameter. */
export const KBD_LED_SCROLL_LOCK = 0x01;
export const KBD_LED_NUM_LOCK = 0x02;
export const KBD_LED_CAPS_LOCK = 0x04;

/** Typematic default: 500 ms delay, 10.9 characters per second. */
export const KBD_DEFAULT_TYPEMATIC = 0x2b;

export interface PS2KeyboardEnv {
  /** `-d guest_errors`. */
  log?: LogSink;
  /** Called when the guest sets the LEDs (a display shows them). */
  onLeds?: (leds: number) => void;
  /**
   * With a clock, a held key repeats at the guest's typematic rate, as a real
   * keyboard does. Leave it out when the host already repeats keys (most UIs
   * send repeated key-downs), so keys do not repeat twice.
   */
  typematicTime?: DeviceTime;
}

/** A keyboard's state as plain data. */
export interface PS2KeyboardState extends Ps2OutputState {
  scanning: boolean;
  scancodeSet: 1 | 2;
  leds: number;
  typematic: number;
  /** A command waiting for its parameter byte, or 0. */
  pendingCommand: number;
  /** Keys held down, in the order pressed. */
  pressed: string[];
  /** When the held key next repeats (virtual ns), or null. */
  repeatAtNs: number | null;
}

/**
 * A PS/2 (MF2) keyboard (QEMU's ps2.c keyboard half). The host presses keys
 * with `keyDown`/`keyUp` by QKeyCode name; the keyboard sends their make and
 * break codes in the scancode set the guest chose (set 2 by default, which the
 * i8042 translates to set 1 when asked), and answers the commands a driver
 * sends through the controller.
 *
 * ```ts
 * const kbd = new PS2Keyboard();
 * kbd.keyDown('shift'); kbd.keyDown('a'); kbd.keyUp('a'); kbd.keyUp('shift');
 * // set 2 bytes queued: 12 1C F0 1C F0 12
 * ```
 */
export class PS2Keyboard extends Ps2Device {
  private scanning = true;
  private scancodeSet: 1 | 2 = 2;
  private ledState = 0;
  private typematic = KBD_DEFAULT_TYPEMATIC;
  private pendingCommand = 0;
  private readonly pressed: QKeyCode[] = [];
  private repeatAtNs: number | null = null;
  private readonly log: LogSink;
  private readonly onLeds: (leds: number) => void;
  private readonly typematicTime: DeviceTime | undefined;
  private readonly repeatTimer: DeviceTimer | undefined;

  constructor(env: PS2KeyboardEnv = {}) {
    super();
    this.log = env.log ?? SILENT_LOG;
    this.onLeds = env.onLeds ?? (() => {});
    this.typematicTime = env.typematicTime;
    this.repeatTimer = env.typematicTime?.newTimer(() => this.repeat());
  }

  /** The LEDs the guest set (bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock). */
  get leds(): number {
    return this.ledState;
  }

  /** The scancode set in use (1 or 2). */
  get currentScancodeSet(): 1 | 2 {
    return this.scancodeSet;
  }

  /** Whether the keyboard reports keys (the guest can stop it with 0xF5). */
  get isScanning(): boolean {
    return this.scanning;
  }

  /** Power-on state (QEMU's ps2_kbd_reset): scanning in set 2, LEDs off, nothing queued. */
  reset(): void {
    this.clearOutput();
    this.setDefaults();
    this.scanning = true;
    this.pendingCommand = 0;
    this.pressed.length = 0;
    this.setLeds(0);
  }

  /** The host presses `key`. Pressing a key already down repeats it, as a host's auto-repeat does. */
  keyDown(key: QKeyCode): void {
    this.checkKey(key);
    if (!this.pressed.includes(key)) this.pressed.push(key);
    if (!this.scanning) return;
    this.queueInput(keySequence(key, true, this.scancodeSet, this.heldModifiers()));
    if (key !== 'pause') this.startRepeat();
  }

  /** The host releases `key`. */
  keyUp(key: QKeyCode): void {
    this.checkKey(key);
    const index = this.pressed.indexOf(key);
    if (index >= 0) this.pressed.splice(index, 1);
    if (index === this.pressed.length) this.stopRepeat();
    if (!this.scanning) return;
    this.queueInput(keySequence(key, false, this.scancodeSet, this.heldModifiers()));
  }

  /** A byte from the host through the controller's data port. */
  write(byte: number): void {
    const value = byte & 0xff;
    const command = this.pendingCommand;
    if (command !== 0) {
      this.pendingCommand = 0;
      // A command byte where a parameter was expected cancels the old command (real keyboards do).
      if (value >= KBD_CMD_SET_LEDS) {
        this.guestError(`command 0x${hex(value)} instead of the parameter of 0x${hex(command)}`);
      } else {
        this.writeParameter(command, value);
        return;
      }
    }
    this.writeCommand(value);
  }

  state(): PS2KeyboardState {
    return {
      ...this.outputState(),
      scanning: this.scanning,
      scancodeSet: this.scancodeSet,
      leds: this.ledState,
      typematic: this.typematic,
      pendingCommand: this.pendingCommand,
      pressed: [...this.pressed],
      repeatAtNs: this.repeatAtNs,
    };
  }

  /** Restore a snapshot. @throws RangeError for an impossible state. */
  loadState(state: PS2KeyboardState): void {
    if (state.scancodeSet !== 1 && state.scancodeSet !== 2) {
      throw new RangeError(`keyboard state: scancode set must be 1 or 2, not ${state.scancodeSet}`);
    }
    for (const key of state.pressed) {
      if (!isQKeyCode(key)) throw new RangeError(`keyboard state: unknown key '${key}'`);
    }
    this.loadOutputState(state, 'keyboard');
    this.scanning = state.scanning;
    this.scancodeSet = state.scancodeSet;
    this.typematic = state.typematic & 0x7f;
    this.pendingCommand = state.pendingCommand & 0xff;
    this.pressed.length = 0;
    this.pressed.push(...(state.pressed as QKeyCode[]));
    this.setLeds(state.leds & 0x07);
    this.stopRepeat();
    if (state.repeatAtNs !== null && this.repeatTimer) {
      this.repeatAtNs = state.repeatAtNs;
      this.repeatTimer.mod(state.repeatAtNs);
    }
  }

  private writeCommand(command: number): void {
    switch (command) {
      case KBD_CMD_SET_LEDS:
      case KBD_CMD_SCANCODE:
      case KBD_CMD_SET_RATE:
        this.pendingCommand = command;
        this.reply(PS2_ACK);
        break;
      case KBD_CMD_ECHO:
        this.reply(KBD_CMD_ECHO);
        break;
      case KBD_CMD_GET_ID:
        this.reply(PS2_ACK, KBD_ID_MF2, KBD_ID_MF2_SECOND);
        break;
      case KBD_CMD_ENABLE:
        this.scanning = true;
        this.reply(PS2_ACK);
        break;
      case KBD_CMD_RESET_DISABLE:
      case KBD_CMD_RESET_ENABLE:
        this.clearOutput();
        this.setDefaults();
        this.scanning = command === KBD_CMD_RESET_ENABLE;
        this.reply(PS2_ACK);
        break;
      case KBD_CMD_RESEND:
        this.resendLast();
        break;
      case KBD_CMD_RESET:
        this.clearOutput();
        this.setDefaults();
        this.scanning = true;
        this.setLeds(0);
        this.reply(PS2_ACK, PS2_BAT_OK);
        break;
      default:
        if (command >= KBD_CMD_SET3_FIRST && command <= KBD_CMD_SET3_LAST) {
          this.reply(PS2_ACK);
        } else {
          this.guestError(`unknown command 0x${hex(command)}`);
          this.reply(PS2_RESEND);
        }
    }
  }

  private writeParameter(command: number, value: number): void {
    switch (command) {
      case KBD_CMD_SET_LEDS:
        this.setLeds(value & 0x07);
        this.reply(PS2_ACK);
        break;
      case KBD_CMD_SET_RATE:
        this.typematic = value & 0x7f;
        this.reply(PS2_ACK);
        break;
      case KBD_CMD_SCANCODE:
        if (value === 0) {
          this.reply(PS2_ACK, this.scancodeSet);
        } else if (value === 1 || value === 2) {
          this.scancodeSet = value;
          this.reply(PS2_ACK);
        } else {
          // Set 3 is not offered; the guest then stays with set 2 (Linux's default anyway).
          this.guestError(`scancode set ${value} not supported`);
          this.reply(PS2_RESEND);
        }
        break;
    }
  }

  /** Set defaults (0xF5/0xF6/0xFF): set 2, default typematic, no key repeating. */
  private setDefaults(): void {
    this.scancodeSet = 2;
    this.typematic = KBD_DEFAULT_TYPEMATIC;
    this.stopRepeat();
  }

  private setLeds(leds: number): void {
    const changed = leds !== this.ledState;
    this.ledState = leds;
    if (changed) this.onLeds(leds);
  }

  private heldModifiers(): HeldModifiers {
    const held = { shift: false, ctrl: false, alt: false };
    for (const key of this.pressed) {
      if (key === 'shift' || key === 'shift_r') held.shift = true;
      else if (key === 'ctrl' || key === 'ctrl_r') held.ctrl = true;
      else if (key === 'alt' || key === 'alt_r') held.alt = true;
    }
    return held;
  }

  // --- Typematic repeat ---------------------------------------------------

  /** Delay before the first repeat: 250, 500, 750 or 1000 ms (bits 5-6). */
  private repeatDelayNs(): number {
    return (((this.typematic >> 5) & 3) + 1) * 250e6;
  }

  /** Period between repeats: (8 + A) * 2^B * 4.17 ms, A = bits 0-2, B = bits 3-4 (30 to 2 per second). */
  private repeatPeriodNs(): number {
    return (8 + (this.typematic & 7)) * (1 << ((this.typematic >> 3) & 3)) * 4.17e6;
  }

  private startRepeat(): void {
    if (!this.repeatTimer || !this.typematicTime) return;
    this.repeatAtNs = this.typematicTime.now() + this.repeatDelayNs();
    this.repeatTimer.mod(this.repeatAtNs);
  }

  private stopRepeat(): void {
    this.repeatAtNs = null;
    this.repeatTimer?.del();
  }

  /** The last key pressed is still down: send its make code again. */
  private repeat(): void {
    this.repeatAtNs = null;
    const key = this.pressed.at(-1);
    if (!key || key === 'pause' || !this.scanning || !this.typematicTime || !this.repeatTimer)
      return;
    this.queueInput(keySequence(key, true, this.scancodeSet, this.heldModifiers()));
    this.repeatAtNs = this.typematicTime.now() + this.repeatPeriodNs();
    this.repeatTimer.mod(this.repeatAtNs);
  }

  private checkKey(key: string): void {
    if (!isQKeyCode(key)) throw new Error(`PS/2 keyboard: unknown key '${key}'`);
  }

  private guestError(message: string): void {
    if (this.log.enabled('guest_errors'))
      this.log.write('guest_errors', `ps2 keyboard: ${message}\n`);
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}
