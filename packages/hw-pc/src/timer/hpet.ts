import type { DeviceTime, DeviceTimer, IrqTrigger, LogSink } from '../device-env.js';
import { SILENT_LOG, UNCONNECTED_IRQ } from '../device-env.js';

// General registers (dword offsets; the machine maps the block at 0xfed00000).

/** General capabilities and ID, low dword: revision, timer count, counter size, legacy, vendor. */
export const HPET_ID = 0x000;
/** General capabilities, high dword: the main counter's tick period in femtoseconds. */
export const HPET_PERIOD = 0x004;
/** General configuration: overall enable and legacy replacement route. */
export const HPET_CFG = 0x010;
/** General interrupt status: one bit per level-triggered timer that fired (write 1 to clear). */
export const HPET_STATUS = 0x020;
/** Main counter value, low dword. */
export const HPET_COUNTER = 0x0f0;
/** Main counter value, high dword. */
export const HPET_COUNTER_HIGH = 0x0f4;
/** First timer's registers; timer n is at 0x100 + 0x20 * n. */
export const HPET_TIMER_BASE = 0x100;
/** Stride between timer register blocks. */
export const HPET_TIMER_STRIDE = 0x20;
/** Size of the MMIO block. */
export const HPET_MMIO_SIZE = 0x400;

// Timer registers, relative to the timer's block.

/** Timer configuration and capabilities, low dword. */
export const HPET_TN_CFG = 0x00;
/** Timer interrupt routing capability (read-only): one bit per I/O APIC input it can drive. */
export const HPET_TN_INT_CAP = 0x04;
/** Timer comparator, low dword. */
export const HPET_TN_CMP = 0x08;
/** Timer comparator, high dword. */
export const HPET_TN_CMP_HIGH = 0x0c;
/** FSB interrupt route: message value. */
export const HPET_TN_FSB_VALUE = 0x10;
/** FSB interrupt route: message address. */
export const HPET_TN_FSB_ADDRESS = 0x14;

/** Number of timers (QEMU's default). */
export const HPET_NUM_TIMERS = 3;
/** Main counter tick in femtoseconds: 10 ns, a 100 MHz counter (as QEMU). */
export const HPET_CLK_PERIOD_FS = 10_000_000;
/** Main counter tick in ns. */
export const HPET_TICK_NS = 10;
/** Capabilities low dword: vendor 8086, legacy route capable, 64-bit counter, revision 1, 3 timers. */
export const HPET_ID_VALUE = 0x8086a001 | ((HPET_NUM_TIMERS - 1) << 8);
/** Shortest interval between two periodic expiries the model schedules: 1 µs. */
export const HPET_MIN_PERIODIC_TICKS = 100;
/** Default interrupt routing capability, as QEMU's pc-piix machines: GSI 2 only. */
export const HPET_INTCAP_PC = 0x4;

/** HPET_CFG: enable the main counter and timer interrupts. */
export const HPET_CFG_ENABLE = 0x1;
/** HPET_CFG: legacy replacement route: timer 0 drives IRQ0, timer 1 IRQ8; PIT and RTC are cut off. */
export const HPET_CFG_LEGACY = 0x2;
/** HPET_CFG writable bits. */
export const HPET_CFG_WRITABLE = 0x3;

/** Timer config: level-triggered interrupt (edge when clear). */
export const HPET_TN_TYPE_LEVEL = 1 << 1;
/** Timer config: interrupt enable. */
export const HPET_TN_ENABLE = 1 << 2;
/** Timer config: periodic mode. */
export const HPET_TN_PERIODIC = 1 << 3;
/** Timer capability (read-only): periodic mode supported. */
export const HPET_TN_PERIODIC_CAP = 1 << 4;
/** Timer capability (read-only): 64-bit comparator. */
export const HPET_TN_SIZE_CAP = 1 << 5;
/** Timer config: the next comparator write sets the comparator itself in periodic mode. */
export const HPET_TN_SETVAL = 1 << 6;
/** Timer config: force 32-bit mode. */
export const HPET_TN_32BIT = 1 << 8;
/** Timer config: interrupt route (bits 13-9): the I/O APIC input to drive. */
export const HPET_TN_INT_ROUTE_SHIFT = 9;
/** Mask of the interrupt route field. */
export const HPET_TN_INT_ROUTE_MASK = 0x3e00;
/** Timer config: FSB (MSI) delivery. Not offered. */
export const HPET_TN_FSB_ENABLE = 1 << 14;
/** Writable timer config bits (without FSB delivery, which is not offered). */
export const HPET_TN_CFG_WRITABLE = 0x3f4e;

