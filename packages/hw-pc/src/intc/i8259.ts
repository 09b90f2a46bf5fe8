import type { IrqTrigger, LogSink } from '../device-env.js';
import { SILENT_LOG, UNCONNECTED_IRQ } from '../device-env.js';

// Register offsets of one 8259A (the machine maps them at 0x20/0x21 and 0xa0/0xa1).

/** Command port (A0=0): ICW1, OCW2 and OCW3 on write; IRR or ISR on read. */
export const PIC_COMMAND = 0;
/** Data port (A0=1): ICW2-4 during initialization, OCW1 (the mask) afterwards; IMR on read. */
export const PIC_DATA = 1;

// ICW1 (command port, bit 4 set).

/** ICW1 marker: a command-port write with this bit starts the initialization sequence. */
export const ICW1_INIT = 0x10;
/** ICW1: an ICW4 follows. */
export const ICW1_IC4 = 0x01;
/** ICW1: single controller, no ICW3 (cascade) follows. */
export const ICW1_SNGL = 0x02;
/** ICW1: call address interval 4 (8080 mode only; ignored on x86). */
export const ICW1_ADI = 0x04;
/** ICW1: level-triggered mode for all inputs (LTIM). */
export const ICW1_LTIM = 0x08;

// ICW4.

/** ICW4: 8086/8088 mode (vectors rather than CALL instructions). */
export const ICW4_8086 = 0x01;
/** ICW4: automatic end of interrupt at the second INTA pulse. */
export const ICW4_AEOI = 0x02;
/** ICW4: special fully nested mode (the master lets the slave interrupt its own in-service IRQ2). */
export const ICW4_SFNM = 0x10;

// OCW2 (command port, bits 4-3 = 00): the command field is bits 7-5.

/** OCW2 command field position. */
export const OCW2_COMMAND_SHIFT = 5;
/** OCW2 command: rotate in automatic EOI mode, clear. */
export const OCW2_CLEAR_ROTATE_AEOI = 0;
/** OCW2 command: non-specific EOI (clears the highest-priority in-service bit). */
export const OCW2_NONSPECIFIC_EOI = 1;
/** OCW2 command: no operation. */
export const OCW2_NOP = 2;
/** OCW2 command: specific EOI for the IRQ in bits 2-0. */
export const OCW2_SPECIFIC_EOI = 3;
/** OCW2 command: rotate in automatic EOI mode, set. */
export const OCW2_SET_ROTATE_AEOI = 4;
/** OCW2 command: rotate on non-specific EOI. */
export const OCW2_ROTATE_NONSPECIFIC_EOI = 5;
/** OCW2 command: set priority (the IRQ in bits 2-0 becomes the lowest). */
export const OCW2_SET_PRIORITY = 6;
/** OCW2 command: rotate on specific EOI. */
export const OCW2_ROTATE_SPECIFIC_EOI = 7;

// OCW3 (command port, bits 4-3 = 01).

/** OCW3 marker bit (bit 3 set, bit 4 clear). */
export const OCW3_MARKER = 0x08;
/** OCW3: read register command valid (RR); bit 0 (RIS) then selects ISR (1) or IRR (0). */
export const OCW3_RR = 0x02;
/** OCW3: read ISR rather than IRR on the next command-port read. */
export const OCW3_RIS = 0x01;
/** OCW3: poll command: the next read returns the highest pending IRQ and acknowledges it. */
export const OCW3_POLL = 0x04;
/** OCW3: special mask mode command valid (ESMM); bit 5 (SMM) sets or clears it. */
export const OCW3_ESMM = 0x40;
/** OCW3: special mask mode value. */
export const OCW3_SMM = 0x20;

/** Poll-mode read: bit 7 says an interrupt was pending, bits 2-0 name it. */
export const POLL_INTERRUPT = 0x80;

/** The master's IRQ line that the slave's INT output drives. */
export const CASCADE_IRQ = 2;
/** The IRQ an 8259 reports when INTA finds nothing pending (the spurious interrupt). */
export const SPURIOUS_IRQ = 7;

/** ELCR bits that can be set on the master: IRQ0, 1 and 2 are always edge-triggered. */
export const ELCR_MASK_MASTER = 0xf8;
/** ELCR bits that can be set on the slave: IRQ8 and IRQ13 are always edge-triggered. */
export const ELCR_MASK_SLAVE = 0xde;

/** Where the initialization sequence stands: which ICW the data port expects next. */
const enum InitState {
  Ready = 0,
  ExpectIcw2 = 1,
  ExpectIcw3 = 2,
  ExpectIcw4 = 3,
}

