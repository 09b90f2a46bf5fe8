import type { DeviceTime, DeviceTimer, IrqTrigger, LogSink } from '../device-env.js';
import { SILENT_LOG, UNCONNECTED_IRQ } from '../device-env.js';

// Port offsets (the machine maps them at 0x70/0x71).

/** Index port (write-only): bits 6-0 select a CMOS byte, bit 7 masks NMI. */
export const RTC_INDEX = 0;
/** Data port: reads and writes the selected CMOS byte. */
export const RTC_DATA = 1;
/** Index port bit 7: NMI disabled (the PC routes it to the NMI gate, not to the RTC). */
export const RTC_INDEX_NMI_DISABLE = 0x80;

// CMOS byte indexes of the clock.

/** Seconds. */
export const RTC_SECONDS = 0x00;
/** Seconds alarm. */
export const RTC_SECONDS_ALARM = 0x01;
/** Minutes. */
export const RTC_MINUTES = 0x02;
/** Minutes alarm. */
export const RTC_MINUTES_ALARM = 0x03;
/** Hours (bit 7 = PM in 12-hour mode). */
export const RTC_HOURS = 0x04;
/** Hours alarm. */
export const RTC_HOURS_ALARM = 0x05;
/** Day of week, 1 = Sunday. */
export const RTC_DAY_OF_WEEK = 0x06;
/** Day of month, 1-31. */
export const RTC_DAY_OF_MONTH = 0x07;
/** Month, 1-12. */
export const RTC_MONTH = 0x08;
/** Year within the century, 0-99. */
export const RTC_YEAR = 0x09;
/** Register A: UIP, divider chain select, periodic rate. */
export const RTC_REG_A = 0x0a;
/** Register B: SET, interrupt enables, data mode, 24-hour mode. */
export const RTC_REG_B = 0x0b;
/** Register C (read-only, cleared by reading): interrupt flags. */
export const RTC_REG_C = 0x0c;
/** Register D (read-only): valid RAM and time. */
export const RTC_REG_D = 0x0d;
/** Century (the byte the PC BIOS and ACPI FADT name). */
export const RTC_CENTURY = 0x32;
/** The IBM PS/2 century byte: an alias of 0x32 on writes, as in QEMU. */
export const RTC_IBM_PS2_CENTURY = 0x37;
/** Size of the CMOS RAM including the clock registers. */
export const CMOS_SIZE = 128;

/** Register A: update in progress: the time registers are about to change (244 µs). */
export const REG_A_UIP = 0x80;
/** Register A: divider chain select (bits 6-4); 010 is the 32.768 kHz time base. */
export const REG_A_DV_MASK = 0x70;
/** Register A: divider value for the 32.768 kHz time base, running normally. */
export const REG_A_DV_NORMAL = 0x20;
/** Register A: divider chain in reset (11x). */
export const REG_A_DV_RESET = 0x60;
/** Register A: periodic interrupt rate select (bits 3-0). */
export const REG_A_RATE_MASK = 0x0f;

/** Register B: SET: updates stop so that the time can be written. */
export const REG_B_SET = 0x80;
/** Register B: periodic interrupt enable. */
export const REG_B_PIE = 0x40;
/** Register B: alarm interrupt enable. */
export const REG_B_AIE = 0x20;
/** Register B: update-ended interrupt enable. */
export const REG_B_UIE = 0x10;
/** Register B: square-wave output enable (no pin here). */
export const REG_B_SQWE = 0x08;
/** Register B: data mode binary (BCD when clear). */
export const REG_B_DM_BINARY = 0x04;
/** Register B: 24-hour mode (12-hour with a PM bit when clear). */
export const REG_B_24H = 0x02;
/** Register B: daylight saving enable (not applied, as in QEMU). */
export const REG_B_DSE = 0x01;

/** Register C: an enabled interrupt flag is set (IRQ8 is asserted). */
export const REG_C_IRQF = 0x80;
/** Register C: periodic interrupt flag. */
export const REG_C_PF = 0x40;
/** Register C: alarm flag. */
export const REG_C_AF = 0x20;
/** Register C: update-ended flag. */
export const REG_C_UF = 0x10;
/** Register C: the three event flags. */
export const REG_C_FLAGS = 0x70;

/** Register D: valid RAM and time (the battery is good). */
export const REG_D_VRT = 0x80;