/** ISA IRQ the legacy route gives timer 1 (the RTC's). */
export const HPET_RTC_ISA_IRQ = 8;

const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;

interface HpetTimerRegs {
  config: number;
  cmpLow: number;
  cmpHigh: number;
  periodLow: number;
  periodHigh: number;
  fsbValue: number;
  fsbAddress: number;
  /** One-shot 32-bit mode: the pending expiry is the counter wrap, not the match. */
  wrapFlag: boolean;
}

export interface HpetState {
  config: number;
  isr: number;
  /** Main counter while halted; the counter at {@link counterBaseNs} while running. */
  counter: number;
  counterBaseNs: number;
  rtcIrqLevel: boolean;
  timers: HpetTimerRegs[];
}

export interface HpetOptions {
  time: DeviceTime;
  /** Output lines by route: index 0-23 are GSIs (0 is ISA IRQ0, 8 the RTC's IRQ8). */
  irqs?: readonly IrqTrigger[];
  /** Driven low while legacy replacement is on: connect to the PIT's interrupt enable. */
  pitEnable?: IrqTrigger;
  /** Interrupt routing capability of each timer (default {@link HPET_INTCAP_PC}). */
  intcap?: number;
  log?: LogSink;
}

/**
 * The High Precision Event Timer (QEMU's `hpet`): a 64-bit main counter at 100 MHz and three
 * comparators, 32- or 64-bit, one-shot or periodic, edge or level, routed to I/O APIC inputs
 * or, in legacy replacement mode, timer 0 to IRQ0 and timer 1 to IRQ8.
 *
 * The core implements dword accesses; the memory API splits 64-bit accesses in two (QEMU's
 * impl.max_access_size = 4). The main counter is exact below 2^53 ticks (2.8 years).
 *
 * @example
 * const hpet = new Hpet({ time, irqs: gsiLines });
 * const cfg = HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL | HPET_TN_32BIT;
 * hpet.write(HPET_TIMER_BASE + HPET_TN_CFG, cfg);  // as Linux's periodic clockevent
 * hpet.write(HPET_TIMER_BASE + HPET_TN_CMP, 100_000); // first match (SETVAL)
 * hpet.write(HPET_TIMER_BASE + HPET_TN_CMP, 100_000); // period: 1 ms
 * hpet.write(HPET_CFG, HPET_CFG_ENABLE | HPET_CFG_LEGACY); // timer 0 on IRQ0
 */
export class Hpet {
  /** Input: the PIT's IRQ0 output, passed on to route 0 unless legacy replacement is on. */
  readonly legacyPitIrq: IrqTrigger;
  /** Input: the RTC's IRQ8 output, passed on to route 8 unless legacy replacement is on. */
  readonly legacyRtcIrq: IrqTrigger;

  private readonly time: DeviceTime;
  private readonly irqs: readonly IrqTrigger[];
  private readonly pitEnable: IrqTrigger;
  private readonly intcap: number;
  private readonly log: LogSink;
  private readonly qemuTimers: DeviceTimer[];
  private readonly timers: HpetTimerRegs[];
  private config = 0;
  private isr = 0;
  private counter = 0;
  private counterBaseNs = 0;
  private rtcIrqLevel = false;

