import type { DeviceTime, DeviceTimer, IrqTrigger, LogSink } from '../device-env.js';
import { SILENT_LOG } from '../device-env.js';
import {
  type ApicBus,
  type ApicBusTarget,
  DELIVERY_EXTINT,
  DELIVERY_FIXED,
  DELIVERY_INIT,
  DELIVERY_LOWEST_PRIORITY,
  DELIVERY_NMI,
  DELIVERY_SMI,
  DELIVERY_STARTUP,
  TRIGGER_LEVEL,
} from './apic-bus.js';
import {
  CPU_INTERRUPT_HARD,
  CPU_INTERRUPT_INIT,
  CPU_INTERRUPT_NMI,
  CPU_INTERRUPT_SIPI,
  CPU_INTERRUPT_SMI,
  type CpuInterruptLines,
  type CpuKick,
  type ExtIntSource,
} from './cpu-interrupts.js';
import * as R from './local-apic-regs.js';

/** The shortest interval between two periodic timer interrupts the model schedules (ns). */
export const APIC_TIMER_MIN_PERIOD_NS = 1000;

/** Everything a local APIC remembers, as plain data. */
export interface LocalApicState {
  /** Physical address bits of IA32_APIC_BASE. */
  baseAddress: number;
  bsp: boolean;
  /** IA32_APIC_BASE global enable. */
  enabled: boolean;
  id: number;
  tpr: number;
  svr: number;
  ldr: number;
  /** DFR model (bits 31-28). */
  dfrModel: number;
  isr: number[];
  tmr: number[];
  irr: number[];
  esr: number;
  pendingErrors: number;
  icrLow: number;
  icrHigh: number;
  lvt: number[];
  initialCount: number;
  divideConfig: number;
  /** Virtual-clock ns when the initial count was written. */
  timerLoadNs: number;
  tscDeadline: number;
  lint0Level: boolean;
  lint1Level: boolean;
  nmiPending: boolean;
  initPending: boolean;
  sipiPending: boolean;
  sipiVector: number;
  smiPending: boolean;
  extIntPending: boolean;
  waitForSipi: boolean;
}

export interface LocalApicOptions {
  /** The bus that carries IPIs and EOI broadcasts; the APIC attaches itself to it. */
  bus: ApicBus;
  /** The virtual clock and timers (the APIC timer counts at 1 GHz before the divider). */
  time: DeviceTime;
  /** Initial APIC ID (0-255). */
  id: number;
  /** Whether this is the bootstrap processor (IA32_APIC_BASE.BSP). Default: id === 0. */
  bsp?: boolean;
  /** Called when something new becomes pending for the CPU (a JIT leaves its blocks). */
  kick?: CpuKick;
  /** The 8259 pair, which answers INTA cycles for ExtINT interrupts. */
  extInt?: ExtIntSource;
  /** Allow the TSC-deadline timer mode (only if the CPU's CPUID advertises it). */
  tscDeadline?: boolean;
  /** TSC frequency, to convert IA32_TSC_DEADLINE to virtual time. Default 1 GHz. */
  tscFrequencyHz?: number;
  log?: LogSink;
}

const LVT_WRITABLE = [
  R.LVT_TIMER_WRITABLE,
  R.LVT_THERMAL_PERF_WRITABLE,
  R.LVT_THERMAL_PERF_WRITABLE,
  R.LVT_LINT_WRITABLE,
  R.LVT_LINT_WRITABLE,
  R.LVT_ERROR_WRITABLE,
] as const;

