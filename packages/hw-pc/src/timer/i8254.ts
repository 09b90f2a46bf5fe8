import type { DeviceTime, DeviceTimer, IrqTrigger, LogSink } from '../device-env.js';
import { SILENT_LOG, UNCONNECTED_IRQ } from '../device-env.js';

// Register offsets (the machine maps them at 0x40-0x43).

/** Counter 0 data port: the system timer, whose OUT drives IRQ0. */
export const PIT_CHANNEL0 = 0;
/** Counter 1 data port: DRAM refresh on the original PC. */
export const PIT_CHANNEL1 = 1;
/** Counter 2 data port: the speaker tone, gated and read back through port 0x61. */
export const PIT_CHANNEL2 = 2;
/** Control word register (write-only). */
export const PIT_CONTROL = 3;

/** The PIT's input clock: 1.193182 MHz (the NTSC colour burst divided by 3). */
export const PIT_FREQUENCY_HZ = 1193182;

// Control word fields.

/** Control word: counter select (bits 7-6); 3 is the read-back command. */
export const PIT_CONTROL_SELECT_SHIFT = 6;
/** Counter select value of the read-back command. */
export const PIT_SELECT_READ_BACK = 3;
/** Control word: access mode (bits 5-4): 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB. */
export const PIT_CONTROL_ACCESS_SHIFT = 4;
/** Access mode: counter latch command. */
export const PIT_ACCESS_LATCH = 0;
/** Access mode: low byte only. */
export const PIT_ACCESS_LSB = 1;
/** Access mode: high byte only. */
export const PIT_ACCESS_MSB = 2;
/** Access mode: low byte then high byte. */
export const PIT_ACCESS_WORD = 3;
/** Control word: mode (bits 3-1); 6 and 7 mean 2 and 3. */
export const PIT_CONTROL_MODE_SHIFT = 1;
/** Control word: count in BCD (4 decades) rather than 16-bit binary. */
export const PIT_CONTROL_BCD = 0x01;

// Read-back command bits (counter select = 3).

/** Read-back: do NOT latch the count. */
export const PIT_READBACK_NO_COUNT = 0x20;
/** Read-back: do NOT latch the status. */
export const PIT_READBACK_NO_STATUS = 0x10;
/** Read-back: counter 0 selected (counter n is bit n+1). */
export const PIT_READBACK_CHANNEL0 = 0x02;

// Status byte (returned after a read-back status latch).

/** Status: the counter's OUT pin. */
export const PIT_STATUS_OUT = 0x80;
/** Status: null count: a count was written but not yet loaded into the counting element. */
export const PIT_STATUS_NULL_COUNT = 0x40;

/** Mode 0: interrupt on terminal count. */
export const PIT_MODE_INTERRUPT_ON_TERMINAL_COUNT = 0;
/** Mode 1: hardware-retriggerable one-shot. */
export const PIT_MODE_ONE_SHOT = 1;
/** Mode 2: rate generator. */
export const PIT_MODE_RATE_GENERATOR = 2;
/** Mode 3: square wave generator. */
export const PIT_MODE_SQUARE_WAVE = 3;
/** Mode 4: software-triggered strobe. */
export const PIT_MODE_SOFTWARE_STROBE = 4;
/** Mode 5: hardware-triggered strobe. */
export const PIT_MODE_HARDWARE_STROBE = 5;

/** One counter, as plain data. */
export interface PitChannelState {
  /** The reload value in binary (1-0x10000, or 1-10000 in BCD). */
  count: number;
  latchedCount: number;
  /** Which bytes of the latched count remain to be read (an access mode), 0 when none. */
  countLatched: number;
  status: number;
  statusLatched: boolean;
  readState: number;
  writeState: number;
  writeLatch: number;
  accessMode: number;
  mode: number;
  bcd: boolean;
  gate: boolean;
  /** A count was written since the control word. */
  loaded: boolean;
  /** Modes 1 and 5: the gate has triggered counting. */
  triggered: boolean;
  /** The counter is counting (false while held by the gate or waiting for a count/trigger). */
  running: boolean;
  /** Virtual ns at which counting started (tick 0), when running. */
  loadTimeNs: number;
  /** Ticks counted, while not running. */
  heldTicks: number;
}

export interface I8254State {
  channels: PitChannelState[];
  irqEnabled: boolean;
}

