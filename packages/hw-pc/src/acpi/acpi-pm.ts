/**
 * The ACPI fixed hardware registers of a PM block (ACPI 6.x, 4.8; QEMU's hw/acpi/core.c):
 * the PM1a event block (status and enable), the PM1a control block (SCI_EN, sleep type and
 * sleep enable), the 24-bit power-management timer running at 3.579545 MHz, and a GPE0
 * block. It raises the SCI while an enabled event is pending, and turns SLP_TYP/SLP_EN
 * writes into power-off and suspend requests.
 *
 * Register offsets are inside each block; where the blocks sit is the wrapper's business.
 */
import type { DeviceTime, IrqTrigger, LogSink } from '../device-env.js';
import { SILENT_LOG, UNCONNECTED_IRQ } from '../device-env.js';

/** The PM timer's frequency in Hz (ACPI: 3.579545 MHz, the NTSC colour burst times one). */
export const PM_TIMER_FREQUENCY = 3_579_545;
/** The timer counts 24 bits (TMR_VAL_EXT = 0 in the FADT). */
export const PM_TIMER_MASK = 0xffffff;
/** TMR_STS is set each time bit 23 of the counter changes: every 2^23 ticks. */
const PM_TIMER_OVERFLOW_PERIOD = 0x800000;
const NS_PER_SECOND = 1_000_000_000;

// ---- PM1 event block: status (offset 0) and enable (offset 2), 16 bits each --------------

/** PM1 event block offset of PM1_STS. */
export const PM1_EVT_STS = 0;
/** PM1 event block offset of PM1_EN. */
export const PM1_EVT_EN = 2;
/** TMR_STS: the PM timer's bit 23 changed. */
export const ACPI_BITMASK_TIMER_STATUS = 0x0001;
/** BM_STS: a bus master asked for the bus. */
export const ACPI_BITMASK_BUS_MASTER_STATUS = 0x0010;
/** GBL_STS: the BIOS released the global lock. */
export const ACPI_BITMASK_GLOBAL_LOCK_STATUS = 0x0020;
/** PWRBTN_STS: the power button was pressed. */
export const ACPI_BITMASK_POWER_BUTTON_STATUS = 0x0100;
/** SLPBTN_STS: the sleep button was pressed. */
export const ACPI_BITMASK_SLEEP_BUTTON_STATUS = 0x0200;
/** RTC_STS: the RTC alarm fired. */
export const ACPI_BITMASK_RT_CLOCK_STATUS = 0x0400;
/** PCIEXP_WAKE_STS. */
export const ACPI_BITMASK_PCIEXP_WAKE_STATUS = 0x4000;
/** WAK_STS: the system woke from a sleeping state. */
export const ACPI_BITMASK_WAKE_STATUS = 0x8000;
/** TMR_EN: TMR_STS raises the SCI. */
export const ACPI_BITMASK_TIMER_ENABLE = 0x0001;
/** GBL_EN. */
export const ACPI_BITMASK_GLOBAL_LOCK_ENABLE = 0x0020;
/** PWRBTN_EN. */
export const ACPI_BITMASK_POWER_BUTTON_ENABLE = 0x0100;
/** SLPBTN_EN. */
export const ACPI_BITMASK_SLEEP_BUTTON_ENABLE = 0x0200;
/** RTC_EN. */
export const ACPI_BITMASK_RT_CLOCK_ENABLE = 0x0400;
/** The enable bits that raise the SCI. */
export const ACPI_BITMASK_PM1_COMMON_ENABLED =
  ACPI_BITMASK_RT_CLOCK_ENABLE |
  ACPI_BITMASK_POWER_BUTTON_ENABLE |
  ACPI_BITMASK_GLOBAL_LOCK_ENABLE |
  ACPI_BITMASK_TIMER_ENABLE |
  ACPI_BITMASK_SLEEP_BUTTON_ENABLE;

// ---- PM1 control block (16 bits) --------------------------------------------------------