/** Alarm register value bits 7-6 both set: "don't care", matches every value. */
export const ALARM_DONT_CARE = 0xc0;

/** How long UIP is set before each update: 244 µs (8 periods of 32.768 kHz, as QEMU). */
export const UIP_HOLD_NS = 244140;

const NS_PER_S = 1e9;
const RTC_CLOCK_HZ = 32768;
const PM_BIT = 0x80;

export interface Mc146818State {
  cmos: number[];
  index: number;
  nmiMasked: boolean;
  /** Guest time (seconds since 1970, as the registers show it) at {@link baseNs}. */
  baseSeconds: number;
  /** Virtual ns at which second {@link baseSeconds} began. */
  baseNs: number;
  /** Position within the second when the clock stopped (SET or divider reset). */
  frozenSubsecondNs: number;
  /** The last second boundary whose update/alarm flags were accounted for. */
  lastSecondSeen: number;
  /** The last periodic tick (index from baseNs) whose flag was accounted for. */
  periodicSeen: number;
}

export interface Mc146818Options {
  time: DeviceTime;
  /** The guest's time at construction, in ms since 1970, read as the registers show it (UTC). */
  baseTimeMs: number;
  /** IRQ8. */
  irq?: IrqTrigger;
  /** Driven high while index-port bit 7 masks NMI. */
  nmiMask?: IrqTrigger;
  log?: LogSink;
}

function toBcd(value: number): number {
  return ((Math.floor(value / 10) % 10) << 4) | (value % 10);
}

function fromBcd(value: number): number {
  return (value >> 4) * 10 + (value & 0xf);
}

interface TimeFields {
  second: number;
  minute: number;
  hour: number;
  weekday: number;
  day: number;
  month: number;
  year: number;
}

function fieldsOf(seconds: number): TimeFields {
  const d = new Date(seconds * 1000);
  return {
    second: d.getUTCSeconds(),
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    weekday: d.getUTCDay(),
    day: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    year: d.getUTCFullYear(),
  };
}

/**
 * The Motorola MC146818 real-time clock and its CMOS RAM (QEMU's `mc146818rtc`): time and date
 * in BCD or binary, 12- or 24-hour; update-in-progress timing; periodic, alarm and
 * update-ended interrupts on IRQ8 with register C cleared by reading; 128 bytes of CMOS.
 *
 * Time runs on the injected virtual clock from `baseTimeMs` (QEMU's `-rtc base=`, `clock=vm`).
 * The CMOS contents the firmware reads (memory sizes, equipment, boot order) are the machine's
 * to set with {@link setCmosByte}.
 *
 * @example
 * const rtc = new Mc146818({ time, baseTimeMs: Date.UTC(2024, 0, 1), irq: irq8 });
 * rtc.write(RTC_INDEX, RTC_SECONDS);
 * const bcdSeconds = rtc.read(RTC_DATA);
 */
export class Mc146818 {
  private readonly time: DeviceTime;
  private readonly irq: IrqTrigger;
  private readonly nmiMask: IrqTrigger;
  private readonly log: LogSink;
  private readonly periodicTimer: DeviceTimer;
  private readonly updateTimer: DeviceTimer;
  private readonly cmos = new Uint8Array(CMOS_SIZE);
  private index = 0;
  private nmiMasked = false;
  private baseSeconds = 0;
  private baseNs = 0;
  private frozenSubsecondNs = 0;
  private lastSecondSeen = 0;
  private periodicSeen = 0;
  private irqLevel = false;
  private scheduledPeriodic = -1;
  private scheduledSecond = -1;

  constructor(options: Mc146818Options) {
    if (!Number.isFinite(options.baseTimeMs)) {
      throw new Error(`mc146818: baseTimeMs ${options.baseTimeMs} is not a time`);
    }
    this.time = options.time;
    this.irq = options.irq ?? UNCONNECTED_IRQ;
    this.nmiMask = options.nmiMask ?? UNCONNECTED_IRQ;
    this.log = options.log ?? SILENT_LOG;
    this.periodicTimer = this.time.newTimer(() => this.periodicExpired());
    this.updateTimer = this.time.newTimer(() => this.secondExpired());
    this.cmos[RTC_REG_A] = REG_A_DV_NORMAL | 0x06;
    this.cmos[RTC_REG_B] = REG_B_24H;
    this.cmos[RTC_REG_D] = REG_D_VRT;
    this.setTime(options.baseTimeMs);
  }