/** Everything an 8259 remembers, as plain data (QEMU's PICCommonState). */
export interface I8259State {
  /** Input levels last seen, for edge detection. */
  lastIrr: number;
  /** Interrupt request register. */
  irr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** In-service register. */
  isr: number;
  /** The IRQ with the highest priority is (priorityAdd & 7): rotation moves it. */
  priorityAdd: number;
  /** Vector base from ICW2 (bits 7-3). */
  irqBase: number;
  /** OCW3 RIS: the command port reads the ISR (true) or the IRR (false). */
  readIsr: boolean;
  /** A poll command is armed for the next read. */
  poll: boolean;
  specialMask: boolean;
  /** 0 ready; 1, 2, 3: ICW2, ICW3, ICW4 expected next. */
  initState: number;
  autoEoi: boolean;
  rotateOnAutoEoi: boolean;
  specialFullyNested: boolean;
  init4: boolean;
  singleMode: boolean;
  /** ICW1 LTIM: all inputs level-triggered. */
  levelTriggeredMode: boolean;
  /** Edge/level control register (the ELCR at 0x4d0/0x4d1). */
  elcr: number;
}

/** What an 8259 core is built with. */
export interface I8259Options {
  /** True for the master controller (0x20), false for the slave (0xa0). */
  master: boolean;
  /** The INT output: to the CPU's INTR (master) or to the master's IRQ2 input (slave). */
  output?: IrqTrigger;
  log?: LogSink;
}

function lowestPriorityFirst(mask: number, priorityAdd: number): number {
  if (mask === 0) return 8;
  let priority = 0;
  while ((mask & (1 << ((priority + priorityAdd) & 7))) === 0) priority++;
  return priority;
}

/**
 * One Intel 8259A programmable interrupt controller.
 *
 * The PC has two, cascaded on the master's IRQ2: {@link I8259Pair} wires them and performs
 * the CPU's interrupt-acknowledge cycle. A chip alone is useful for tests and for machines
 * with one controller.
 *
 * @example
 * const pic = new I8259({ master: true, output: intr });
 * pic.write(PIC_COMMAND, ICW1_INIT | ICW1_IC4); // ICW1
 * pic.write(PIC_DATA, 0x20);                    // ICW2: vectors 0x20-0x27
 * pic.write(PIC_DATA, 0x04);                    // ICW3: slave on IRQ2
 * pic.write(PIC_DATA, ICW4_8086);               // ICW4
 * pic.setIrq(1, true);                          // intr goes high
 */
export class I8259 {
  readonly master: boolean;
  private readonly output: IrqTrigger;
  private readonly log: LogSink;
  private readonly elcrMask: number;
  private outputLevel = false;

  private lastIrr = 0;
  private irr = 0;
  private imr = 0;
  private isr = 0;
  private priorityAdd = 0;
  private irqBase = 0;
  private readIsr = false;
  private poll = false;
  private specialMask = false;
  private initState = InitState.Ready;
  private autoEoi = false;
  private rotateOnAutoEoi = false;
  private specialFullyNested = false;
  private init4 = false;
  private singleMode = false;
  private levelTriggeredMode = false;
  private elcr = 0;

  constructor(options: I8259Options) {
    this.master = options.master;
    this.output = options.output ?? UNCONNECTED_IRQ;
    this.log = options.log ?? SILENT_LOG;
    this.elcrMask = options.master ? ELCR_MASK_MASTER : ELCR_MASK_SLAVE;
  }

  /** The level of the INT output. */
  get interruptOutput(): boolean {
    return this.outputLevel;
  }

  /** Vector base programmed by ICW2. */
  get vectorBase(): number {
    return this.irqBase;
  }