/** SCI_EN: power management events raise the SCI (set by the ACPI_ENABLE SMI command). */
export const ACPI_BITMASK_SCI_ENABLE = 0x0001;
/** BM_RLD. */
export const ACPI_BITMASK_BUS_MASTER_RLD = 0x0002;
/** GBL_RLS: release the global lock to the BIOS. */
export const ACPI_BITMASK_GLOBAL_LOCK_RELEASE = 0x0004;
/** SLP_TYPx (bits 10-12): the sleeping state to enter; the DSDT's \_Sx objects give values. */
export const ACPI_BITMASK_SLEEP_TYPE = 0x1c00;
export const ACPI_SLEEP_TYPE_SHIFT = 10;
/** SLP_EN (write-only): enter the sleeping state SLP_TYP names. */
export const ACPI_BITMASK_SLEEP_ENABLE = 0x2000;

/** SLP_TYP values of QEMU's PIIX4 DSDT: \_S5 soft-off = 0, \_S3 suspend-to-RAM = 1, \_S4 = 2. */
export const SLP_TYP_S5 = 0;
export const SLP_TYP_S3 = 1;
export const SLP_TYP_S4_DEFAULT = 2;

/** What a PM block asks of the system (a subset of @tsemu/system's SystemRequests). */
export interface PmSystemRequests {
  /** S5 soft-off (or S4): the guest powered itself off. */
  shutdown(cause: 'guest-shutdown'): void;
  /** S3: suspend to RAM. Without it an S3 request is ignored and logged. */
  suspend?(): void;
}

export interface AcpiPmEnv {
  /** The virtual clock the PM timer counts, and the timer that raises TMR_STS. */
  time: DeviceTime;
  /** The SCI (IRQ 9 on a PC), level-triggered. */
  sci?: IrqTrigger;
  requests?: PmSystemRequests;
  /** SLP_TYP value of S4 (QEMU's `s4_val` property); default 2. */
  s4Value?: number;
  /** Bytes in the GPE0 block (status half, then enable half); default 4. */
  gpeLength?: number;
  log?: LogSink;
}

/** The registers' state as plain data. */
export interface AcpiPmState {
  pm1Status: number;
  pm1Enable: number;
  pm1Control: number;
  /** The PM timer tick (unwrapped) at which TMR_STS will next be set. */
  overflowTick: number;
  gpeStatus: number[];
  gpeEnable: number[];
}

/** Ticks of the PM timer at virtual time `ns` (exact: no rounding beyond the floor). */
export function pmTimerTicks(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  const rest = ns - seconds * NS_PER_SECOND;
  return seconds * PM_TIMER_FREQUENCY + Math.floor((rest * PM_TIMER_FREQUENCY) / NS_PER_SECOND);
}

/** The first virtual time (ns) at which the timer has counted `ticks`. */
export function pmTimerTicksToNs(ticks: number): number {
  const whole = Math.floor(ticks / PM_TIMER_FREQUENCY);
  const rest = ticks - whole * PM_TIMER_FREQUENCY;
  return whole * NS_PER_SECOND + Math.ceil((rest * NS_PER_SECOND) / PM_TIMER_FREQUENCY);
}

export class AcpiPm {
  pm1Status = 0;
  pm1Enable = 0;
  pm1Control = 0;
  overflowTick = 0;
  readonly gpeStatus: Uint8Array;
  readonly gpeEnable: Uint8Array;
  readonly #time: DeviceTime;
  readonly #sci: IrqTrigger;
  readonly #requests: PmSystemRequests | undefined;
  readonly #s4Value: number;
  readonly #log: LogSink;
  readonly #timer;

  constructor(env: AcpiPmEnv) {
    this.#time = env.time;
    this.#sci = env.sci ?? UNCONNECTED_IRQ;
    this.#requests = env.requests;
    this.#s4Value = env.s4Value ?? SLP_TYP_S4_DEFAULT;
    this.#log = env.log ?? SILENT_LOG;
    const gpeLength = env.gpeLength ?? 4;
    if (!Number.isInteger(gpeLength) || gpeLength < 2 || gpeLength % 2 !== 0) {
      throw new Error(`ACPI GPE0 block length must be an even number of bytes, got ${gpeLength}`);
    }
    this.gpeStatus = new Uint8Array(gpeLength / 2);
    this.gpeEnable = new Uint8Array(gpeLength / 2);
    this.#timer = env.time.newTimer(() => this.updateSci());
  }

  /** Bytes in the GPE0 block. */
  get gpeLength(): number {
    return this.gpeStatus.length * 2;
  }

  // ---- PM timer --------------------------------------------------------------------------