export interface I8254Options {
  time: DeviceTime;
  /** Counter 0's OUT: ISA IRQ0. */
  irq?: IrqTrigger;
  log?: LogSink;
}

/** Write/read sequencing of a counter's data port (QEMU's RW_STATE_*). */
const enum RwState {
  Lsb = 1,
  Msb = 2,
  Word0 = 3,
  Word1 = 4,
}

const NS_PER_S = 1e9;

function ticksToNs(ticks: number): number {
  return Math.ceil((ticks * NS_PER_S) / PIT_FREQUENCY_HZ);
}

function toBcd(value: number): number {
  return (
    (value % 10) |
    ((Math.floor(value / 10) % 10) << 4) |
    ((Math.floor(value / 100) % 10) << 8) |
    ((Math.floor(value / 1000) % 10) << 12)
  );
}

function fromBcd(value: number): number {
  return (
    (value & 0xf) +
    ((value >> 4) & 0xf) * 10 +
    ((value >> 8) & 0xf) * 100 +
    ((value >> 12) & 0xf) * 1000
  );
}

function defaultChannel(): PitChannelState {
  return {
    count: 0x10000,
    latchedCount: 0,
    countLatched: 0,
    status: 0,
    statusLatched: false,
    readState: RwState.Word0,
    writeState: RwState.Word0,
    writeLatch: 0,
    accessMode: PIT_ACCESS_WORD,
    mode: 0,
    bcd: false,
    gate: false,
    loaded: false,
    triggered: false,
    running: false,
    loadTimeNs: 0,
    heldTicks: 0,
  };
}

/**
 * The Intel 8254 programmable interval timer (QEMU's `isa-pit`): three 16-bit down counters
 * clocked at 1.193182 MHz from the virtual clock, six modes, BCD, counter latch and read-back
 * commands. Counter 0's OUT drives IRQ0; counters 0 and 1 have their gate tied high, counter 2's
 * gate and OUT are reached through port 0x61 ({@link SystemControlPortB}).
 *
 * Counting starts on the write of the count (the 8254 waits for one more clock edge, which is
 * not modelled); a new count in modes 2 and 3 takes effect at once rather than at the end of
 * the current period, as in QEMU.
 *
 * @example
 * const pit = new I8254({ time, irq: irq0 });
 * pit.write(PIT_CONTROL, 0x34);        // counter 0, LSB then MSB, mode 2
 * pit.write(PIT_CHANNEL0, 0x9c);
 * pit.write(PIT_CHANNEL0, 0x2e);       // 11932: a 100 Hz tick on IRQ0
 */
export class I8254 {
  private readonly time: DeviceTime;
  private readonly irq: IrqTrigger;
  private readonly log: LogSink;
  private readonly irqTimer: DeviceTimer;
  private readonly channels: PitChannelState[];
  private irqEnabled = true;
  private irqLevel = false;
  /** The tick at which counter 0's next OUT transition was scheduled, or -1. */
  private scheduledTick = -1;

  constructor(options: I8254Options) {
    this.time = options.time;
    this.irq = options.irq ?? UNCONNECTED_IRQ;
    this.log = options.log ?? SILENT_LOG;
    this.irqTimer = this.time.newTimer(() => this.irqTimerExpired());
    this.channels = [defaultChannel(), defaultChannel(), defaultChannel()];
    this.reset();
  }

  /** Hardware reset: every counter in mode 0, waiting for a count; gates 0 and 1 high. */
  reset(): void {
    for (let i = 0; i < 3; i++) {
      Object.assign(this.channels[i], defaultChannel(), { gate: i !== 2 });
    }
    this.updateIrq();
  }

  read(offset: number, _size = 1): number {
    if (offset === PIT_CONTROL) return 0; // The control word register cannot be read.
    if (offset < 0 || offset > 2) {
      this.guestError(`read of offset ${offset}`);
      return 0xff;
    }
    const ch = this.channels[offset];
    if (ch.statusLatched) {
      ch.statusLatched = false;
      return ch.status;
    }
    if (ch.countLatched) {
      const value = ch.latchedCount;
      switch (ch.countLatched) {
        case RwState.Msb:
          ch.countLatched = 0;
          return (value >> 8) & 0xff;
        case RwState.Word0:
          ch.countLatched = RwState.Msb;
          return value & 0xff;
        default:
          ch.countLatched = 0;
          return value & 0xff;
      }
    }
    const count = this.readableCount(ch);
    switch (ch.readState) {
      case RwState.Msb:
        return (count >> 8) & 0xff;
      case RwState.Word0:
        ch.readState = RwState.Word1;
        return count & 0xff;
      case RwState.Word1:
        ch.readState = RwState.Word0;
        return (count >> 8) & 0xff;
      default:
        return count & 0xff;
    }
  }