  constructor(options: HpetOptions) {
    this.time = options.time;
    this.irqs = options.irqs ?? [];
    this.pitEnable = options.pitEnable ?? UNCONNECTED_IRQ;
    this.intcap = (options.intcap ?? HPET_INTCAP_PC) >>> 0;
    this.log = options.log ?? SILENT_LOG;
    this.timers = [];
    this.qemuTimers = [];
    for (let i = 0; i < HPET_NUM_TIMERS; i++) {
      this.timers.push(this.resetTimerRegs());
      this.qemuTimers.push(this.time.newTimer(() => this.timerExpired(i)));
    }
    this.legacyPitIrq = {
      set: (level) => {
        if (!this.legacy) this.route(0).set(level);
      },
    };
    this.legacyRtcIrq = {
      set: (level) => {
        this.rtcIrqLevel = level;
        if (!this.legacy) this.route(HPET_RTC_ISA_IRQ).set(level);
      },
    };
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < HPET_NUM_TIMERS; i++) {
      this.qemuTimers[i].del();
      this.timers[i] = this.resetTimerRegs();
    }
    this.config = 0;
    this.isr = 0;
    this.counter = 0;
    this.counterBaseNs = 0;
    this.pitEnable.set(true);
  }

  /** The main counter now, in ticks. */
  counterValue(): number {
    if (!this.enabled) return this.counter;
    return this.counter + Math.floor((this.time.now() - this.counterBaseNs) / HPET_TICK_NS);
  }

  read(offset: number, size = 4): number {
    if (size !== 4 || offset & 3) {
      this.guestError(`${size}-byte read at 0x${offset.toString(16)}`);
      return 0;
    }
    if (offset >= HPET_TIMER_BASE) return this.readTimer(offset);
    switch (offset) {
      case HPET_ID:
        return HPET_ID_VALUE >>> 0;
      case HPET_PERIOD:
        return HPET_CLK_PERIOD_FS;
      case HPET_CFG:
        return this.config;
      case HPET_STATUS:
        return this.isr;
      case HPET_COUNTER:
        return this.counterValue() % TWO_32;
      case HPET_COUNTER_HIGH:
        return Math.floor(this.counterValue() / TWO_32) % TWO_32;
      default:
        return 0; // Reserved dwords read as zero.
    }
  }

  write(offset: number, value: number, size = 4): void {
    if (size !== 4 || offset & 3) {
      this.guestError(`${size}-byte write at 0x${offset.toString(16)}`);
      return;
    }
    value >>>= 0;
    if (offset >= HPET_TIMER_BASE) {
      this.writeTimer(offset, value);
      return;
    }
    switch (offset) {
      case HPET_CFG:
        this.writeConfig(value);
        return;
      case HPET_STATUS:
        for (let i = 0; i < HPET_NUM_TIMERS; i++) {
          if (value & this.isr & (1 << i)) this.updateIrq(i, false);
        }
        return;
      case HPET_COUNTER:
      case HPET_COUNTER_HIGH: {
        if (this.enabled) {
          this.guestError('main counter written while the HPET is enabled');
          return;
        }
        const low = this.counter % TWO_32;
        const high = Math.floor(this.counter / TWO_32);
        this.counter = offset === HPET_COUNTER ? high * TWO_32 + value : value * TWO_32 + low;
        return;
      }
      default:
        this.guestError(`write to read-only or reserved register 0x${offset.toString(16)}`);
    }
  }

  state(): HpetState {
    return {
      config: this.config,
      isr: this.isr,
      counter: this.counter,
      counterBaseNs: this.counterBaseNs,
      rtcIrqLevel: this.rtcIrqLevel,
      timers: this.timers.map((t) => ({ ...t })),
    };
  }

  /** Load a snapshot: re-arms enabled timers and re-drives the lines the state implies. */
  loadState(state: HpetState): void {
    if (!Array.isArray(state.timers) || state.timers.length !== HPET_NUM_TIMERS) {
      throw new Error(`hpet state: need ${HPET_NUM_TIMERS} timers`);
    }
    this.config = state.config & HPET_CFG_WRITABLE;
    this.isr = state.isr & ((1 << HPET_NUM_TIMERS) - 1);
    this.counter = state.counter;
    this.counterBaseNs = state.counterBaseNs;
    this.rtcIrqLevel = state.rtcIrqLevel;
    for (let i = 0; i < HPET_NUM_TIMERS; i++) {
      const t = { ...this.resetTimerRegs(), ...state.timers[i] };
      t.config = (t.config & HPET_TN_CFG_WRITABLE) | HPET_TN_PERIODIC_CAP | HPET_TN_SIZE_CAP;
      for (const key of [
        'cmpLow',
        'cmpHigh',
        'periodLow',
        'periodHigh',
        'fsbValue',
        'fsbAddress',
      ] as const) {
        t[key] >>>= 0;
      }
      this.timers[i] = t;
      this.qemuTimers[i].del();
    }
    this.pitEnable.set(!this.legacy);
    if (!this.legacy) this.route(HPET_RTC_ISA_IRQ).set(this.rtcIrqLevel);
    for (let i = 0; i < HPET_NUM_TIMERS; i++) {
      const t = this.timers[i];
      if (this.isr & (1 << i) && t.config & HPET_TN_TYPE_LEVEL) this.timerRoute(i).set(true);
      if (this.enabled && t.config & HPET_TN_ENABLE) this.setTimer(i, t.wrapFlag);
    }
  }

  static fromState(state: HpetState, options: HpetOptions): Hpet {
    const hpet = new Hpet(options);
    hpet.loadState(state);
    return hpet;
  }

  private get enabled(): boolean {
    return (this.config & HPET_CFG_ENABLE) !== 0;
  }

  private get legacy(): boolean {
    return (this.config & HPET_CFG_LEGACY) !== 0;
  }

  private resetTimerRegs(): HpetTimerRegs {
    return {
      config: HPET_TN_PERIODIC_CAP | HPET_TN_SIZE_CAP,
      cmpLow: 0xffffffff,
      cmpHigh: 0xffffffff,
      periodLow: 0,
      periodHigh: 0,
      fsbValue: 0,
      fsbAddress: 0,
      wrapFlag: false,
    };
  }

  private route(index: number): IrqTrigger {
    return this.irqs[index] ?? UNCONNECTED_IRQ;
  }

  private timerRoute(n: number): IrqTrigger {
    if (n <= 1 && this.legacy) return this.route(n === 0 ? 0 : HPET_RTC_ISA_IRQ);
    return this.route((this.timers[n].config & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT);
  }

  private readTimer(offset: number): number {
    const n = (offset - HPET_TIMER_BASE) >> 5;
    if (n >= HPET_NUM_TIMERS) return 0;
    const t = this.timers[n];
    switch ((offset - HPET_TIMER_BASE) & 0x1f) {
      case HPET_TN_CFG:
        return t.config;
      case HPET_TN_INT_CAP:
        return this.intcap;
      case HPET_TN_CMP:
        return t.cmpLow;
      case HPET_TN_CMP_HIGH:
        return t.cmpHigh;
      case HPET_TN_FSB_VALUE:
        return t.fsbValue;
      case HPET_TN_FSB_ADDRESS:
        return t.fsbAddress;
      default:
        return 0;
    }
  }

  private writeTimer(offset: number, value: number): void {
    const n = (offset - HPET_TIMER_BASE) >> 5;
    if (n >= HPET_NUM_TIMERS) {
      this.guestError(`write to absent timer ${n}`);
      return;
    }
    const t = this.timers[n];
    switch ((offset - HPET_TIMER_BASE) & 0x1f) {
      case HPET_TN_CFG:
        this.writeTimerConfig(n, value);
        return;
      case HPET_TN_CMP:
      case HPET_TN_CMP_HIGH: {
        const high = ((offset - HPET_TIMER_BASE) & 0x1f) === HPET_TN_CMP_HIGH;
        const is32 = (t.config & HPET_TN_32BIT) !== 0;
        if (high && is32) return; // The high dword does not exist in 32-bit mode.
        const periodic = (t.config & HPET_TN_PERIODIC) !== 0;
        if (!periodic || t.config & HPET_TN_SETVAL) {
          if (high) t.cmpHigh = value;
          else t.cmpLow = value;
        }
        if (periodic) {
          // The period is kept below half the counter range, so that a match is never missed.
          if (high) t.periodHigh = value & 0x7fffffff;
          else t.periodLow = is32 ? value & 0x7fffffff : value;
        }
        // SETVAL clears after the write that completes the comparator: the low dword in
        // 32-bit mode, the high dword in 64-bit mode (a 64-bit write arrives as two dwords).
        if (is32 || high) t.config &= ~HPET_TN_SETVAL;
        if (this.enabled && t.config & HPET_TN_ENABLE) this.setTimer(n);
        return;
      }
      case HPET_TN_FSB_VALUE:
        t.fsbValue = value;
        return;
      case HPET_TN_FSB_ADDRESS:
        t.fsbAddress = value;
        return;
      default:
        this.guestError(`write to read-only timer register 0x${offset.toString(16)}`);
    }
  }

  private writeTimerConfig(n: number, value: number): void {
    const t = this.timers[n];
    const old = t.config;
    const route = (value & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT;
    if (!(this.intcap & (1 << route)) && !(n <= 1 && this.legacy)) {
      this.guestError(`timer ${n}: route ${route} is not in its capabilities`);
    }
    if (value & HPET_TN_FSB_ENABLE) this.guestError(`timer ${n}: FSB delivery is not offered`);
    t.config = (value & HPET_TN_CFG_WRITABLE) | HPET_TN_PERIODIC_CAP | HPET_TN_SIZE_CAP;
    if (t.config & HPET_TN_32BIT) {
      t.cmpHigh = 0;
      t.periodHigh = 0;
    }
    if (old & HPET_TN_TYPE_LEVEL && !(t.config & HPET_TN_TYPE_LEVEL) && this.isr & (1 << n)) {
      this.isr &= ~(1 << n);
      this.timerRoute(n).set(false);
    }
    if (!(old & HPET_TN_ENABLE) && t.config & HPET_TN_ENABLE) {
      if (this.enabled) this.setTimer(n);
    } else if (old & HPET_TN_ENABLE && !(t.config & HPET_TN_ENABLE)) {
      this.qemuTimers[n].del();
      this.updateIrq(n, false);
    }
  }

  private writeConfig(value: number): void {
    const old = this.config;
    this.config = value & HPET_CFG_WRITABLE;
    const now = this.time.now();
    if (!(old & HPET_CFG_ENABLE) && this.config & HPET_CFG_ENABLE) {
      this.counterBaseNs = now;
      for (let i = 0; i < HPET_NUM_TIMERS; i++) {
        const t = this.timers[i];
        if (!(t.config & HPET_TN_ENABLE)) continue;
        if (this.isr & (1 << i)) this.updateIrq(i, true);
        this.setTimer(i);
      }
    } else if (old & HPET_CFG_ENABLE && !(this.config & HPET_CFG_ENABLE)) {
      this.counter += Math.floor((now - this.counterBaseNs) / HPET_TICK_NS);
      for (let i = 0; i < HPET_NUM_TIMERS; i++) {
        this.qemuTimers[i].del();
        if (this.timers[i].config & HPET_TN_ENABLE) this.updateIrq(i, false);
      }
    }
    if (!(old & HPET_CFG_LEGACY) && this.config & HPET_CFG_LEGACY) {
      this.pitEnable.set(false);
      this.route(0).set(false);
      this.route(HPET_RTC_ISA_IRQ).set(false);
    } else if (old & HPET_CFG_LEGACY && !(this.config & HPET_CFG_LEGACY)) {
      this.route(0).set(false);
      this.pitEnable.set(true);
      this.route(HPET_RTC_ISA_IRQ).set(this.rtcIrqLevel);
    }
  }

  private comparator(n: number): number {
    const t = this.timers[n];
    return t.cmpHigh * TWO_32 + t.cmpLow;
  }

  /** Ticks from `current` to the comparator: at least 1 (a match in the past fires at once). */
  private ticksToMatch(n: number, current: number): number {
    const t = this.timers[n];
    if (t.config & HPET_TN_32BIT) {
      const diff = (t.cmpLow - (current % TWO_32) + TWO_32) % TWO_32;
      return diff === 0 || diff >= 2 ** 31 ? 1 : diff;
    }
    const diff = this.comparator(n) - current;
    return diff <= 0 || diff >= TWO_63 ? 1 : diff;
  }

  /** Arm timer n's expiry for its next match (QEMU's hpet_set_timer). */
  private setTimer(n: number, keepWrap = false, minTicks = 1): void {
    const t = this.timers[n];
    const now = this.time.now();
    const current = this.counterValue();
    let ticks = Math.max(this.ticksToMatch(n, current), minTicks);
    t.wrapFlag = false;
    // One-shot 32-bit mode also interrupts when the counter wraps.
    if (t.config & HPET_TN_32BIT && !(t.config & HPET_TN_PERIODIC)) {
      const toWrap = TWO_32 - (current % TWO_32);
      if (toWrap < ticks || (keepWrap && toWrap === ticks)) {
        ticks = toWrap;
        t.wrapFlag = true;
      }
    }
    this.qemuTimers[n].mod(this.tickTime(current + ticks, now));
  }

  /** The virtual ns at which the running main counter reaches `tick`. */
  private tickTime(tick: number, now: number): number {
    return Math.max(now, this.counterBaseNs + (tick - this.counter) * HPET_TICK_NS);
  }

  private timerExpired(n: number): void {
    const t = this.timers[n];
    if (!this.enabled || !(t.config & HPET_TN_ENABLE)) return;
    const current = this.counterValue();
    const periodic = (t.config & HPET_TN_PERIODIC) !== 0;
    const period = t.periodHigh * TWO_32 + t.periodLow;
    if (periodic && period !== 0) {
      // The comparator moves on by whole periods past the counter.
      if (t.config & HPET_TN_32BIT) {
        const behind = (current % TWO_32) - t.cmpLow;
        const diff = ((behind % TWO_32) + TWO_32) % TWO_32;
        if (diff < 2 ** 31) {
          const steps = Math.floor(diff / period) + 1;
          t.cmpLow = (t.cmpLow + steps * period) % TWO_32;
        }
      } else {
        const cmp = this.comparator(n);
        if (current >= cmp) {
          const next = cmp + (Math.floor((current - cmp) / period) + 1) * period;
          t.cmpLow = next % TWO_32;
          t.cmpHigh = Math.floor(next / TWO_32) % TWO_32;
        }
      }
      // A tiny period is not scheduled tick by tick: the comparator catches up at the next expiry.
      this.setTimer(n, false, HPET_MIN_PERIODIC_TICKS);
    } else if (t.wrapFlag) {
      // That was the wrap interrupt; the match comes later.
      t.wrapFlag = false;
      const ticks = this.ticksToMatch(n, current);
      this.qemuTimers[n].mod(this.tickTime(current + ticks, this.time.now()));
    }
    this.updateIrq(n, true);
  }

  /** Raise (level), pulse (edge) or lower timer n's interrupt (QEMU's update_irq). */
  private updateIrq(n: number, set: boolean): void {
    const t = this.timers[n];
    const mask = 1 << n;
    const line = this.timerRoute(n);
    if (!set || !(t.config & HPET_TN_ENABLE) || !this.enabled) {
      this.isr &= ~mask;
      line.set(false);
    } else if (t.config & HPET_TN_TYPE_LEVEL) {
      this.isr |= mask;
      line.set(true);
    } else {
      this.isr &= ~mask;
      line.set(true);
      line.set(false);
    }
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `hpet: ${text}\n`);
  }
}
