import { type LogSink, SILENT_LOG } from '../device-env.js';
import { PS2_ACK, PS2_BAT_OK, PS2_RESEND, Ps2Device, type Ps2OutputState } from './ps2-device.js';

/** Mouse command: scaling 1:1. */
export const AUX_SET_SCALE11 = 0xe6;
/** Mouse command: scaling 2:1 (stream mode movement is magnified). */
export const AUX_SET_SCALE21 = 0xe7;
/** Mouse command: resolution from the next byte (0-3: 1, 2, 4, 8 counts/mm). */
export const AUX_SET_RES = 0xe8;
/** Mouse command: status request: ACK, then status, resolution and sample rate. */
export const AUX_GET_SCALE = 0xe9;
/** Mouse command: stream mode: packets are sent as the mouse moves. */
export const AUX_SET_STREAM = 0xea;
/** Mouse command: read data: ACK and one packet (remote mode polling). */
export const AUX_POLL = 0xeb;
/** Mouse command: leave wrap (echo) mode. */
export const AUX_RESET_WRAP = 0xec;
/** Mouse command: wrap mode: every byte is echoed back. */
export const AUX_SET_WRAP = 0xee;
/** Mouse command: remote mode: packets only on request. */
export const AUX_SET_REMOTE = 0xf0;
/** Mouse command: identify: ACK and the device id (0, or 3/4 after the IntelliMouse knock). */
export const AUX_GET_TYPE = 0xf2;
/** Mouse command: sample rate from the next byte. */
export const AUX_SET_SAMPLE = 0xf3;
/** Mouse command: enable data reporting. */
export const AUX_ENABLE_DEV = 0xf4;
/** Mouse command: disable data reporting. */
export const AUX_DISABLE_DEV = 0xf5;
/** Mouse command: restore defaults. */
export const AUX_SET_DEFAULT = 0xf6;
/** Mouse command: resend the last byte. */
export const AUX_RESEND = 0xfe;
/** Mouse command: reset: ACK, 0xAA, device id 0. */
export const AUX_RESET = 0xff;

/** Status byte: remote mode. */
export const MOUSE_STATUS_REMOTE = 0x40;
/** Status byte: data reporting enabled. */
export const MOUSE_STATUS_ENABLED = 0x20;
/** Status byte: scaling 2:1. */
export const MOUSE_STATUS_SCALE21 = 0x10;

/** Button bits of `mouseEvent` (and of packet byte 0 for the first three). */
export const MOUSE_BUTTON_LEFT = 0x01;
export const MOUSE_BUTTON_RIGHT = 0x02;
export const MOUSE_BUTTON_MIDDLE = 0x04;
export const MOUSE_BUTTON_SIDE = 0x08;
export const MOUSE_BUTTON_EXTRA = 0x10;

/** Device ids. */
export const MOUSE_TYPE_PS2 = 0;
export const MOUSE_TYPE_IMPS2 = 3;
export const MOUSE_TYPE_IMEX = 4;

/** Sample rates a PS/2 mouse accepts (reports per second). */
export const MOUSE_SAMPLE_RATES = [10, 20, 40, 60, 80, 100, 200] as const;

/** Packet byte 0: always one. */
const PACKET_ALWAYS_ONE = 0x08;
const PACKET_X_SIGN = 0x10;
const PACKET_Y_SIGN = 0x20;

export interface PS2MouseEnv {
  log?: LogSink;
}

/** A mouse's state as plain data. */
export interface PS2MouseState extends Ps2OutputState {
  status: number;
  resolution: number;
  sampleRate: number;
  wrap: boolean;
  type: number;
  /** Progress through the IntelliMouse sample-rate knocks (200,100,80 / 200,200,80). */
  detectState: number;
  pendingCommand: number;
  dx: number;
  dy: number;
  dz: number;
  buttons: number;
}

/**
 * A PS/2 mouse (QEMU's ps2.c mouse half), with the IntelliMouse wheel
 * (id 3) and five-button (id 4) extensions a driver switches on with the
 * sample-rate "knock". The host reports motion with `mouseEvent`; in stream
 * mode with reporting enabled, packets go out at once (large moves are split
 * into several packets), in remote mode they wait for the guest's Read Data.
 *
 * ```ts
 * const mouse = new PS2Mouse();
 * mouse.write(AUX_ENABLE_DEV);           // ACK
 * mouse.mouseEvent(5, -3, 0, MOUSE_BUTTON_LEFT); // packet 09 05 03
 * ```
 */
export class PS2Mouse extends Ps2Device {
  private status = 0;
  private resolution = 2;
  private sampleRate = 100;
  private wrap = false;
  private type = MOUSE_TYPE_PS2;
  private detectState = 0;
  private pendingCommand = 0;
  private dx = 0;
  private dy = 0;
  private dz = 0;
  private buttons = 0;
  private readonly log: LogSink;

  constructor(env: PS2MouseEnv = {}) {
    super();
    this.log = env.log ?? SILENT_LOG;
  }