  /** Drive input `irq` (0-7) to `level`. */
  setIrq(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > 7) {
      throw new Error(`i8259: IRQ input ${irq} does not exist (0-7)`);
    }
    const mask = 1 << irq;
    if (this.levelTriggeredMode || this.elcr & mask) {
      if (level) {
        this.irr |= mask;
        this.lastIrr |= mask;
      } else {
        this.irr &= ~mask;
        this.lastIrr &= ~mask;
      }
    } else if (level) {
      if ((this.lastIrr & mask) === 0) this.irr |= mask;
      this.lastIrr |= mask;
    } else {
      this.lastIrr &= ~mask;
    }
    this.updateOutput();
  }

  /**
   * The IRQ (0-7) this chip would present at the next INTA, or -1. Honours the mask, the
   * in-service priorities, special mask mode and (master only) special fully nested mode.
   */
  pendingIrq(): number {
    const requested = this.irr & ~this.imr;
    const priority = lowestPriorityFirst(requested, this.priorityAdd);
    if (priority === 8) return -1;
    let inService = this.isr;
    // Special mask mode: masked in-service levels do not block lower priorities.
    if (this.specialMask) inService &= ~this.imr;
    // Special fully nested mode: an in-service cascade input does not block the slave.
    if (this.specialFullyNested && this.master) inService &= ~(1 << CASCADE_IRQ);
    const currentPriority = lowestPriorityFirst(inService, this.priorityAdd);
    return priority < currentPriority ? (priority + this.priorityAdd) & 7 : -1;
  }

  /**
   * The chip's half of an INTA cycle for `irq` (from {@link pendingIrq}): marks it in
   * service (or applies automatic EOI) and clears an edge-triggered request.
   */
  acknowledgeIrq(irq: number): void {
    const mask = 1 << (irq & 7);
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityAdd = (irq + 1) & 7;
    } else {
      this.isr |= mask;
    }
    if (!this.levelTriggeredMode && (this.elcr & mask) === 0) this.irr &= ~mask;
    this.updateOutput();
  }

  read(offset: number, _size = 1): number {
    if (this.poll) {
      this.poll = false;
      const irq = this.pendingIrq();
      if (irq < 0) return 0;
      this.acknowledgeIrq(irq);
      return POLL_INTERRUPT | irq;
    }
    switch (offset) {
      case PIC_COMMAND:
        return this.readIsr ? this.isr : this.irr;
      case PIC_DATA:
        return this.imr;
      default:
        this.guestError(`read of offset ${offset}`);
        return 0xff;
    }
  }

  write(offset: number, value: number, _size = 1): void {
    value &= 0xff;
    switch (offset) {
      case PIC_COMMAND:
        this.writeCommand(value);
        return;
      case PIC_DATA:
        this.writeData(value);
        return;
      default:
        this.guestError(`write of offset ${offset}`);
    }
  }

  /** Read the edge/level control register (ELCR1 or ELCR2). */
  readElcr(): number {
    return this.elcr;
  }

  /** Write the edge/level control register; bits fixed to edge on this chip are ignored. */
  writeElcr(value: number): void {
    const masked = value & this.elcrMask;
    if ((value & 0xff) !== masked) {
      this.guestError(
        `ELCR bits 0x${(value & 0xff & ~this.elcrMask).toString(16)} are fixed to edge`,
      );
    }
    this.elcr = masked;
    this.updateOutput();
  }

  /** Hardware reset: as an ICW1, and the ELCR returns to all-edge. */
  reset(): void {
    this.elcr = 0;
    this.initReset();
  }

  /** One line of QEMU's `info pic`. */
  info(): string {
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    return (
      `pic${this.master ? 0 : 1}: irr=${hex(this.irr)} imr=${hex(this.imr)} isr=${hex(this.isr)} ` +
      `hprio=${this.priorityAdd} irq_base=${hex(this.irqBase)} rr_sel=${this.readIsr ? 1 : 0} ` +
      `elcr=${hex(this.elcr)} fnm=${this.specialFullyNested ? 1 : 0}`
    );
  }

  state(): I8259State {
    return {
      lastIrr: this.lastIrr,
      irr: this.irr,
      imr: this.imr,
      isr: this.isr,
      priorityAdd: this.priorityAdd,
      irqBase: this.irqBase,
      readIsr: this.readIsr,
      poll: this.poll,
      specialMask: this.specialMask,
      initState: this.initState,
      autoEoi: this.autoEoi,
      rotateOnAutoEoi: this.rotateOnAutoEoi,
      specialFullyNested: this.specialFullyNested,
      init4: this.init4,
      singleMode: this.singleMode,
      levelTriggeredMode: this.levelTriggeredMode,
      elcr: this.elcr,
    };
  }

  /** Load a snapshot taken by {@link state}, then drive the INT output to the level it implies. */
  loadState(state: I8259State): void {
    const byte = (name: string, v: unknown) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xff) {
        throw new Error(`i8259 state: ${name} must be a byte, got ${String(v)}`);
      }
      return v;
    };
    if (state.initState < 0 || state.initState > 3) {
      throw new Error(`i8259 state: initState ${state.initState} is not 0-3`);
    }
    this.lastIrr = byte('lastIrr', state.lastIrr);
    this.irr = byte('irr', state.irr);
    this.imr = byte('imr', state.imr);
    this.isr = byte('isr', state.isr);
    this.priorityAdd = byte('priorityAdd', state.priorityAdd) & 7;
    this.irqBase = byte('irqBase', state.irqBase) & 0xf8;
    this.readIsr = state.readIsr;
    this.poll = state.poll;
    this.specialMask = state.specialMask;
    this.initState = state.initState as InitState;
    this.autoEoi = state.autoEoi;
    this.rotateOnAutoEoi = state.rotateOnAutoEoi;
    this.specialFullyNested = state.specialFullyNested;
    this.init4 = state.init4;
    this.singleMode = state.singleMode;
    this.levelTriggeredMode = state.levelTriggeredMode;
    this.elcr = byte('elcr', state.elcr) & this.elcrMask;
    this.outputLevel = this.pendingIrq() >= 0;
    this.output.set(this.outputLevel);
  }

  static fromState(state: I8259State, options: I8259Options): I8259 {
    const pic = new I8259(options);
    pic.loadState(state);
    return pic;
  }

  private writeCommand(value: number): void {
    if (value & ICW1_INIT) {
      this.initReset();
      this.initState = InitState.ExpectIcw2;
      this.init4 = (value & ICW1_IC4) !== 0;
      this.singleMode = (value & ICW1_SNGL) !== 0;
      this.levelTriggeredMode = (value & ICW1_LTIM) !== 0;
      if (value & ICW1_ADI) this.guestError('ICW1: 8080 call address interval is not supported');
    } else if (value & OCW3_MARKER) {
      if (value & OCW3_POLL) this.poll = true;
      if (value & OCW3_RR) this.readIsr = (value & OCW3_RIS) !== 0;
      if (value & OCW3_ESMM) this.specialMask = (value & OCW3_SMM) !== 0;
    } else {
      this.writeOcw2(value);
    }
  }

  private writeOcw2(value: number): void {
    const command = value >> OCW2_COMMAND_SHIFT;
    const level = value & 7;
    switch (command) {
      case OCW2_CLEAR_ROTATE_AEOI:
      case OCW2_SET_ROTATE_AEOI:
        this.rotateOnAutoEoi = command === OCW2_SET_ROTATE_AEOI;
        break;
      case OCW2_NONSPECIFIC_EOI:
      case OCW2_ROTATE_NONSPECIFIC_EOI: {
        const priority = lowestPriorityFirst(this.isr, this.priorityAdd);
        if (priority === 8) {
          this.guestError('non-specific EOI with nothing in service');
          break;
        }
        const irq = (priority + this.priorityAdd) & 7;
        this.isr &= ~(1 << irq);
        if (command === OCW2_ROTATE_NONSPECIFIC_EOI) this.priorityAdd = (irq + 1) & 7;
        this.updateOutput();
        break;
      }
      case OCW2_SPECIFIC_EOI:
        this.isr &= ~(1 << level);
        this.updateOutput();
        break;
      case OCW2_SET_PRIORITY:
        this.priorityAdd = (level + 1) & 7;
        this.updateOutput();
        break;
      case OCW2_ROTATE_SPECIFIC_EOI:
        this.isr &= ~(1 << level);
        this.priorityAdd = (level + 1) & 7;
        this.updateOutput();
        break;
      default: // OCW2_NOP
        break;
    }
  }

  private writeData(value: number): void {
    switch (this.initState) {
      case InitState.Ready:
        this.imr = value;
        this.updateOutput();
        break;
      case InitState.ExpectIcw2:
        this.irqBase = value & 0xf8;
        if (this.singleMode) {
          this.initState = this.init4 ? InitState.ExpectIcw4 : InitState.Ready;
        } else {
          this.initState = InitState.ExpectIcw3;
        }
        break;
      case InitState.ExpectIcw3:
        // The cascade wiring is fixed in a PC: the slave on the master's IRQ2.
        this.initState = this.init4 ? InitState.ExpectIcw4 : InitState.Ready;
        break;
      case InitState.ExpectIcw4:
        if ((value & ICW4_8086) === 0) this.guestError('ICW4: 8080/8085 mode is not supported');
        this.specialFullyNested = (value & ICW4_SFNM) !== 0;
        this.autoEoi = (value & ICW4_AEOI) !== 0;
        this.initState = InitState.Ready;
        break;
    }
  }

  /** What ICW1 resets (QEMU's pic_init_reset): a level-triggered request survives. */
  private initReset(): void {
    this.lastIrr = 0;
    this.irr &= this.elcr;
    this.imr = 0;
    this.isr = 0;
    this.priorityAdd = 0;
    this.irqBase = 0;
    this.readIsr = false;
    this.poll = false;
    this.specialMask = false;
    this.initState = InitState.Ready;
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialFullyNested = false;
    this.init4 = false;
    this.singleMode = false;
    this.levelTriggeredMode = false;
    this.updateOutput();
  }

  private updateOutput(): void {
    const level = this.pendingIrq() >= 0;
    if (level === this.outputLevel) return;
    this.outputLevel = level;
    this.output.set(level);
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) {
      this.log.write('guest_errors', `i8259 ${this.master ? 'master' : 'slave'}: ${text}\n`);
    }
  }
}