  /** Set the clock (as `-rtc base=` does), in ms since 1970 read as the registers show it. */
  setTime(timeMs: number): void {
    if (!Number.isFinite(timeMs)) throw new Error(`mc146818: ${timeMs} is not a time`);
    const now = this.time.now();
    this.syncFlags();
    this.baseSeconds = Math.floor(timeMs / 1000);
    this.baseNs = now - Math.round((timeMs - this.baseSeconds * 1000) * 1e6);
    this.frozenSubsecondNs = 0;
    this.restartTracking(now);
    this.refreshTimeRegisters();
  }

  /** The guest's clock now, in ms since 1970 (whole seconds while SET holds it). */
  currentTimeMs(): number {
    return this.running() ? this.currentSecond(this.time.now()) * 1000 : this.decodeTime() * 1000;
  }

  /** Whether index-port bit 7 currently masks NMI. */
  get nmiDisabled(): boolean {
    return this.nmiMasked;
  }

  /** Set a CMOS RAM byte (0x0e-0x7f): the machine fills in what the firmware reads. */
  setCmosByte(index: number, value: number): void {
    this.checkHostIndex(index);
    if (!Number.isInteger(value) || value < 0 || value > 0xff) {
      throw new Error(`mc146818: CMOS value ${value} is not a byte`);
    }
    this.cmos[index] = value;
  }