  /** The device id the guest sees (0 PS/2, 3 IntelliMouse, 4 IntelliMouse Explorer). */
  get deviceType(): number {
    return this.type;
  }

  /** Whether the guest enabled data reporting. */
  get reporting(): boolean {
    return (this.status & MOUSE_STATUS_ENABLED) !== 0;
  }

  /** Power-on state (QEMU's ps2_mouse_reset). */
  reset(): void {
    this.clearOutput();
    this.setDefaults();
    this.wrap = false;
    this.type = MOUSE_TYPE_PS2;
    this.detectState = 0;
    this.pendingCommand = 0;
    this.buttons = 0;
  }

  /**
   * The host moved the mouse by (`dx`, `dy`) (screen directions: +y is down),
   * turned the wheel by `dz` (+ is towards the user), and holds `buttons`
   * (MOUSE_BUTTON_* bits). Ignored while reporting is disabled, as on QEMU.
   */
  mouseEvent(dx: number, dy: number, dz: number, buttons: number): void {
    if (!(this.status & MOUSE_STATUS_ENABLED)) return;
    this.dx = clampTotal(this.dx + Math.trunc(dx));
    this.dy = clampTotal(this.dy - Math.trunc(dy));
    this.dz = clampTotal(this.dz + Math.trunc(dz));
    this.buttons = buttons & 0x1f;
    if (this.status & MOUSE_STATUS_REMOTE) return;
    // Stream mode: send until the movement is reported, as long as whole packets fit.
    do {
      if (!this.sendPacket(true)) break;
    } while (this.dx !== 0 || this.dy !== 0 || this.dz !== 0);
  }

  write(byte: number): void {
    const value = byte & 0xff;
    const command = this.pendingCommand;
    if (command !== 0) {
      this.pendingCommand = 0;
      this.writeParameter(command, value);
      return;
    }
    if (this.wrap && value !== AUX_RESET_WRAP && value !== AUX_RESET) {
      this.reply(value);
      return;
    }
    this.writeCommand(value);
  }

  state(): PS2MouseState {
    return {
      ...this.outputState(),
      status: this.status,
      resolution: this.resolution,
      sampleRate: this.sampleRate,
      wrap: this.wrap,
      type: this.type,
      detectState: this.detectState,
      pendingCommand: this.pendingCommand,
      dx: this.dx,
      dy: this.dy,
      dz: this.dz,
      buttons: this.buttons,
    };
  }

  /** Restore a snapshot. @throws RangeError for an impossible state. */
  loadState(state: PS2MouseState): void {
    if (![MOUSE_TYPE_PS2, MOUSE_TYPE_IMPS2, MOUSE_TYPE_IMEX].includes(state.type)) {
      throw new RangeError(`mouse state: device type must be 0, 3 or 4, not ${state.type}`);
    }
    for (const key of ['dx', 'dy', 'dz'] as const) {
      if (!Number.isInteger(state[key]))
        throw new RangeError(`mouse state: ${key} must be an integer`);
    }
    this.loadOutputState(state, 'mouse');
    this.status =
      state.status & (MOUSE_STATUS_REMOTE | MOUSE_STATUS_ENABLED | MOUSE_STATUS_SCALE21);
    this.resolution = state.resolution & 3;
    this.sampleRate = state.sampleRate & 0xff;
    this.wrap = state.wrap;
    this.type = state.type;
    this.detectState = state.detectState & 3;
    this.pendingCommand = state.pendingCommand & 0xff;
    this.dx = clampTotal(state.dx);
    this.dy = clampTotal(state.dy);
    this.dz = clampTotal(state.dz);
    this.buttons = state.buttons & 0x1f;
  }

  private writeCommand(command: number): void {
    switch (command) {
      case AUX_SET_SCALE11:
        this.status &= ~MOUSE_STATUS_SCALE21;
        this.reply(PS2_ACK);
        break;
      case AUX_SET_SCALE21:
        this.status |= MOUSE_STATUS_SCALE21;
        this.reply(PS2_ACK);
        break;
      case AUX_SET_RES:
      case AUX_SET_SAMPLE:
        this.pendingCommand = command;
        this.reply(PS2_ACK);
        break;
      case AUX_GET_SCALE: {
        // Status byte: mode bits, then the buttons as left=bit 2, middle=bit 1, right=bit 0.
        const buttons =
          (this.buttons & MOUSE_BUTTON_LEFT ? 0x04 : 0) |
          (this.buttons & MOUSE_BUTTON_MIDDLE ? 0x02 : 0) |
          (this.buttons & MOUSE_BUTTON_RIGHT ? 0x01 : 0);
        this.reply(PS2_ACK, this.status | buttons, this.resolution, this.sampleRate);
        break;
      }
      case AUX_SET_STREAM:
        this.status &= ~MOUSE_STATUS_REMOTE;
        this.reply(PS2_ACK);
        break;
      case AUX_POLL:
        this.reply(PS2_ACK, ...this.takePacket(false));
        break;
      case AUX_RESET_WRAP:
        this.wrap = false;
        this.reply(PS2_ACK);
        break;
      case AUX_SET_WRAP:
        this.wrap = true;
        this.reply(PS2_ACK);
        break;
      case AUX_SET_REMOTE:
        this.status |= MOUSE_STATUS_REMOTE;
        this.reply(PS2_ACK);
        break;
      case AUX_GET_TYPE:
        this.reply(PS2_ACK, this.type);
        break;
      case AUX_ENABLE_DEV:
        this.status |= MOUSE_STATUS_ENABLED;
        this.reply(PS2_ACK);
        break;
      case AUX_DISABLE_DEV:
        this.status &= ~MOUSE_STATUS_ENABLED;
        this.reply(PS2_ACK);
        break;
      case AUX_SET_DEFAULT:
        this.clearOutput();
        this.setDefaults();
        this.reply(PS2_ACK);
        break;
      case AUX_RESEND:
        this.resendLast();
        break;
      case AUX_RESET:
        this.reset();
        this.reply(PS2_ACK, PS2_BAT_OK, this.type);
        break;
      default:
        this.guestError(`unknown command 0x${hex(command)}`);
        this.reply(PS2_RESEND);
    }
  }