  write(offset: number, value: number, _size = 1): void {
    value &= 0xff;
    if (offset === PIT_CONTROL) {
      this.writeControl(value);
      return;
    }
    if (offset < 0 || offset > 2) {
      this.guestError(`write of offset ${offset}`);
      return;
    }
    const ch = this.channels[offset];
    switch (ch.writeState) {
      case RwState.Msb:
        this.loadCount(offset, value << 8);
        break;
      case RwState.Word0:
        ch.writeLatch = value;
        ch.writeState = RwState.Word1;
        // Mode 0: writing the first byte of a new count stops the counter.
        if (ch.mode === PIT_MODE_INTERRUPT_ON_TERMINAL_COUNT && ch.loaded) {
          this.stopCounting(offset);
        }
        break;
      case RwState.Word1:
        ch.writeState = RwState.Word0;
        this.loadCount(offset, ch.writeLatch | (value << 8));
        break;
      default:
        this.loadCount(offset, value);
    }
  }

  /** Drive counter `channel`'s GATE input (counter 2's comes from port 0x61 bit 0). */
  setGate(channel: number, level: boolean): void {
    const ch = this.channel(channel);
    if (ch.gate === level) return;
    ch.gate = level;
    const now = this.time.now();
    if (ch.loaded) {
      switch (ch.mode) {
        case PIT_MODE_INTERRUPT_ON_TERMINAL_COUNT:
        case PIT_MODE_SOFTWARE_STROBE:
          // The gate suspends counting.
          if (level) {
            ch.running = true;
            ch.loadTimeNs = now - ticksToNs(ch.heldTicks);
          } else {
            ch.heldTicks = this.elapsedTicks(ch, now);
            ch.running = false;
          }
          break;
        case PIT_MODE_ONE_SHOT:
        case PIT_MODE_HARDWARE_STROBE:
          // A rising edge (re)triggers the count.
          if (level) {
            ch.triggered = true;
            ch.running = true;
            ch.loadTimeNs = now;
          }
          break;
        default:
          // Modes 2 and 3: low stops the counter with OUT high, a rising edge reloads it.
          ch.running = level;
          ch.heldTicks = 0;
          ch.loadTimeNs = now;
      }
    }
    if (channel === 0) this.updateIrq();
  }

  getGate(channel: number): boolean {
    return this.channel(channel).gate;
  }

  /** The level of counter `channel`'s OUT pin now. */
  getOut(channel: number): boolean {
    const ch = this.channel(channel);
    return this.outAt(ch, this.elapsedTicks(ch, this.time.now()));
  }

  /** The programmed mode of counter `channel` (0-5). */
  getMode(channel: number): number {
    return this.channel(channel).mode;
  }

  /**
   * Enable or disable counter 0's interrupt (QEMU's pit "irq control" input: the HPET turns it
   * off in legacy replacement mode). While disabled the IRQ line is left alone.
   */
  setIrqEnabled(enabled: boolean): void {
    this.irqEnabled = enabled;
    this.updateIrq();
  }

  state(): I8254State {
    return { channels: this.channels.map((ch) => ({ ...ch })), irqEnabled: this.irqEnabled };
  }

  /** Load a snapshot, then drive IRQ0 to the level counter 0's OUT has now and re-arm its timer. */
  loadState(state: I8254State): void {
    if (!Array.isArray(state.channels) || state.channels.length !== 3) {
      throw new Error('i8254 state: need 3 channels');
    }
    state.channels.forEach((saved, i) => {
      const ch = this.channels[i];
      Object.assign(ch, defaultChannel(), saved);
      if (ch.mode < 0 || ch.mode > 5 || !Number.isInteger(ch.mode)) {
        throw new Error(`i8254 state: channel ${i} mode ${ch.mode} is not 0-5`);
      }
      if (!(ch.count >= 1 && ch.count <= 0x10000)) {
        throw new Error(`i8254 state: channel ${i} count ${ch.count} is out of range`);
      }
      if (ch.readState < RwState.Lsb || ch.readState > RwState.Word1) ch.readState = RwState.Word0;
      if (ch.writeState < RwState.Lsb || ch.writeState > RwState.Word1)
        ch.writeState = RwState.Word0;
      ch.accessMode &= 3;
      ch.latchedCount &= 0xffff;
      ch.status &= 0xff;
      ch.writeLatch &= 0xff;
    });
    this.irqEnabled = state.irqEnabled;
    if (this.irqEnabled) {
      this.irqLevel = this.currentIrqOut();
      this.irq.set(this.irqLevel);
    }
    this.updateIrq();
  }