function highestBit(words: Uint32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = words[i];
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

function setBit(words: Uint32Array, bit: number): void {
  words[bit >> 5] |= 1 << (bit & 31);
}

function clearBit(words: Uint32Array, bit: number): void {
  words[bit >> 5] &= ~(1 << (bit & 31));
}

function testBit(words: Uint32Array, bit: number): boolean {
  return (words[bit >> 5] & (1 << (bit & 31))) !== 0;
}

/**
 * One CPU's local APIC in xAPIC mode (QEMU's `apic`): the MMIO registers, the IA32_APIC_BASE
 * MSR, the timer, LINT0/LINT1, IPIs through the ICR, and the CPU side of interrupt delivery
 * ({@link CpuInterruptLines}).
 *
 * The 8259 path keeps working while the APIC is disabled: then LINT0 is the CPU's INTR pin and
 * LINT1 its NMI pin, as on a processor without an APIC. When enabled, LINT0 programmed as
 * ExtINT (QEMU's reset value for the BSP) passes the 8259's interrupts through (virtual wire).
 *
 * @example
 * const apic = new LocalApic({ bus, time, id: 0, extInt: pics, kick: () => cpu.exitRequest() });
 * const pics = new I8259Pair({ output: apic.lint0 });
 * apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
 * if (apic.hasInterrupt()) dispatch(apic.acknowledge());
 */
export class LocalApic implements ApicBusTarget, CpuInterruptLines {
  /** LINT0 input: connect the 8259 master's INT output. */
  readonly lint0: IrqTrigger;
  /** LINT1 input: the NMI line. */
  readonly lint1: IrqTrigger;

  private readonly bus: ApicBus;
  private readonly time: DeviceTime;
  private readonly timer: DeviceTimer;
  private readonly log: LogSink;
  private readonly kick: CpuKick;
  private readonly tscDeadlineSupported: boolean;
  private readonly tscFrequencyHz: number;
  private extInt: ExtIntSource | undefined;

  private baseAddress = R.APIC_DEFAULT_ADDRESS;
  private bsp: boolean;
  private enabled = true;
  private id: number;
  private tpr = 0;
  private svr = 0xff;
  private ldr = 0;
  private dfrModel = 0xf;
  private readonly isr = new Uint32Array(8);
  private readonly tmr = new Uint32Array(8);
  private readonly irr = new Uint32Array(8);
  private esr = 0;
  private pendingErrors = 0;
  private icrLow = 0;
  private icrHigh = 0;
  private readonly lvt = new Uint32Array(R.LVT_COUNT);
  private initialCount = 0;
  private divideConfig = 0;
  private countShift = 1;
  private timerLoadNs = 0;
  private tscDeadline = 0;

  private lint0Level = false;
  private lint1Level = false;
  private nmiPending = false;
  private initPending = false;
  private sipiPending = false;
  private sipiVector = 0;
  private smiPending = false;
  private extIntPending = false;
  private waitForSipi = false;
  /** Cached: a maskable interrupt is ready for an INTA cycle. */
  private hardPending = false;

  constructor(options: LocalApicOptions) {
    if (!Number.isInteger(options.id) || options.id < 0 || options.id > 0xff) {
      throw new Error(`local APIC: id ${options.id} is not 0-255`);
    }
    const hz = options.tscFrequencyHz ?? 1e9;
    if (!(hz > 0) || !Number.isFinite(hz)) throw new Error(`local APIC: bad TSC frequency ${hz}`);
    this.bus = options.bus;
    this.time = options.time;
    this.log = options.log ?? SILENT_LOG;
    this.kick = options.kick ?? (() => {});
    this.extInt = options.extInt;
    this.tscDeadlineSupported = options.tscDeadline ?? false;
    this.tscFrequencyHz = hz;
    this.id = options.id;
    this.bsp = options.bsp ?? options.id === 0;
    this.timer = this.time.newTimer(() => this.timerExpired());
    this.lint0 = { set: (level) => this.setLint0(level) };
    this.lint1 = { set: (level) => this.setLint1(level) };
    this.resetRegisters();
    this.bus.attachApic(this);
  }

  /** Name the 8259 pair that answers INTA cycles for ExtINT interrupts. */
  connectExtInt(source: ExtIntSource): void {
    this.extInt = source;
  }

  // --- The APIC bus side -------------------------------------------------------------------

  get apicId(): number {
    return this.id;
  }

  get hardwareEnabled(): boolean {
    return this.enabled;
  }

  /** Whether SVR's software enable is set. */
  get softwareEnabled(): boolean {
    return (this.svr & R.SVR_APIC_ENABLED) !== 0;
  }

  matchesLogical(destination: number): boolean {
    if (this.dfrModel === 0xf) return (destination & this.ldr) !== 0;
    if (this.dfrModel === 0x0) {
      const cluster = destination >> 4;
      return (cluster === 0xf || cluster === this.ldr >> 4) && (destination & this.ldr & 0xf) !== 0;
    }
    return false;
  }

  arbitrationPriority(): number {
    const tprClass = this.tpr >> 4;
    const isrClass = Math.max(highestBit(this.isr), 0) >> 4;
    const irrClass = Math.max(highestBit(this.irr), 0) >> 4;
    if (tprClass >= irrClass && tprClass > isrClass) return this.tpr;
    return Math.max(tprClass, isrClass, irrClass) << 4;
  }

  receive(deliveryMode: number, vector: number, triggerMode: number): void {
    if (!this.enabled) return;
    switch (deliveryMode) {
      case DELIVERY_FIXED:
      case DELIVERY_LOWEST_PRIORITY:
        // A software-disabled APIC accepts only NMI, SMI, INIT and start-up messages.
        if (this.softwareEnabled) this.acceptVector(vector, triggerMode === TRIGGER_LEVEL);
        break;
      case DELIVERY_SMI:
        this.smiPending = true;
        this.kick();
        break;
      case DELIVERY_NMI:
        this.nmiPending = true;
        this.kick();
        break;
      case DELIVERY_INIT:
        this.initPending = true;
        this.kick();
        break;
      case DELIVERY_STARTUP:
        if (this.waitForSipi) {
          this.sipiVector = vector & 0xff;
          this.sipiPending = true;
          this.kick();
        }
        break;
      case DELIVERY_EXTINT:
        this.extIntPending = true;
        this.updateIrq();
        break;
      default:
        this.guestError(`message with reserved delivery mode ${deliveryMode}`);
    }
  }

  // --- The CPU side ------------------------------------------------------------------------

  pending(): number {
    return (
      (this.hardPending ? CPU_INTERRUPT_HARD : 0) |
      (this.nmiPending ? CPU_INTERRUPT_NMI : 0) |
      (this.initPending ? CPU_INTERRUPT_INIT : 0) |
      (this.sipiPending ? CPU_INTERRUPT_SIPI : 0) |
      (this.smiPending ? CPU_INTERRUPT_SMI : 0)
    );
  }

  hasInterrupt(): boolean {
    return this.hardPending;
  }

  acknowledge(): number {
    if (!this.enabled) {
      return this.lint0Level && this.extInt ? this.extInt.acknowledge() : -1;
    }
    let masked = false;
    if (this.softwareEnabled) {
      const vector = this.deliverableVector();
      if (vector > 0) {
        clearBit(this.irr, vector);
        setBit(this.isr, vector);
        this.updateIrq();
        return vector;
      }
      masked = vector < 0;
    }
    if (this.extIntPending || (this.lint0PassesExtInt() && this.lint0Level)) {
      this.extIntPending = false;
      const vector = this.extInt ? this.extInt.acknowledge() : -1;
      this.updateIrq();
      return vector;
    }
    this.updateIrq();
    // The interrupt was held off by a TPR raised after it was signalled: a spurious vector.
    return masked ? this.svr & R.SVR_VECTOR_MASK : -1;
  }

  acknowledgeNmi(): void {
    this.nmiPending = false;
  }

  acknowledgeInit(): void {
    this.initPending = false;
    this.initReset();
    this.waitForSipi = !this.bsp;
  }

  acknowledgeSipi(): number {
    this.sipiPending = false;
    this.waitForSipi = false;
    return this.sipiVector;
  }

  acknowledgeSmi(): void {
    this.smiPending = false;
  }

  /** Whether the CPU waits for a start-up IPI (an application processor after INIT). */
  get waitingForSipi(): boolean {
    return this.waitForSipi;
  }

  // --- MSRs ---------------------------------------------------------------------------------

  /** IA32_APIC_BASE as the CPU's RDMSR returns it. */
  readBaseMsr(): number {
    return (
      this.baseAddress + (this.bsp ? R.APICBASE_BSP : 0) + (this.enabled ? R.APICBASE_ENABLE : 0)
    );
  }

  /**
   * WRMSR to IA32_APIC_BASE. Returns false when the value sets reserved bits (the CPU then
   * raises #GP). Clearing the enable bit resets the APIC as the SDM describes; the BSP bit is
   * read-only. The machine moves the MMIO page to {@link mmioAddress} afterwards.
   */
  writeBaseMsr(value: number): boolean {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** 36) return false;
    const flags = value % 0x1000;
    if (flags & ~(R.APICBASE_BSP | R.APICBASE_ENABLE)) return false;
    this.baseAddress = value - flags;
    const enable = (flags & R.APICBASE_ENABLE) !== 0;
    if (this.enabled && !enable) {
      this.enabled = false;
      this.initReset();
      this.svr &= ~R.SVR_APIC_ENABLED;
    } else if (!this.enabled && enable) {
      this.enabled = true;
    }
    this.updateIrq();
    return true;
  }

  /** The physical address of the MMIO page. */
  get mmioAddress(): number {
    return this.baseAddress;
  }

  /** RDMSR of IA32_TSC_DEADLINE. */
  readTscDeadline(): number {
    return this.tscDeadlineSupported ? this.tscDeadline : 0;
  }

  /**
   * WRMSR of IA32_TSC_DEADLINE: arms the timer in TSC-deadline mode (0 disarms). The TSC is
   * taken to run at `tscFrequencyHz` from virtual time 0. Ignored when the mode is not offered.
   */
  writeTscDeadline(value: number): void {
    if (!this.tscDeadlineSupported) return;
    if (!Number.isFinite(value) || value < 0) value = 0;
    this.tscDeadline = Math.floor(value);
    this.updateTimer();
  }

  // --- Registers ------------------------------------------------------------------------------

  read(offset: number, size = 4): number {
    if (size !== 4 || offset & 0xf) {
      this.guestError(`${size}-byte read at 0x${offset.toString(16)}: only aligned dwords exist`);
      return 0;
    }
    switch (offset) {
      case R.APIC_ID:
        return (this.id << 24) >>> 0;
      case R.APIC_VERSION:
        return R.APIC_VERSION_VALUE;
      case R.APIC_TPR:
        return this.tpr;
      case R.APIC_APR:
        return this.arbitrationPriority();
      case R.APIC_PPR:
        return this.processorPriority();
      case R.APIC_EOI:
      case R.APIC_RRD:
        return 0;
      case R.APIC_LDR:
        return (this.ldr << 24) >>> 0;
      case R.APIC_DFR:
        return ((this.dfrModel << 28) | 0x0fffffff) >>> 0;
      case R.APIC_SVR:
        return this.svr;
      case R.APIC_ESR:
        return this.esr;
      case R.APIC_ICR_LOW:
        return this.icrLow;
      case R.APIC_ICR_HIGH:
        return this.icrHigh;
      case R.APIC_TIMER_INITIAL_COUNT:
        return this.initialCount;
      case R.APIC_TIMER_CURRENT_COUNT:
        return this.currentCount();
      case R.APIC_TIMER_DIVIDE:
        return this.divideConfig;
    }
    if (offset >= R.APIC_ISR && offset < R.APIC_ISR + 0x80)
      return this.isr[(offset - R.APIC_ISR) >> 4];
    if (offset >= R.APIC_TMR && offset < R.APIC_TMR + 0x80)
      return this.tmr[(offset - R.APIC_TMR) >> 4];
    if (offset >= R.APIC_IRR && offset < R.APIC_IRR + 0x80)
      return this.irr[(offset - R.APIC_IRR) >> 4];
    if (offset >= R.APIC_LVT_TIMER && offset <= R.APIC_LVT_ERROR) {
      return this.lvt[(offset - R.APIC_LVT_TIMER) >> 4];
    }
    this.illegalRegister(offset);
    return 0;
  }

  write(offset: number, value: number, size = 4): void {
    if (size !== 4 || offset & 0xf) {
      this.guestError(`${size}-byte write at 0x${offset.toString(16)}: only aligned dwords exist`);
      return;
    }
    value >>>= 0;
    switch (offset) {
      case R.APIC_ID:
        this.id = value >>> 24;
        return;
      case R.APIC_TPR:
        this.tpr = value & 0xff;
        this.updateIrq();
        return;
      case R.APIC_EOI:
        this.endOfInterrupt();
        return;
      case R.APIC_LDR:
        this.ldr = value >>> 24;
        return;
      case R.APIC_DFR:
        this.dfrModel = value >>> 28;
        if (this.dfrModel !== 0xf && this.dfrModel !== 0) {
          this.guestError(`DFR model 0x${this.dfrModel.toString(16)} is reserved`);
        }
        return;
      case R.APIC_SVR:
        this.writeSvr(value);
        return;
      case R.APIC_ESR:
        this.esr = this.pendingErrors;
        this.pendingErrors = 0;
        return;
      case R.APIC_ICR_LOW:
        this.icrLow = value & R.ICR_LOW_WRITABLE;
        this.sendIpi();
        return;
      case R.APIC_ICR_HIGH:
        this.icrHigh = (value & R.ICR_HIGH_WRITABLE) >>> 0;
        return;
      case R.APIC_TIMER_INITIAL_COUNT:
        if (this.timerMode() === R.APIC_TIMER_MODE_TSC_DEADLINE) return;
        this.initialCount = value;
        // One reading of the clock for the load and the deadline (as QEMU's apic_mem_write):
        // read twice, a count shorter than the time between the readings (Linux programs
        // counts of a few dozen ticks) would look expired already and never fire.
        this.timerLoadNs = this.time.now();
        this.updateTimer(this.timerLoadNs);
        return;
      case R.APIC_TIMER_DIVIDE:
        this.setDivideConfig(value);
        return;
      case R.APIC_VERSION:
      case R.APIC_APR:
      case R.APIC_PPR:
      case R.APIC_RRD:
      case R.APIC_TIMER_CURRENT_COUNT:
        this.guestError(`write to read-only register 0x${offset.toString(16)}`);
        return;
    }
    if (offset >= R.APIC_LVT_TIMER && offset <= R.APIC_LVT_ERROR) {
      this.writeLvt((offset - R.APIC_LVT_TIMER) >> 4, value);
      return;
    }
    if (offset >= R.APIC_ISR && offset < R.APIC_IRR + 0x80) {
      this.guestError(`write to read-only register 0x${offset.toString(16)}`);
      return;
    }
    this.illegalRegister(offset);
  }

  /** Hardware reset (power on or RESET#): base MSR, ID and all registers to their reset values. */
  reset(): void {
    this.baseAddress = R.APIC_DEFAULT_ADDRESS;
    this.enabled = true;
    this.lint0Level = false;
    this.lint1Level = false;
    this.nmiPending = false;
    this.initPending = false;
    this.sipiPending = false;
    this.smiPending = false;
    this.resetRegisters();
  }

  // --- Snapshots ------------------------------------------------------------------------------

  state(): LocalApicState {
    return {
      baseAddress: this.baseAddress,
      bsp: this.bsp,
      enabled: this.enabled,
      id: this.id,
      tpr: this.tpr,
      svr: this.svr,
      ldr: this.ldr,
      dfrModel: this.dfrModel,
      isr: Array.from(this.isr),
      tmr: Array.from(this.tmr),
      irr: Array.from(this.irr),
      esr: this.esr,
      pendingErrors: this.pendingErrors,
      icrLow: this.icrLow,
      icrHigh: this.icrHigh,
      lvt: Array.from(this.lvt),
      initialCount: this.initialCount,
      divideConfig: this.divideConfig,
      timerLoadNs: this.timerLoadNs,
      tscDeadline: this.tscDeadline,
      lint0Level: this.lint0Level,
      lint1Level: this.lint1Level,
      nmiPending: this.nmiPending,
      initPending: this.initPending,
      sipiPending: this.sipiPending,
      sipiVector: this.sipiVector,
      smiPending: this.smiPending,
      extIntPending: this.extIntPending,
      waitForSipi: this.waitForSipi,
    };
  }

  /** Load a snapshot: re-arms the timer and tells the CPU about whatever is pending. */
  loadState(state: LocalApicState): void {
    for (const [name, list, length] of [
      ['isr', state.isr, 8],
      ['tmr', state.tmr, 8],
      ['irr', state.irr, 8],
      ['lvt', state.lvt, R.LVT_COUNT],
    ] as const) {
      if (!Array.isArray(list) || list.length !== length) {
        throw new Error(`local APIC state: ${name} must have ${length} entries`);
      }
    }
    this.baseAddress = state.baseAddress - (state.baseAddress % 0x1000);
    this.bsp = state.bsp;
    this.enabled = state.enabled;
    this.id = state.id & 0xff;
    this.tpr = state.tpr & 0xff;
    this.svr = state.svr & R.SVR_WRITABLE;
    this.ldr = state.ldr & 0xff;
    this.dfrModel = state.dfrModel & 0xf;
    this.isr.set(state.isr);
    this.tmr.set(state.tmr);
    this.irr.set(state.irr);
    this.esr = state.esr & 0xff;
    this.pendingErrors = state.pendingErrors & 0xff;
    this.icrLow = state.icrLow & R.ICR_LOW_WRITABLE;
    this.icrHigh = (state.icrHigh & R.ICR_HIGH_WRITABLE) >>> 0;
    for (let i = 0; i < R.LVT_COUNT; i++) this.lvt[i] = state.lvt[i] & this.lvtWritable(i);
    this.initialCount = state.initialCount >>> 0;
    this.setDivideConfig(state.divideConfig);
    this.timerLoadNs = state.timerLoadNs;
    this.tscDeadline = state.tscDeadline;
    this.lint0Level = state.lint0Level;
    this.lint1Level = state.lint1Level;
    this.nmiPending = state.nmiPending;
    this.initPending = state.initPending;
    this.sipiPending = state.sipiPending;
    this.sipiVector = state.sipiVector & 0xff;
    this.smiPending = state.smiPending;
    this.extIntPending = state.extIntPending;
    this.waitForSipi = state.waitForSipi;
    this.hardPending = false;
    this.updateTimer();
    this.updateIrq(false);
    if (this.pending() !== 0) this.kick();
  }

  static fromState(state: LocalApicState, options: LocalApicOptions): LocalApic {
    const apic = new LocalApic(options);
    apic.loadState(state);
    return apic;
  }

  // --- Internals ------------------------------------------------------------------------------

  /** Register state after INIT (and the register part of RESET): QEMU's apic_init_reset. */
  private initReset(): void {
    this.tpr = 0;
    this.svr = 0xff;
    this.ldr = 0;
    this.dfrModel = 0xf;
    this.isr.fill(0);
    this.tmr.fill(0);
    this.irr.fill(0);
    this.lvt.fill(R.LVT_MASKED);
    this.esr = 0;
    this.pendingErrors = 0;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.initialCount = 0;
    this.setDivideConfig(0);
    this.timerLoadNs = 0;
    this.tscDeadline = 0;
    this.extIntPending = false;
    this.timer.del();
    this.updateIrq();
  }

  private resetRegisters(): void {
    this.initReset();
    this.waitForSipi = !this.bsp;
    // As QEMU: the BSP's LINT0 starts as unmasked ExtINT, so that the 8259 reaches the CPU
    // before the firmware programs the APIC.
    if (this.bsp) this.lvt[R.LVT_LINT0] = R.LVT_LINT0_BSP_RESET;
    this.updateIrq();
  }

  private lvtWritable(index: number): number {
    let mask: number = LVT_WRITABLE[index];
    if (index === R.LVT_TIMER && this.tscDeadlineSupported)
      mask |= 1 << (R.LVT_TIMER_MODE_SHIFT + 1);
    return mask;
  }

  private writeLvt(index: number, value: number): void {
    let entry = value & this.lvtWritable(index);
    // A software-disabled APIC keeps every LVT entry masked.
    if (!this.softwareEnabled) entry |= R.LVT_MASKED;
    const old = this.lvt[index];
    this.lvt[index] = entry;
    if (index === R.LVT_TIMER) {
      const oldMode = (old >> R.LVT_TIMER_MODE_SHIFT) & 3;
      const newMode = (entry >> R.LVT_TIMER_MODE_SHIFT) & 3;
      if (
        (oldMode === R.APIC_TIMER_MODE_TSC_DEADLINE) !==
        (newMode === R.APIC_TIMER_MODE_TSC_DEADLINE)
      ) {
        // Switching to or from TSC-deadline mode disarms the timer.
        this.initialCount = 0;
        this.tscDeadline = 0;
      }
      if (newMode === 3) this.guestError('LVT timer mode 3 is reserved');
      this.updateTimer();
    } else if (index === R.LVT_LINT0) {
      this.updateIrq();
    }
  }

  private writeSvr(value: number): void {
    const wasEnabled = this.softwareEnabled;
    this.svr = value & R.SVR_WRITABLE;
    if (wasEnabled && !this.softwareEnabled) {
      for (let i = 0; i < R.LVT_COUNT; i++) this.lvt[i] |= R.LVT_MASKED;
    }
    this.updateIrq();
  }

  private setDivideConfig(value: number): void {
    this.divideConfig = value & 0xb;
    const code = (this.divideConfig & 3) | ((this.divideConfig >> 1) & 4);
    this.countShift = (code + 1) & 7;
  }

  private timerMode(): number {
    return (this.lvt[R.LVT_TIMER] >> R.LVT_TIMER_MODE_SHIFT) & 3;
  }

  /** Bus-clock ticks (1 GHz / divider) since the initial count was written. */
  private elapsedTicks(now: number): number {
    return Math.floor((now - this.timerLoadNs) / 2 ** this.countShift);
  }

  private currentCount(): number {
    const mode = this.timerMode();
    if (mode === R.APIC_TIMER_MODE_TSC_DEADLINE || this.initialCount === 0) return 0;
    const ticks = this.elapsedTicks(this.time.now());
    if (mode === R.APIC_TIMER_MODE_PERIODIC) return this.initialCount - (ticks % this.initialCount);
    return ticks >= this.initialCount ? 0 : this.initialCount - ticks;
  }

  private updateTimer(now = this.time.now()): void {
    const mode = this.timerMode();
    if (mode === R.APIC_TIMER_MODE_TSC_DEADLINE) {
      if (this.tscDeadline === 0) this.timer.del();
      else this.timer.mod(Math.ceil((this.tscDeadline * 1e9) / this.tscFrequencyHz));
      return;
    }
    if (this.initialCount === 0 || mode === 3) {
      this.timer.del();
      return;
    }
    const tickNs = 2 ** this.countShift;
    const ticks = this.elapsedTicks(now);
    if (mode === R.APIC_TIMER_MODE_PERIODIC) {
      const periodNs = this.initialCount * tickNs;
      // A period under the minimum is not scheduled tick by tick: the IRR bit would merge
      // the extra interrupts anyway.
      const from =
        periodNs < APIC_TIMER_MIN_PERIOD_NS
          ? this.elapsedTicks(now + APIC_TIMER_MIN_PERIOD_NS - 1)
          : ticks;
      const periods = Math.floor(from / this.initialCount) + 1;
      this.timer.mod(this.timerLoadNs + periods * periodNs);
    } else if (ticks < this.initialCount) {
      this.timer.mod(this.timerLoadNs + this.initialCount * tickNs);
    } else {
      this.timer.del();
    }
  }

  private timerExpired(): void {
    if (this.timerMode() === R.APIC_TIMER_MODE_TSC_DEADLINE) this.tscDeadline = 0;
    this.localDeliver(R.LVT_TIMER);
    this.updateTimer();
  }

  /** Deliver an LVT entry's interrupt (QEMU's apic_local_deliver). */
  private localDeliver(index: number): void {
    const entry = this.lvt[index];
    if (entry & R.LVT_MASKED) return;
    const mode =
      index === R.LVT_TIMER || index === R.LVT_ERROR
        ? DELIVERY_FIXED
        : (entry >> R.LVT_DELIVERY_MODE_SHIFT) & 7;
    switch (mode) {
      case DELIVERY_FIXED: {
        const level =
          (index === R.LVT_LINT0 || index === R.LVT_LINT1) && (entry & R.LVT_LEVEL_TRIGGER) !== 0;
        this.acceptVector(entry & R.LVT_VECTOR_MASK, level, index === R.LVT_ERROR);
        break;
      }
      case DELIVERY_SMI:
        this.smiPending = true;
        this.kick();
        break;
      case DELIVERY_NMI:
        this.nmiPending = true;
        this.kick();
        break;
      case DELIVERY_INIT:
        this.initPending = true;
        this.kick();
        break;
      case DELIVERY_EXTINT:
        this.updateIrq();
        break;
      default:
        this.guestError(`LVT entry ${index} has reserved delivery mode ${mode}`);
    }
  }

  /** Put `vector` in the IRR (QEMU's apic_set_irq); vectors 0-15 are illegal. */
  private acceptVector(vector: number, level: boolean, fromErrorLvt = false): void {
    if (vector < 16) {
      this.signalError(R.ESR_RECEIVE_ILLEGAL_VECTOR, fromErrorLvt);
      return;
    }
    setBit(this.irr, vector);
    if (level) setBit(this.tmr, vector);
    else clearBit(this.tmr, vector);
    this.updateIrq();
  }

  private signalError(bit: number, fromErrorLvt = false): void {
    const isNew = (this.pendingErrors & bit) === 0;
    this.pendingErrors |= bit;
    // An illegal vector in the error entry itself must not signal again.
    if (isNew && !fromErrorLvt) this.localDeliver(R.LVT_ERROR);
  }

  private illegalRegister(offset: number): void {
    this.guestError(`access to reserved register 0x${offset.toString(16)}`);
    this.signalError(R.ESR_ILLEGAL_REGISTER);
  }

  private processorPriority(): number {
    const isrv = Math.max(highestBit(this.isr), 0);
    return this.tpr >> 4 >= isrv >> 4 ? this.tpr : isrv & 0xf0;
  }

  /** The highest IRR vector if the PPR lets it through, -1 if it is held off, 0 if none. */
  private deliverableVector(): number {
    const irrv = highestBit(this.irr);
    if (irrv < 0) return 0;
    const ppr = this.processorPriority();
    if (ppr !== 0 && (irrv & 0xf0) <= (ppr & 0xf0)) return -1;
    return irrv;
  }

  private lint0PassesExtInt(): boolean {
    const entry = this.lvt[R.LVT_LINT0];
    return (
      !(entry & R.LVT_MASKED) && ((entry >> R.LVT_DELIVERY_MODE_SHIFT) & 7) === DELIVERY_EXTINT
    );
  }

  private endOfInterrupt(): void {
    const vector = highestBit(this.isr);
    if (vector < 0) return;
    clearBit(this.isr, vector);
    if (testBit(this.tmr, vector)) this.bus.broadcastEoi(vector);
    this.updateIrq();
  }

  private sendIpi(): void {
    const low = this.icrLow;
    const mode = (low >> R.ICR_DELIVERY_MODE_SHIFT) & 7;
    const vector = low & R.ICR_VECTOR_MASK;
    const trigger = low & R.ICR_TRIGGER_LEVEL ? TRIGGER_LEVEL : 0;
    const shorthand = (low >> R.ICR_SHORTHAND_SHIFT) & 3;
    if (mode === DELIVERY_INIT && !(low & R.ICR_LEVEL_ASSERT) && trigger === TRIGGER_LEVEL) {
      return; // INIT level de-assert: only synchronizes arbitration IDs.
    }
    if ((mode === DELIVERY_FIXED || mode === DELIVERY_LOWEST_PRIORITY) && vector < 16) {
      this.signalError(R.ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    if (mode === 3 || mode === DELIVERY_EXTINT) {
      this.guestError(`IPI with delivery mode ${mode} is not allowed`);
      return;
    }
    let targets: ApicBusTarget[];
    switch (shorthand) {
      case R.ICR_SHORTHAND_SELF:
        targets = [this];
        break;
      case R.ICR_SHORTHAND_ALL:
        targets = this.bus.localApics.filter((a) => a.hardwareEnabled);
        break;
      case R.ICR_SHORTHAND_ALL_BUT_SELF:
        targets = this.bus.localApics.filter((a) => a.hardwareEnabled && a !== this);
        break;
      default:
        targets = this.bus.destinations(this.icrHigh >>> 24, low & R.ICR_DEST_LOGICAL ? 1 : 0);
    }
    this.bus.deliverTo(targets, {
      destination: 0,
      destinationMode: 0,
      deliveryMode: mode,
      vector,
      triggerMode: trigger,
    });
  }

  private setLint0(level: boolean): void {
    const rising = level && !this.lint0Level;
    this.lint0Level = level;
    if (this.enabled) {
      const entry = this.lvt[R.LVT_LINT0];
      const mode = (entry >> R.LVT_DELIVERY_MODE_SHIFT) & 7;
      if (mode !== DELIVERY_EXTINT) {
        if (rising) this.localDeliver(R.LVT_LINT0);
        else if (!level && mode === DELIVERY_FIXED && entry & R.LVT_LEVEL_TRIGGER) {
          clearBit(this.irr, entry & R.LVT_VECTOR_MASK);
        }
      }
    }
    this.updateIrq();
  }

  private setLint1(level: boolean): void {
    const rising = level && !this.lint1Level;
    this.lint1Level = level;
    if (!rising) return;
    if (this.enabled) {
      this.localDeliver(R.LVT_LINT1);
    } else {
      // A disabled APIC leaves LINT1 as the CPU's NMI pin.
      this.nmiPending = true;
      this.kick();
    }
  }

  /** Recompute whether a maskable interrupt is ready, and kick the CPU when one appears. */
  private updateIrq(kickOnRise = true): void {
    let hard: boolean;
    if (!this.enabled) {
      hard = this.lint0Level;
    } else {
      hard =
        (this.softwareEnabled && this.deliverableVector() > 0) ||
        this.extIntPending ||
        (this.lint0PassesExtInt() && this.lint0Level);
    }
    const rising = hard && !this.hardPending;
    this.hardPending = hard;
    if (rising && kickOnRise) this.kick();
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) {
      this.log.write('guest_errors', `apic ${this.id}: ${text}\n`);
    }
  }
}