  /** The 24-bit PM_TMR value now. */
  readTimer(): number {
    return pmTimerTicks(this.#time.now()) & PM_TIMER_MASK;
  }

  /** Arm TMR_STS for the next change of bit 23 (QEMU's acpi_pm_tmr_calc_overflow_time). */
  #calcOverflowTick(): void {
    const ticks = pmTimerTicks(this.#time.now());
    this.overflowTick =
      (Math.floor(ticks / PM_TIMER_OVERFLOW_PERIOD) + 1) * PM_TIMER_OVERFLOW_PERIOD;
  }

  // ---- PM1 event block -------------------------------------------------------------------

  /** PM1_STS, with TMR_STS set if bit 23 changed since it was last cleared. */
  readStatus(): number {
    if (pmTimerTicks(this.#time.now()) >= this.overflowTick) {
      this.pm1Status |= ACPI_BITMASK_TIMER_STATUS;
    }
    return this.pm1Status;
  }

  /** Write 1 to clear status bits; clearing TMR_STS arms the next overflow. */
  writeStatus(value: number): void {
    const status = this.readStatus();
    if (status & value & ACPI_BITMASK_TIMER_STATUS) this.#calcOverflowTick();
    this.pm1Status &= ~value & 0xffff;
    this.updateSci();
  }

  writeEnable(value: number): void {
    this.pm1Enable = value & 0xffff;
    this.updateSci();
  }

  /** A read of the PM1 event block (offset 0 status, 2 enable). */
  readEvent(offset: number): number {
    if (offset === PM1_EVT_STS) return this.readStatus();
    if (offset === PM1_EVT_EN) return this.pm1Enable;
    return 0;
  }

  writeEvent(offset: number, value: number): void {
    if (offset === PM1_EVT_STS) this.writeStatus(value);
    else if (offset === PM1_EVT_EN) this.writeEnable(value);
  }

  /** The power button (QEMU's system_powerdown): PWRBTN_STS and an SCI, if enabled. */
  powerButton(): void {
    if (this.pm1Enable & ACPI_BITMASK_POWER_BUTTON_ENABLE) {
      this.pm1Status |= ACPI_BITMASK_POWER_BUTTON_STATUS;
      this.updateSci();
    }
  }

  /** The system woke from S3: WAK_STS, plus the status bit of what woke it. */
  wakeup(reason: 'rtc' | 'pmtimer' | 'other'): void {
    const cause =
      reason === 'rtc'
        ? ACPI_BITMASK_RT_CLOCK_STATUS
        : reason === 'pmtimer'
          ? ACPI_BITMASK_TIMER_STATUS
          : ACPI_BITMASK_POWER_BUTTON_STATUS;
    this.pm1Status |= ACPI_BITMASK_WAKE_STATUS | cause;
  }

  // ---- PM1 control block -----------------------------------------------------------------

  readControl(): number {
    return this.pm1Control;
  }

  /** SLP_EN reads as 0; with it, SLP_TYP selects soft-off, suspend, or S4 (QEMU's acpi_pm1_cnt_write). */
  writeControl(value: number): void {
    this.pm1Control = value & 0xffff & ~ACPI_BITMASK_SLEEP_ENABLE;
    if (!(value & ACPI_BITMASK_SLEEP_ENABLE)) return;
    const sleepType = (value & ACPI_BITMASK_SLEEP_TYPE) >> ACPI_SLEEP_TYPE_SHIFT;
    if (sleepType === SLP_TYP_S5) {
      this.#requestShutdown('S5 soft-off');
    } else if (sleepType === SLP_TYP_S3) {
      if (this.#requests?.suspend) this.#requests.suspend();
      else this.#logUnimp('S3 suspend requested, but the machine cannot suspend');
    } else if (sleepType === this.#s4Value) {
      this.#requestShutdown('S4 suspend-to-disk');
    } else {
      this.#logGuestError(`SLP_EN with unknown SLP_TYP ${sleepType}`);
    }
  }

  /** The APM ACPI_ENABLE / ACPI_DISABLE commands (ACPI 3.0, 4.7.2.5): SCI_EN on or off. */
  setSciEnable(enable: boolean): void {
    if (enable) this.pm1Control |= ACPI_BITMASK_SCI_ENABLE;
    else this.pm1Control &= ~ACPI_BITMASK_SCI_ENABLE;
  }

  #requestShutdown(what: string): void {
    if (this.#requests) this.#requests.shutdown('guest-shutdown');
    else this.#logUnimp(`${what} requested, but nothing handles power-off`);
  }

  // ---- GPE0 block ------------------------------------------------------------------------

  /** A byte of the GPE0 block: status bytes (write 1 to clear), then enable bytes. */
  readGpe(offset: number): number {
    const half = this.gpeStatus.length;
    if (offset < half) return this.gpeStatus[offset];
    if (offset < 2 * half) return this.gpeEnable[offset - half];
    return 0;
  }

  writeGpe(offset: number, value: number): void {
    const half = this.gpeStatus.length;
    if (offset < half) this.gpeStatus[offset] &= ~value;
    else if (offset < 2 * half) this.gpeEnable[offset - half] = value;
    this.updateSci();
  }

  /** Raise general-purpose event `bit` (a hotplug notification, for instance). */
  raiseGpe(bit: number): void {
    const byte = bit >> 3;
    if (!Number.isInteger(bit) || bit < 0 || byte >= this.gpeStatus.length) {
      throw new Error(`GPE0 has no event ${bit}`);
    }
    this.gpeStatus[byte] |= 1 << (bit & 7);
    this.updateSci();
  }

  // ---- SCI ---------------------------------------------------------------------------------

  /** Whether an enabled event is pending: the SCI level. */
  get sciLevel(): boolean {
    const status = this.readStatus();
    if (status & this.pm1Enable & ACPI_BITMASK_PM1_COMMON_ENABLED) return true;
    for (let i = 0; i < this.gpeStatus.length; i++) {
      if (this.gpeStatus[i] & this.gpeEnable[i]) return true;
    }
    return false;
  }

  /**
   * Drive the SCI and arm the timer for the next TMR_STS if TMR_EN waits for it
   * (QEMU's acpi_update_sci).
   */
  updateSci(): void {
    this.#sci.set(this.sciLevel);
    const waiting =
      (this.pm1Enable & ACPI_BITMASK_TIMER_ENABLE) !== 0 &&
      (this.pm1Status & ACPI_BITMASK_TIMER_STATUS) === 0;
    if (waiting) this.#timer.mod(pmTimerTicksToNs(this.overflowTick));
    else this.#timer.del();
  }

  // ---- reset and state ---------------------------------------------------------------------

  /**
   * Power-on values: no events enabled, SCI_EN clear. As in QEMU, TMR_STS reads as set until
   * the guest first clears it, which arms the next overflow.
   */
  reset(): void {
    this.pm1Status = 0;
    this.pm1Enable = 0;
    this.pm1Control = 0;
    this.overflowTick = 0;
    this.gpeStatus.fill(0);
    this.gpeEnable.fill(0);
    this.#timer.del();
    this.#sci.set(false);
  }

  /** The registers as data; TMR_STS is folded in if the timer has set it since. */
  state(): AcpiPmState {
    return {
      pm1Status: this.readStatus(),
      pm1Enable: this.pm1Enable,
      pm1Control: this.pm1Control,
      overflowTick: this.overflowTick,
      gpeStatus: [...this.gpeStatus],
      gpeEnable: [...this.gpeEnable],
    };
  }

  /** Restore a snapshot; the SCI and the timer follow the restored registers. */
  loadState(state: AcpiPmState): void {
    this.pm1Status = state.pm1Status & 0xffff;
    this.pm1Enable = state.pm1Enable & 0xffff;
    this.pm1Control = state.pm1Control & 0xffff;
    this.overflowTick = Math.max(0, Math.floor(state.overflowTick));
    this.gpeStatus.fill(0).set(state.gpeStatus.slice(0, this.gpeStatus.length));
    this.gpeEnable.fill(0).set(state.gpeEnable.slice(0, this.gpeEnable.length));
    this.updateSci();
  }

  #logGuestError(text: string): void {
    if (this.#log.enabled('guest_errors')) this.#log.write('guest_errors', `acpi-pm: ${text}\n`);
  }

  #logUnimp(text: string): void {
    if (this.#log.enabled('unimp')) this.#log.write('unimp', `acpi-pm: ${text}\n`);
  }
}