  static fromState(state: I8254State, options: I8254Options): I8254 {
    const pit = new I8254(options);
    pit.loadState(state);
    return pit;
  }

  private channel(channel: number): PitChannelState {
    if (!Number.isInteger(channel) || channel < 0 || channel > 2) {
      throw new Error(`i8254: counter ${channel} does not exist (0-2)`);
    }
    return this.channels[channel];
  }

  private writeControl(value: number): void {
    const select = value >> PIT_CONTROL_SELECT_SHIFT;
    if (select === PIT_SELECT_READ_BACK) {
      this.readBack(value);
      return;
    }
    const ch = this.channels[select];
    const access = (value >> PIT_CONTROL_ACCESS_SHIFT) & 3;
    if (access === PIT_ACCESS_LATCH) {
      this.latchCount(ch);
      return;
    }
    let mode = (value >> PIT_CONTROL_MODE_SHIFT) & 7;
    if (mode > 5) mode -= 4;
    ch.accessMode = access;
    ch.readState = access;
    ch.writeState = access;
    ch.mode = mode;
    ch.bcd = (value & PIT_CONTROL_BCD) !== 0;
    ch.countLatched = 0;
    // A control word puts OUT at its initial level and waits for a new count.
    ch.loaded = false;
    ch.triggered = false;
    ch.running = false;
    ch.heldTicks = 0;
    if (select === 0) this.updateIrq();
  }

  private readBack(value: number): void {
    const now = this.time.now();
    for (let i = 0; i < 3; i++) {
      if (!(value & (PIT_READBACK_CHANNEL0 << i))) continue;
      const ch = this.channels[i];
      if (!(value & PIT_READBACK_NO_COUNT)) this.latchCount(ch);
      if (!(value & PIT_READBACK_NO_STATUS) && !ch.statusLatched) {
        ch.status =
          (this.outAt(ch, this.elapsedTicks(ch, now)) ? PIT_STATUS_OUT : 0) |
          (ch.loaded ? 0 : PIT_STATUS_NULL_COUNT) |
          (ch.accessMode << PIT_CONTROL_ACCESS_SHIFT) |
          (ch.mode << PIT_CONTROL_MODE_SHIFT) |
          (ch.bcd ? PIT_CONTROL_BCD : 0);
        ch.statusLatched = true;
      }
    }
  }

  private latchCount(ch: PitChannelState): void {
    if (ch.countLatched) return; // A second latch before the first is read is ignored.
    ch.latchedCount = this.readableCount(ch);
    ch.countLatched = ch.accessMode;
  }

  private loadCount(channel: number, raw: number): void {
    const ch = this.channels[channel];
    let count: number;
    if (ch.bcd) {
      if ((raw & 0xf) > 9 || ((raw >> 4) & 0xf) > 9 || ((raw >> 8) & 0xf) > 9 || raw >> 12 > 9) {
        this.guestError(`counter ${channel}: count 0x${raw.toString(16)} is not BCD`);
      }
      count = fromBcd(raw);
      if (count === 0) count = 10000;
    } else {
      count = raw === 0 ? 0x10000 : raw;
    }
    ch.count = count;
    ch.loaded = true;
    ch.heldTicks = 0;
    ch.loadTimeNs = this.time.now();
    switch (ch.mode) {
      case PIT_MODE_ONE_SHOT:
      case PIT_MODE_HARDWARE_STROBE:
        // Waits for a gate trigger; a count written after one takes effect at the next.
        ch.running = false;
        ch.triggered = false;
        break;
      default:
        ch.running = ch.gate;
    }
    if (channel === 0) this.updateIrq();
  }

  private stopCounting(channel: number): void {
    const ch = this.channels[channel];
    ch.loaded = false;
    ch.running = false;
    ch.heldTicks = 0;
    if (channel === 0) this.updateIrq();
  }

