import { type IrqTrigger, UNCONNECTED_IRQ } from '../device-env.js';

/** Port 0x92 ("System Control Port A", PS/2 and later chipsets). */
export const PORT92_IOBASE = 0x92;
/** Bit 0: fast reset: writing 1 (from 0) resets the CPU. */
export const PORT92_FAST_RESET = 0x01;
/** Bit 1: fast A20 gate. */
export const PORT92_A20 = 0x02;

export interface Port92Env {
  /** The A20 gate (QEMU's "a20" GPIO output). */
  a20?: IrqTrigger;
  /** Bit 0 went from 0 to 1: reset the machine. */
  resetRequest?: () => void;
}

/** Port 0x92's state: the last value written. */
export interface Port92State {
  value: number;
}

/**
 * Port 0x92, the "fast A20 and reset" port (QEMU's port92 device). Bit 1 gates
 * A20 without going through the keyboard controller (SeaBIOS and Linux's boot
 * code use it); a 0-to-1 change of bit 0 resets the machine. Reads return what
 * was last written. The device has one register, at offset 0.
 */
export class Port92 {
  private value = 0;
  private readonly a20: IrqTrigger;
  private readonly resetRequest: () => void;

  constructor(env: Port92Env = {}) {
    this.a20 = env.a20 ?? UNCONNECTED_IRQ;
    this.resetRequest = env.resetRequest ?? (() => {});
  }

  static fromState(state: Port92State, env: Port92Env = {}): Port92 {
    const port = new Port92(env);
    port.loadState(state);
    return port;
  }

  /** System reset clears the reset bit and keeps A20 (QEMU's port92_reset). */
  reset(): void {
    this.value &= ~PORT92_FAST_RESET;
  }

  read(_offset = 0): number {
    return this.value;
  }

  write(_offset: number, value: number): void {
    const byte = value & 0xff;
    const previous = this.value;
    this.value = byte;
    this.a20.set((byte & PORT92_A20) !== 0);
    if (byte & PORT92_FAST_RESET && !(previous & PORT92_FAST_RESET)) this.resetRequest();
  }

  /** Whether the port holds A20 open. */
  get a20Enabled(): boolean {
    return (this.value & PORT92_A20) !== 0;
  }

  state(): Port92State {
    return { value: this.value };
  }

  /** Restore a snapshot and drive the A20 line to match (no reset is requested). */
  loadState(state: Port92State): void {
    if (!Number.isInteger(state.value) || state.value < 0 || state.value > 0xff) {
      throw new RangeError(`port92 state: value must be a byte, not ${state.value}`);
    }
    this.value = state.value;
    this.a20.set((this.value & PORT92_A20) !== 0);
  }
}
