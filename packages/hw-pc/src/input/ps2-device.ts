import { ByteFifo } from '../char/byte-fifo.js';

/** Bytes a PS/2 device buffers for the controller (QEMU's PS2_QUEUE_SIZE). */
export const PS2_QUEUE_SIZE = 16;
/** Command replies a device holds at most; a host that never reads loses the excess. */
export const PS2_REPLY_LIMIT = 16;

/** Acknowledge: the command or parameter byte was accepted. */
export const PS2_ACK = 0xfa;
/** Resend: the byte was not understood (also the host's command to repeat the last byte). */
export const PS2_RESEND = 0xfe;
/** Basic Assurance Test passed: sent after a reset. */
export const PS2_BAT_OK = 0xaa;

/** What the i8042 sees of the device on one of its ports. */
export interface Ps2Port {
  /** A byte from the host: a command or a command's parameter. */
  write(byte: number): void;
  /** Whether a byte waits to go to the host. */
  readonly hasData: boolean;
  /** Take the next byte for the host (the last one again when none waits). */
  read(): number;
  /** Called whenever a byte becomes available. */
  setDataListener(listener: (() => void) | null): void;
}

/** The output side of a PS/2 device, shared by keyboard and mouse. */
export interface Ps2OutputState {
  /** Replies to commands, sent before any queued input. */
  replies: number[];
  /** Scancodes or mouse packets, oldest first. */
  queue: number[];
  /** The last byte sent, repeated by the Resend command and by a read with nothing queued. */
  lastSent: number;
}

/**
 * A PS/2 device's output: command replies go out before buffered input (as
 * QEMU's command queue), input waits in a 16-byte queue and is queued whole
 * (a key's sequence or a mouse packet never half-fits).
 */
export abstract class Ps2Device implements Ps2Port {
  private readonly replies: number[] = [];
  private readonly queue = new ByteFifo(PS2_QUEUE_SIZE);
  private lastSent = 0;
  private listener: (() => void) | null = null;

  abstract write(byte: number): void;

  get hasData(): boolean {
    return this.replies.length > 0 || !this.queue.isEmpty;
  }

  read(): number {
    const byte = this.replies.length > 0 ? (this.replies.shift() as number) : this.queue.pop();
    if (byte === undefined) return this.lastSent;
    this.lastSent = byte;
    return byte;
  }

  setDataListener(listener: (() => void) | null): void {
    this.listener = listener;
    if (listener && this.hasData) listener();
  }

  /** Free room in the input queue. */
  protected get queueSpace(): number {
    return this.queue.space;
  }

  /** Answer a command. */
  protected reply(...bytes: number[]): void {
    for (const byte of bytes) {
      if (this.replies.length < PS2_REPLY_LIMIT) this.replies.push(byte & 0xff);
    }
    this.listener?.();
  }

  /** Queue input (a key sequence, a packet) only if all of it fits; returns whether it did. */
  protected queueInput(bytes: readonly number[]): boolean {
    if (bytes.length === 0) return true;
    if (bytes.length > this.queue.space) return false;
    for (const byte of bytes) this.queue.push(byte & 0xff);
    this.listener?.();
    return true;
  }

  /** Resend: repeat the last byte sent. */
  protected resendLast(): void {
    this.reply(this.lastSent);
  }

  /** Drop everything waiting (reset, set defaults). */
  protected clearOutput(): void {
    this.replies.length = 0;
    this.queue.clear();
  }

  protected outputState(): Ps2OutputState {
    return { replies: [...this.replies], queue: this.queue.toArray(), lastSent: this.lastSent };
  }

  protected loadOutputState(state: Ps2OutputState, device: string): void {
    const isByte = (b: unknown) =>
      Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 0xff;
    if (
      !Array.isArray(state.replies) ||
      state.replies.length > PS2_REPLY_LIMIT ||
      !state.replies.every(isByte)
    ) {
      throw new RangeError(`${device} state: replies must be at most ${PS2_REPLY_LIMIT} bytes`);
    }
    if (
      !Array.isArray(state.queue) ||
      state.queue.length > PS2_QUEUE_SIZE ||
      !state.queue.every(isByte)
    ) {
      throw new RangeError(`${device} state: queue must be at most ${PS2_QUEUE_SIZE} bytes`);
    }
    if (!isByte(state.lastSent)) throw new RangeError(`${device} state: lastSent must be a byte`);
    this.replies.length = 0;
    this.replies.push(...state.replies);
    this.queue.load(state.queue);
    this.lastSent = state.lastSent;
    if (this.hasData) this.listener?.();
  }
}
