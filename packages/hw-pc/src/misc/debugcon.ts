import type { CharBackend } from '../char/char-backend.js';
import { NULL_CHAR_BACKEND } from '../char/char-backend.js';

/** isa-debugcon's default port: Bochs' "port E9 hack". */
export const DEBUGCON_IOBASE = 0xe9;
/** What a read returns by default, so a guest can detect the port (QEMU's `readback` property). */
export const DEBUGCON_READBACK = 0xe9;

export interface DebugconEnv {
  /** Where written bytes go (`-debugcon stdio`, `-debugcon file:...`). */
  chardev?: CharBackend;
  /** The value reads return; 0xE9 by default. */
  readback?: number;
}

/**
 * isa-debugcon (QEMU's hw/char/debugcon.c): a one-byte output port, 0xE9 by
 * default, whose writes go straight to a chardev. SeaBIOS prints its debug log
 * there; bare-metal test kernels print through it. Reads return the readback
 * value (0xE9) so a guest can tell the port exists. The device takes no input:
 * it never registers handlers with its chardev (so, on a mux, it never takes
 * the keyboard focus).
 */
export class Debugcon {
  private readonly chardev: CharBackend;
  private readonly readback: number;
  private readonly byte = new Uint8Array(1);

  constructor(env: DebugconEnv = {}) {
    this.chardev = env.chardev ?? NULL_CHAR_BACKEND;
    const readback = env.readback ?? DEBUGCON_READBACK;
    if (!Number.isInteger(readback) || readback < 0 || readback > 0xffffffff) {
      throw new RangeError(`isa-debugcon: readback must be a 32-bit value, not ${readback}`);
    }
    this.readback = readback;
  }

  /** The readback value, truncated to the access size (1, 2 or 4 bytes). */
  read(_offset = 0, size = 1): number {
    return size >= 4 ? this.readback >>> 0 : this.readback & (size === 2 ? 0xffff : 0xff);
  }

  /** Send the low byte of `value` to the chardev. */
  write(_offset: number, value: number): void {
    this.byte[0] = value & 0xff;
    this.chardev.write(this.byte);
  }
}