  private writeParameter(command: number, value: number): void {
    if (command === AUX_SET_RES) {
      if (value > 3) {
        this.guestError(`resolution ${value} out of range`);
        this.reply(PS2_RESEND);
        return;
      }
      this.resolution = value;
      this.reply(PS2_ACK);
      return;
    }
    if (!(MOUSE_SAMPLE_RATES as readonly number[]).includes(value)) {
      this.guestError(`sample rate ${value} not supported`);
      this.reply(PS2_RESEND);
      return;
    }
    this.sampleRate = value;
    this.detectKnock(value);
    this.reply(PS2_ACK);
  }

  /** Sample rates 200, 100, 80 select the wheel mouse; 200, 200, 80 (from it) the five-button one. */
  private detectKnock(rate: number): void {
    switch (this.detectState) {
      case 0:
        this.detectState = rate === 200 ? 1 : 0;
        break;
      case 1:
        this.detectState = rate === 100 ? 2 : rate === 200 ? 3 : 0;
        break;
      case 2:
        if (rate === 80) this.type = MOUSE_TYPE_IMPS2;
        this.detectState = 0;
        break;
      default:
        if (rate === 80) this.type = MOUSE_TYPE_IMEX;
        this.detectState = 0;
    }
  }

  private setDefaults(): void {
    this.status = 0;
    this.resolution = 2;
    this.sampleRate = 100;
    this.dx = 0;
    this.dy = 0;
    this.dz = 0;
  }

  /** Queue one movement packet; false when it does not fit. */
  private sendPacket(scaled: boolean): boolean {
    const size = this.type === MOUSE_TYPE_PS2 ? 3 : 4;
    if (this.queueSpace < size) return false;
    this.queueInput(this.takePacket(scaled));
    return true;
  }

  /** Build a packet from the accumulated movement and subtract what it reports. */
  private takePacket(scaled: boolean): number[] {
    const dx = clamp(this.dx, -256, 255);
    const dy = clamp(this.dy, -256, 255);
    this.dx -= dx;
    this.dy -= dy;
    const scale21 = scaled && this.status & MOUSE_STATUS_SCALE21;
    const x = scale21 ? clamp(scale2to1(dx), -256, 255) : dx;
    const y = scale21 ? clamp(scale2to1(dy), -256, 255) : dy;
    const packet = [
      PACKET_ALWAYS_ONE |
        (x < 0 ? PACKET_X_SIGN : 0) |
        (y < 0 ? PACKET_Y_SIGN : 0) |
        (this.buttons & 0x07),
      x & 0xff,
      y & 0xff,
    ];
    if (this.type === MOUSE_TYPE_IMPS2) {
      const dz = clamp(this.dz, -127, 127);
      this.dz -= dz;
      packet.push(dz & 0xff);
    } else if (this.type === MOUSE_TYPE_IMEX) {
      const dz = clamp(this.dz, -7, 7);
      this.dz -= dz;
      packet.push((dz & 0x0f) | ((this.buttons & (MOUSE_BUTTON_SIDE | MOUSE_BUTTON_EXTRA)) << 1));
    } else {
      this.dz = 0;
    }
    return packet;
  }

  private guestError(message: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `ps2 mouse: ${message}\n`);
  }
}

/** 2:1 scaling of one axis (PS/2 mouse specification). */
function scale2to1(value: number): number {
  const magnitude = Math.abs(value);
  const scaled = [0, 1, 1, 3, 6, 9][magnitude] ?? magnitude * 2;
  return value < 0 ? -scaled : scaled;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** Keep accumulated motion bounded so a runaway host cannot grow it without end. */
function clampTotal(value: number): number {
  return clamp(Number.isFinite(value) ? value : 0, -65536, 65536);
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}