  /** Read a CMOS byte as the guest would, without side effects (register C is not cleared). */
  getCmosByte(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= CMOS_SIZE) {
      throw new Error(`mc146818: CMOS index ${index} is not 0-127`);
    }
    if (this.isTimeRegister(index)) this.refreshTimeRegisters();
    if (index === RTC_REG_A)
      return this.cmos[RTC_REG_A] | (this.updateInProgress() ? REG_A_UIP : 0);
    if (index === RTC_REG_C) this.syncFlags();
    return this.cmos[index];
  }

  read(offset: number, _size = 1): number {
    if (offset !== RTC_DATA) return 0xff; // The index port is write-only.
    const index = this.index === RTC_IBM_PS2_CENTURY ? RTC_CENTURY : this.index;
    switch (index) {
      case RTC_REG_A:
        return this.cmos[RTC_REG_A] | (this.updateInProgress() ? REG_A_UIP : 0);
      case RTC_REG_C: {
        this.syncFlags();
        const value = this.cmos[RTC_REG_C];
        this.cmos[RTC_REG_C] = 0;
        this.setIrq(false);
        this.scheduleTimers();
        return value;
      }
      default:
        if (this.isTimeRegister(index)) this.refreshTimeRegisters();
        return this.cmos[index];
    }
  }

  write(offset: number, value: number, _size = 1): void {
    value &= 0xff;
    if (offset === RTC_INDEX) {
      this.index = value & 0x7f;
      const masked = (value & RTC_INDEX_NMI_DISABLE) !== 0;
      if (masked !== this.nmiMasked) {
        this.nmiMasked = masked;
        this.nmiMask.set(masked);
      }
      return;
    }
    if (offset !== RTC_DATA) {
      this.guestError(`write of offset ${offset}`);
      return;
    }
    let index = this.index;
    switch (index) {
      case RTC_REG_A:
        this.writeRegA(value);
        return;
      case RTC_REG_B:
        this.writeRegB(value);
        return;
      case RTC_REG_C:
      case RTC_REG_D:
        this.guestError(`write to read-only register ${index === RTC_REG_C ? 'C' : 'D'}`);
        return;
      case RTC_SECONDS_ALARM:
      case RTC_MINUTES_ALARM:
      case RTC_HOURS_ALARM:
        this.syncFlags();
        this.cmos[index] = value;
        this.scheduleTimers();
        return;
      case RTC_IBM_PS2_CENTURY:
        index = RTC_CENTURY;
        break;
    }
    if (!this.isTimeRegister(index)) {
      this.cmos[index] = value;
      return;
    }
    if (this.running()) {
      const now = this.time.now();
      this.syncFlags();
      const subsecond = this.subsecond(now);
      this.refreshTimeRegisters();
      this.cmos[index] = value;
      this.startFromRegisters(now, subsecond);
    } else {
      this.cmos[index] = value;
    }
  }

  /** RESET pin: interrupt enables and flags clear (the time keeps running). */
  reset(): void {
    this.syncFlags();
    this.cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    this.cmos[RTC_REG_C] = 0;
    this.setIrq(false);
    this.scheduleTimers();
  }

  state(): Mc146818State {
    this.syncFlags();
    this.refreshTimeRegisters();
    return {
      cmos: Array.from(this.cmos),
      index: this.index,
      nmiMasked: this.nmiMasked,
      baseSeconds: this.baseSeconds,
      baseNs: this.baseNs,
      frozenSubsecondNs: this.frozenSubsecondNs,
      lastSecondSeen: this.lastSecondSeen,
      periodicSeen: this.periodicSeen,
    };
  }

  /** Load a snapshot: IRQ8 and the NMI mask are driven to the levels the state implies. */
  loadState(state: Mc146818State): void {
    if (!Array.isArray(state.cmos) || state.cmos.length !== CMOS_SIZE) {
      throw new Error(`mc146818 state: cmos must have ${CMOS_SIZE} bytes`);
    }
    this.cmos.set(state.cmos.map((b) => b & 0xff));
    this.cmos[RTC_REG_D] = REG_D_VRT;
    this.cmos[RTC_REG_A] &= ~REG_A_UIP;
    this.index = state.index & 0x7f;
    this.nmiMasked = state.nmiMasked;
    this.baseSeconds = state.baseSeconds;
    this.baseNs = state.baseNs;
    this.frozenSubsecondNs = state.frozenSubsecondNs;
    this.lastSecondSeen = state.lastSecondSeen;
    this.periodicSeen = state.periodicSeen;
    this.nmiMask.set(this.nmiMasked);
    this.irqLevel = (this.cmos[RTC_REG_C] & REG_C_IRQF) !== 0;
    this.irq.set(this.irqLevel);
    this.scheduleTimers();
  }

  static fromState(state: Mc146818State, options: Mc146818Options): Mc146818 {
    const rtc = new Mc146818(options);
    rtc.loadState(state);
    return rtc;
  }

  // --- Time keeping ---------------------------------------------------------------------------

  /** Updates happen: SET is clear and the divider runs (QEMU's rtc_running). */
  private running(): boolean {
    return (
      !(this.cmos[RTC_REG_B] & REG_B_SET) &&
      (this.cmos[RTC_REG_A] & REG_A_DV_MASK) <= REG_A_DV_NORMAL
    );
  }

  /** The 32.768 kHz divider runs (periodic interrupts continue while SET is set). */
  private dividerRunning(): boolean {
    return (this.cmos[RTC_REG_A] & REG_A_DV_MASK) <= REG_A_DV_NORMAL;
  }

  private currentSecond(now: number): number {
    return this.baseSeconds + Math.floor((now - this.baseNs) / NS_PER_S);
  }

  private subsecond(now: number): number {
    const offset = (now - this.baseNs) % NS_PER_S;
    return offset < 0 ? offset + NS_PER_S : offset;
  }

  private updateInProgress(): boolean {
    return this.running() && this.subsecond(this.time.now()) >= NS_PER_S - UIP_HOLD_NS;
  }

  private isTimeRegister(index: number): boolean {
    return (
      index === RTC_SECONDS ||
      index === RTC_MINUTES ||
      index === RTC_HOURS ||
      (index >= RTC_DAY_OF_WEEK && index <= RTC_YEAR) ||
      index === RTC_CENTURY
    );
  }

  private encode(value: number): number {
    return this.cmos[RTC_REG_B] & REG_B_DM_BINARY ? value : toBcd(value);
  }

  private decode(value: number): number {
    return this.cmos[RTC_REG_B] & REG_B_DM_BINARY ? value : fromBcd(value);
  }

  private encodeHour(hour: number): number {
    if (this.cmos[RTC_REG_B] & REG_B_24H) return this.encode(hour);
    return this.encode(hour % 12 || 12) | (hour >= 12 ? PM_BIT : 0);
  }

  private decodeHour(raw: number): number {
    const hour = this.decode(raw & 0x7f);
    if (this.cmos[RTC_REG_B] & REG_B_24H) return this.decode(raw);
    return (hour % 12) + (raw & PM_BIT ? 12 : 0);
  }

  /** Write the clock's current time into the time registers (only while it runs). */
  private refreshTimeRegisters(): void {
    if (!this.running()) return;
    const f = fieldsOf(this.currentSecond(this.time.now()));
    this.cmos[RTC_SECONDS] = this.encode(f.second);
    this.cmos[RTC_MINUTES] = this.encode(f.minute);
    this.cmos[RTC_HOURS] = this.encodeHour(f.hour);
    this.cmos[RTC_DAY_OF_WEEK] = this.encode(f.weekday + 1);
    this.cmos[RTC_DAY_OF_MONTH] = this.encode(f.day);
    this.cmos[RTC_MONTH] = this.encode(f.month);
    this.cmos[RTC_YEAR] = this.encode(f.year % 100);
    this.cmos[RTC_CENTURY] = this.encode(Math.floor(f.year / 100) % 100);
  }

  /** Seconds since 1970 that the time registers spell (whatever garbage the guest wrote). */
  private decodeTime(): number {
    const year = this.decode(this.cmos[RTC_YEAR]) + this.decode(this.cmos[RTC_CENTURY]) * 100;
    const d = new Date(0);
    d.setUTCFullYear(
      year,
      this.decode(this.cmos[RTC_MONTH]) - 1,
      this.decode(this.cmos[RTC_DAY_OF_MONTH]),
    );
    d.setUTCHours(
      this.decodeHour(this.cmos[RTC_HOURS]),
      this.decode(this.cmos[RTC_MINUTES]),
      this.decode(this.cmos[RTC_SECONDS]),
    );
    const ms = d.getTime();
    if (!Number.isFinite(ms)) {
      this.guestError('time registers spell no date; the clock keeps its previous time');
      return this.baseSeconds;
    }
    return Math.floor(ms / 1000);
  }

  private startFromRegisters(now: number, subsecondNs: number): void {
    this.baseSeconds = this.decodeTime();
    this.baseNs = now - subsecondNs;
    this.restartTracking(now);
    this.scheduleTimers();
  }

  private restartTracking(now: number): void {
    this.lastSecondSeen = this.currentSecond(now);
    this.periodicSeen = this.periodicIndex(now);
  }

  private writeRegA(value: number): void {
    const now = this.time.now();
    this.syncFlags();
    const wasRunning = this.running();
    const wasReset = (this.cmos[RTC_REG_A] & REG_A_DV_RESET) === REG_A_DV_RESET;
    if (wasRunning) {
      this.refreshTimeRegisters();
      this.frozenSubsecondNs = this.subsecond(now);
    }
    this.cmos[RTC_REG_A] = value & ~REG_A_UIP;
    if (!wasRunning && this.running()) {
      // Leaving divider reset, the first update comes half a second later.
      this.startFromRegisters(now, wasReset ? NS_PER_S / 2 : this.frozenSubsecondNs);
    } else {
      this.periodicSeen = this.periodicIndex(now);
      this.scheduleTimers();
    }
  }

  private writeRegB(value: number): void {
    const now = this.time.now();
    this.syncFlags();
    const wasRunning = this.running();
    if (wasRunning) {
      this.refreshTimeRegisters();
      this.frozenSubsecondNs = this.subsecond(now);
    }
    // Setting SET clears UIE (data sheet).
    if (value & REG_B_SET) value &= ~REG_B_UIE;
    this.cmos[RTC_REG_B] = value;
    if (!wasRunning && this.running()) {
      this.startFromRegisters(now, this.frozenSubsecondNs);
    }
    // A flag that is already set interrupts as soon as its enable is set.
    this.updateIrqFlag();
    this.scheduleTimers();
  }

  // --- Interrupt flags ------------------------------------------------------------------------

  private periodTicks(): number {
    let rate = this.cmos[RTC_REG_A] & REG_A_RATE_MASK;
    if (rate === 0) return 0;
    if (rate <= 2) rate += 7;
    return 1 << (rate - 1);
  }

  /** Index of the last periodic tick at `now`, counted from baseNs (0 when none is set up). */
  private periodicIndex(now: number): number {
    const period = this.periodTicks();
    if (period === 0) return 0;
    const ticks = Math.floor(((now - this.baseNs) * RTC_CLOCK_HZ) / NS_PER_S + 1e-7);
    return Math.floor(ticks / period);
  }

  /** Set the flags of every event since the last look (flags are kept lazily, as QEMU does). */
  private syncFlags(minSecond = Number.NEGATIVE_INFINITY): void {
    const now = this.time.now();
    let flags = 0;
    if (this.dividerRunning() && this.periodTicks() !== 0) {
      const index = this.periodicIndex(now);
      if (index > this.periodicSeen) {
        flags |= REG_C_PF;
        this.periodicSeen = index;
      }
    }
    if (this.running()) {
      const second = Math.max(this.currentSecond(now), minSecond);
      if (second > this.lastSecondSeen) {
        flags |= REG_C_UF;
        if (this.nextAlarmAfter(this.lastSecondSeen) <= second) flags |= REG_C_AF;
        this.lastSecondSeen = second;
      }
    }
    this.cmos[RTC_REG_C] |= flags;
    this.updateIrqFlag();
  }

  private updateIrqFlag(): void {
    if (this.cmos[RTC_REG_C] & this.cmos[RTC_REG_B] & REG_C_FLAGS) {
      this.cmos[RTC_REG_C] |= REG_C_IRQF;
      this.setIrq(true);
    }
  }

  private setIrq(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq.set(level);
  }

  /** The first second after `after` whose time matches the alarm registers, or Infinity. */
  private nextAlarmAfter(after: number): number {
    const candidates = (raw: number, decoded: number, limit: number): number[] => {
      if ((raw & ALARM_DONT_CARE) === ALARM_DONT_CARE)
        return Array.from({ length: limit }, (_, i) => i);
      return decoded < limit ? [decoded] : [];
    };
    const hours = candidates(
      this.cmos[RTC_HOURS_ALARM],
      this.decodeHour(this.cmos[RTC_HOURS_ALARM]),
      24,
    );
    const minutes = candidates(
      this.cmos[RTC_MINUTES_ALARM],
      this.decode(this.cmos[RTC_MINUTES_ALARM]),
      60,
    );
    const seconds = candidates(
      this.cmos[RTC_SECONDS_ALARM],
      this.decode(this.cmos[RTC_SECONDS_ALARM]),
      60,
    );
    const firstDay = after - (((after % 86400) + 86400) % 86400);
    for (let day = firstDay; day <= firstDay + 86400; day += 86400) {
      for (const h of hours) {
        if (day + h * 3600 + 3599 <= after) continue;
        for (const m of minutes) {
          if (day + h * 3600 + m * 60 + 59 <= after) continue;
          for (const s of seconds) {
            const t = day + h * 3600 + m * 60 + s;
            if (t > after) return t;
          }
        }
      }
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Arm the timers that make enabled interrupts happen on time. */
  private scheduleTimers(): void {
    const now = this.time.now();
    const b = this.cmos[RTC_REG_B];
    const period = this.periodTicks();
    this.scheduledPeriodic = -1;
    if (b & REG_B_PIE && period !== 0 && this.dividerRunning()) {
      const next = Math.max(this.periodicSeen, this.periodicIndex(now)) + 1;
      this.scheduledPeriodic = next;
      this.periodicTimer.mod(this.baseNs + Math.ceil((next * period * NS_PER_S) / RTC_CLOCK_HZ));
    } else {
      this.periodicTimer.del();
    }
    this.scheduledSecond = -1;
    if (this.running() && b & (REG_B_UIE | REG_B_AIE)) {
      const current = Math.max(this.currentSecond(now), this.lastSecondSeen);
      const next = b & REG_B_UIE ? current + 1 : this.nextAlarmAfter(current);
      if (Number.isFinite(next)) {
        this.scheduledSecond = next;
        this.updateTimer.mod(this.baseNs + (next - this.baseSeconds) * NS_PER_S);
        return;
      }
    }
    this.updateTimer.del();
  }

  private periodicExpired(): void {
    this.syncFlags();
    if (this.scheduledPeriodic > this.periodicSeen) {
      // Float rounding must not lose the tick this timer was armed for.
      this.periodicSeen = this.scheduledPeriodic;
      this.cmos[RTC_REG_C] |= REG_C_PF;
      this.updateIrqFlag();
    }
    this.scheduleTimers();
  }

  private secondExpired(): void {
    // Float rounding must not lose the second this timer was armed for.
    this.syncFlags(this.scheduledSecond);
    this.scheduleTimers();
  }

  private checkHostIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= CMOS_SIZE) {
      throw new Error(`mc146818: CMOS index ${index} is not 0-127`);
    }
    if (index <= RTC_REG_D) {
      throw new Error(`mc146818: CMOS byte 0x${index.toString(16)} is a clock register`);
    }
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `mc146818: ${text}\n`);
  }
}
