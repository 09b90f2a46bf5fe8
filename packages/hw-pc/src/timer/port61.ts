import type { I8254 } from './i8254.js';

/** The single register of system control port B (the machine maps it at 0x61). */
export const PORTB_REGISTER = 0;

/** Bit 0 (RW): gate of PIT counter 2. */
export const PORTB_TIMER2_GATE = 0x01;
/** Bit 1 (RW): speaker data enable: counter 2's OUT reaches the speaker. */
export const PORTB_SPEAKER_DATA = 0x02;
/** Bit 2 (RW): parity check disable (stored, no effect). */
export const PORTB_PARITY_CHECK_DISABLE = 0x04;
/** Bit 3 (RW): channel check disable (stored, no effect). */
export const PORTB_CHANNEL_CHECK_DISABLE = 0x08;
/** Bit 4 (RO): refresh request toggle: flips on every read, so a guest polling it always progresses. */
export const PORTB_REFRESH_TOGGLE = 0x10;
/** Bit 5 (RO): PIT counter 2's OUT. */
export const PORTB_TIMER2_OUT = 0x20;
/** Bit 6 (RO): I/O channel check (never set here). */
export const PORTB_CHANNEL_CHECK = 0x40;
/** Bit 7 (RO): memory parity error (never set here). */
export const PORTB_PARITY_ERROR = 0x80;
/** The bits a write sets. */
export const PORTB_WRITABLE = 0x0f;

export interface SystemControlPortBState {
  /** Bits 3-0 as last written. */
  control: number;
  /** The refresh toggle as last read. */
  refresh: boolean;
}

/**
 * System control port B (port 0x61, QEMU's `pcspk` I/O): PIT counter 2's gate and the speaker
 * enable on write; counter 2's OUT and the refresh toggle on read. Linux calibrates the TSC by
 * gating counter 2 here, programming it in mode 0 and polling bit 5 until OUT goes high.
 *
 * The refresh bit flips on every read, as in QEMU, rather than every 15 µs: firmware that waits
 * for a flip always sees one.
 *
 * @example
 * const portB = new SystemControlPortB(pit);
 * portB.write(PORTB_REGISTER, PORTB_TIMER2_GATE);  // gate counter 2 on, speaker off
 * while (!(portB.read(PORTB_REGISTER) & PORTB_TIMER2_OUT)) {}  // wait for terminal count
 */
export class SystemControlPortB {
  private control = 0;
  private refresh = false;

  constructor(private readonly pit: I8254) {}

  read(_offset = PORTB_REGISTER, _size = 1): number {
    this.refresh = !this.refresh;
    return (
      (this.control & PORTB_WRITABLE & ~PORTB_TIMER2_GATE) |
      (this.pit.getGate(2) ? PORTB_TIMER2_GATE : 0) |
      (this.refresh ? PORTB_REFRESH_TOGGLE : 0) |
      (this.pit.getOut(2) ? PORTB_TIMER2_OUT : 0)
    );
  }

  write(_offset: number, value: number, _size = 1): void {
    this.control = value & PORTB_WRITABLE;
    this.pit.setGate(2, (value & PORTB_TIMER2_GATE) !== 0);
  }

  /** Whether the speaker sounds counter 2's OUT (gate and data enable both set). */
  get speakerEnabled(): boolean {
    return (this.control & (PORTB_TIMER2_GATE | PORTB_SPEAKER_DATA)) === 0x03;
  }

  reset(): void {
    this.control = 0;
    this.refresh = false;
    this.pit.setGate(2, false);
  }

  state(): SystemControlPortBState {
    return { control: this.control, refresh: this.refresh };
  }

  /** Load a snapshot (counter 2's gate is part of the PIT's own state). */
  loadState(state: SystemControlPortBState): void {
    this.control = state.control & PORTB_WRITABLE;
    this.refresh = state.refresh;
  }

  static fromState(state: SystemControlPortBState, pit: I8254): SystemControlPortB {
    const port = new SystemControlPortB(pit);
    port.loadState(state);
    return port;
  }
}