  /** Input-clock ticks counted since tick 0. */
  private elapsedTicks(ch: PitChannelState, now: number): number {
    if (!ch.running) return ch.heldTicks;
    return Math.floor(((now - ch.loadTimeNs) * PIT_FREQUENCY_HZ) / NS_PER_S + 1e-7);
  }

  /** OUT after `ticks` ticks (8254 data sheet, figure "mode waveforms"). */
  private outAt(ch: PitChannelState, ticks: number): boolean {
    const n = ch.count;
    if (!ch.loaded) return ch.mode !== PIT_MODE_INTERRUPT_ON_TERMINAL_COUNT;
    switch (ch.mode) {
      case PIT_MODE_INTERRUPT_ON_TERMINAL_COUNT:
        return ticks >= n;
      case PIT_MODE_ONE_SHOT:
        return !ch.triggered || ticks >= n;
      case PIT_MODE_RATE_GENERATOR:
        // Low for the one tick before each reload.
        return !ch.running || ticks % n !== n - 1;
      case PIT_MODE_SQUARE_WAVE:
        // High for the first half (rounded up), low for the second.
        return !ch.running || ticks % n < (n + 1) >> 1;
      case PIT_MODE_SOFTWARE_STROBE:
        return ticks !== n;
      default:
        return !ch.triggered || ticks !== n;
    }
  }

  /** The counting element's value in the counter's format (binary or BCD), 16 bits. */
  private readableCount(ch: PitChannelState): number {
    const n = ch.count;
    let value: number;
    if (!ch.loaded || (!ch.triggered && (ch.mode === 1 || ch.mode === 5))) {
      value = n;
    } else {
      const ticks = this.elapsedTicks(ch, this.time.now());
      switch (ch.mode) {
        case PIT_MODE_RATE_GENERATOR:
          value = n - (ticks % n);
          break;
        case PIT_MODE_SQUARE_WAVE:
          value = n - ((2 * ticks) % n);
          break;
        default: {
          const modulus = ch.bcd ? 10000 : 0x10000;
          value = (((n - ticks) % modulus) + modulus) % modulus;
        }
      }
    }
    if (ch.bcd) return toBcd(value % 10000);
    return value & 0xffff;
  }

  /** The tick of counter 0's next OUT transition after `ticks`, or -1 for none. */
  private nextTransition(ch: PitChannelState, ticks: number): number {
    const n = ch.count;
    if (!ch.loaded || !ch.running) return -1;
    switch (ch.mode) {
      case PIT_MODE_INTERRUPT_ON_TERMINAL_COUNT:
      case PIT_MODE_ONE_SHOT:
        return ticks < n ? n : -1;
      case PIT_MODE_RATE_GENERATOR: {
        if (n === 1) return -1;
        const base = ticks - (ticks % n);
        return ticks % n < n - 1 ? base + n - 1 : base + n;
      }
      case PIT_MODE_SQUARE_WAVE: {
        if (n === 1) return -1;
        const base = ticks - (ticks % n);
        const half = (n + 1) >> 1;
        return ticks % n < half ? base + half : base + n;
      }
      default:
        if (ticks < n) return n;
        return ticks === n ? n + 1 : -1;
    }
  }

  private currentIrqOut(): boolean {
    const ch = this.channels[0];
    const ticks = Math.max(this.elapsedTicks(ch, this.time.now()), 0);
    return this.outAt(ch, ticks);
  }

  /** Drive IRQ0 from counter 0's OUT and schedule the next transition. */
  private updateIrq(ticksOverride = -1): void {
    this.irqTimer.del();
    this.scheduledTick = -1;
    if (!this.irqEnabled) return;
    const ch = this.channels[0];
    let ticks = this.elapsedTicks(ch, this.time.now());
    // The timer fired for a transition at this tick: never count less (float rounding).
    if (ticksOverride >= 0 && ch.running) ticks = Math.max(ticks, ticksOverride);
    const out = this.outAt(ch, ticks);
    if (out !== this.irqLevel) {
      this.irqLevel = out;
      this.irq.set(out);
    }
    const next = this.nextTransition(ch, ticks);
    if (next >= 0) {
      this.scheduledTick = next;
      this.irqTimer.mod(ch.loadTimeNs + ticksToNs(next));
    }
  }

  private irqTimerExpired(): void {
    this.updateIrq(this.scheduledTick);
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `i8254: ${text}\n`);
  }
}
