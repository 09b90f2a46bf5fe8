import {
  type DeviceTime,
  type DeviceTimer,
  type IrqTrigger,
  type LogSink,
  SILENT_LOG,
  UNCONNECTED_IRQ,
} from '../device-env.js';
import { ByteFifo } from './byte-fifo.js';
import { type CharBackend, type CharEvent, NULL_CHAR_BACKEND } from './char-backend.js';
import {
  UART_DEFAULT_BAUDBASE,
  UART_FCR,
  UART_FCR_FE,
  UART_FCR_ITL_MASK,
  UART_FCR_RFR,
  UART_FCR_STICKY,
  UART_FCR_XFR,
  UART_FIFO_LENGTH,
  UART_FIFO_TRIGGER_LEVELS,
  UART_IER,
  UART_IER_MASK,
  UART_IER_MSI,
  UART_IER_RDI,
  UART_IER_RLSI,
  UART_IER_THRI,
  UART_IIR,
  UART_IIR_CTI,
  UART_IIR_FIFO_ENABLED,
  UART_IIR_ID_MASK,
  UART_IIR_MSI,
  UART_IIR_NO_INT,
  UART_IIR_RDI,
  UART_IIR_RLSI,
  UART_IIR_THRI,
  UART_LCR,
  UART_LCR_DLAB,
  UART_LCR_PARITY,
  UART_LCR_STOP,
  UART_LCR_WLEN_MASK,
  UART_LSR,
  UART_LSR_BI,
  UART_LSR_DR,
  UART_LSR_INT_ANY,
  UART_LSR_OE,
  UART_LSR_TEMT,
  UART_LSR_THRE,
  UART_MCR,
  UART_MCR_DTR,
  UART_MCR_LOOP,
  UART_MCR_MASK,
  UART_MCR_OUT1,
  UART_MCR_OUT2,
  UART_MCR_RTS,
  UART_MSR,
  UART_MSR_ANY_DELTA,
  UART_MSR_CTS,
  UART_MSR_DCD,
  UART_MSR_DSR,
  UART_MSR_RI,
  UART_MSR_TERI,
  UART_RBR,
  UART_SCR,
} from './serial-registers.js';

/** What a UART is connected to. */
export interface SerialEnv {
  /** The virtual clock: paces the receive character timeout. */
  time: DeviceTime;
  /** The interrupt line (IRQ 4 for COM1). */
  irq?: IrqTrigger;
  /** Where transmitted bytes go and received bytes come from. */
  chardev?: CharBackend;
  /** `-d guest_errors`. */
  log?: LogSink;
  /** Baud rate at divisor 1 (QEMU's `baudbase` property); 115200 by default. */
  baudbase?: number;
}

/** A UART's complete state as plain data (QEMU's vmstate_serial, with its subsections). */
export interface SerialState {
  divider: number;
  rbr: number;
  thr: number;
  tsr: number;
  ier: number;
  iir: number;
  lcr: number;
  mcr: number;
  lsr: number;
  msr: number;
  scr: number;
  fcr: number;
  /** Received bytes not yet read, oldest first. */
  recvFifo: number[];
  /** Bytes written but not yet sent, oldest first (always empty here: sending is immediate). */
  xmitFifo: number[];
  /** A THRE interrupt is latched (cleared by reading IIR or writing THR). */
  thrIpending: boolean;
  /** A character timeout interrupt is latched. */
  timeoutIpending: boolean;
  /** When the receive character timeout fires (virtual ns), or null when not armed. */
  fifoTimeoutNs: number | null;
}

/** Modem inputs when nothing drives them: carrier, data set ready and clear to send all on. */
const LINE_INPUTS = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;

/**
 * A 16550A UART (QEMU's hw/char/serial.c): the PC's COM ports.
 *
 * The guest drives it through `read(offset)` / `write(offset, value)` on its
 * eight register offsets; the outside world is a chardev. As in QEMU, a byte
 * written to THR is sent to the chardev at once, so THRE is set again right
 * away and the THRE interrupt follows QEMU's rules: latched when the holding
 * register empties, cleared by reading IIR (when it is the reported source) or
 * by writing THR, and re-sampled when IER.THRI goes from 0 to 1 (Linux and
 * Windows probe for that). Received bytes honour the FIFO: the UART tells the
 * chardev how many bytes it can take, so a guest that reads slowly
 * back-pressures the host instead of losing input.
 *
 * ```ts
 * const uart = new Serial({ time, irq, chardev });
 * uart.write(UART_THR, 0x41);   // 'A' goes to the chardev
 * uart.read(UART_LSR);          // THRE | TEMT: ready for more
 * ```
 */
export class Serial {
  private divider = 0;
  private rbr = 0;
  private thr = 0;
  private tsr = 0;
  private ier = 0;
  private iir = UART_IIR_NO_INT;
  private lcr = 0;
  private mcr = 0;
  private lsr = 0;
  private msr = 0;
  private scr = 0;
  private fcr = 0;
  private readonly recvFifo = new ByteFifo(UART_FIFO_LENGTH);
  private readonly xmitFifo = new ByteFifo(UART_FIFO_LENGTH);
  private recvFifoItl = 1;
  private thrIpending = false;
  private timeoutIpending = false;
  private fifoTimeoutNs: number | null = null;
  private charTransmitTimeNs = 0;
  private irqLevel = false;

  private readonly time: DeviceTime;
  private readonly irq: IrqTrigger;
  private readonly chardev: CharBackend;
  private readonly log: LogSink;
  private readonly baudbase: number;
  private readonly fifoTimeoutTimer: DeviceTimer;
  /** One reusable byte for the chardev (it copies what it keeps). */
  private readonly txByte = new Uint8Array(1);

  constructor(env: SerialEnv) {
    this.time = env.time;
    this.irq = env.irq ?? UNCONNECTED_IRQ;
    this.chardev = env.chardev ?? NULL_CHAR_BACKEND;
    this.log = env.log ?? SILENT_LOG;
    this.baudbase = env.baudbase ?? UART_DEFAULT_BAUDBASE;
    if (!(this.baudbase > 0))
      throw new RangeError(`serial: baudbase must be positive, not ${env.baudbase}`);
    this.fifoTimeoutTimer = this.time.newTimer(() => this.fifoTimeoutExpired());
    this.reset();
    this.chardev.setHandlers({
      canReceive: () => this.canReceive(),
      receive: (data) => this.receive(data),
      event: (event) => this.chardevEvent(event),
    });
  }

  /** A UART restored from a snapshot; raises the interrupt the state implies. */
  static fromState(state: SerialState, env: SerialEnv): Serial {
    const serial = new Serial(env);
    serial.loadState(state);
    return serial;
  }

  /** Power-on / system reset values (QEMU's serial_reset): 9600 8N1, OUT2 set, no interrupts. */
  reset(): void {
    this.rbr = 0;
    this.thr = 0;
    this.tsr = 0;
    this.ier = 0;
    this.iir = UART_IIR_NO_INT;
    this.lcr = 0;
    this.lsr = UART_LSR_TEMT | UART_LSR_THRE;
    this.msr = LINE_INPUTS;
    this.divider = 0x0c;
    this.mcr = UART_MCR_OUT2;
    this.scr = 0;
    this.fcr = 0;
    this.recvFifoItl = 1;
    this.recvFifo.clear();
    this.xmitFifo.clear();
    this.thrIpending = false;
    this.timeoutIpending = false;
    this.disarmFifoTimeout();
    this.updateParameters();
    this.setIrq(false);
    this.chardev.acceptInput();
  }

  /** Whether the interrupt line is asserted. */
  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  /** Stop taking input from the chardev (unrealize). */
  detach(): void {
    this.chardev.setHandlers(null);
  }

  /** Guest read of register `offset` (0-7). */
  read(offset: number): number {
    switch (offset) {
      case UART_RBR:
        return this.lcr & UART_LCR_DLAB ? this.divider & 0xff : this.readReceiveBuffer();
      case UART_IER:
        return this.lcr & UART_LCR_DLAB ? (this.divider >> 8) & 0xff : this.ier;
      case UART_IIR:
        return this.readInterruptId();
      case UART_LCR:
        return this.lcr;
      case UART_MCR:
        return this.mcr;
      case UART_LSR:
        return this.readLineStatus();
      case UART_MSR:
        return this.readModemStatus();
      case UART_SCR:
        return this.scr;
      default:
        this.guestError(`read of unknown register offset ${offset}`);
        return 0xff;
    }
  }

  /** Guest write of `value` to register `offset` (0-7); only the low byte counts. */
  write(offset: number, value: number): void {
    const byte = value & 0xff;
    switch (offset) {
      case UART_RBR:
        if (this.lcr & UART_LCR_DLAB) this.setDivider((this.divider & 0xff00) | byte);
        else this.writeTransmitHolding(byte);
        break;
      case UART_IER:
        if (this.lcr & UART_LCR_DLAB) this.setDivider((this.divider & 0x00ff) | (byte << 8));
        else this.writeInterruptEnable(byte);
        break;
      case UART_FCR:
        this.writeFifoControl(byte);
        break;
      case UART_LCR:
        this.lcr = byte;
        this.updateParameters();
        break;
      case UART_MCR:
        this.writeModemControl(byte);
        break;
      case UART_LSR:
      case UART_MSR:
        this.guestError(
          `write of 0x${hex(byte)} to read-only ${offset === UART_LSR ? 'LSR' : 'MSR'} ignored`,
        );
        break;
      case UART_SCR:
        this.scr = byte;
        break;
      default:
        this.guestError(`write of 0x${hex(byte)} to unknown register offset ${offset}`);
    }
  }

  /** The current state as plain data. */
  state(): SerialState {
    return {
      divider: this.divider,
      rbr: this.rbr,
      thr: this.thr,
      tsr: this.tsr,
      ier: this.ier,
      iir: this.iir,
      lcr: this.lcr,
      mcr: this.mcr,
      lsr: this.lsr,
      msr: this.msr,
      scr: this.scr,
      fcr: this.fcr,
      recvFifo: this.recvFifo.toArray(),
      xmitFifo: this.xmitFifo.toArray(),
      thrIpending: this.thrIpending,
      timeoutIpending: this.timeoutIpending,
      fifoTimeoutNs: this.fifoTimeoutNs,
    };
  }

  /**
   * Restore a snapshot: registers, FIFOs, latched interrupts and the pending
   * character timeout; the interrupt line is driven to what the state implies.
   * @throws RangeError for a state no UART could be in (a host-side mistake).
   */
  loadState(state: SerialState): void {
    checkState(state);
    this.divider = state.divider;
    this.rbr = state.rbr;
    this.thr = state.thr;
    this.tsr = state.tsr;
    this.ier = state.ier & UART_IER_MASK;
    this.lcr = state.lcr;
    this.mcr = state.mcr & UART_MCR_MASK;
    this.lsr = state.lsr;
    this.msr = state.msr;
    this.scr = state.scr;
    this.setFifoControl(state.fcr & UART_FCR_STICKY);
    this.iir = (state.iir & ~UART_IIR_FIFO_ENABLED) | (this.iir & UART_IIR_FIFO_ENABLED);
    this.recvFifo.load(state.recvFifo);
    this.xmitFifo.load(state.xmitFifo);
    this.thrIpending = state.thrIpending;
    this.timeoutIpending = state.timeoutIpending;
    this.updateParameters();
    if (state.fifoTimeoutNs === null) this.disarmFifoTimeout();
    else this.armFifoTimeout(state.fifoTimeoutNs);
    this.updateIrq();
    this.inputRoomChanged();
  }

  // --- Receive side -------------------------------------------------------

  /** How many bytes the chardev may pass now (QEMU's serial_can_receive). */
  private canReceive(): number {
    // In loopback the receiver hears only the transmitter.
    if (this.mcr & UART_MCR_LOOP) return 0;
    if (!(this.fcr & UART_FCR_FE)) return this.lsr & UART_LSR_DR ? 0 : 1;
    const count = this.recvFifo.length;
    if (count >= UART_FIFO_LENGTH) return 0;
    // Offer bytes up to the trigger level, then one at a time, so the guest's
    // trigger level still decides when it is interrupted.
    return count <= this.recvFifoItl ? this.recvFifoItl - count : 1;
  }

  /** Bytes arriving on the receive line. */
  private receive(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.fcr & UART_FCR_FE) {
      for (const byte of data) {
        // An overrun keeps the FIFO contents and loses the new byte.
        if (!this.recvFifo.push(byte)) this.lsr |= UART_LSR_OE;
      }
      this.lsr |= UART_LSR_DR;
      this.armFifoTimeout(this.time.now() + this.charTransmitTimeNs * 4);
    } else {
      for (const byte of data) {
        if (this.lsr & UART_LSR_DR) this.lsr |= UART_LSR_OE;
        this.rbr = byte;
        this.lsr |= UART_LSR_DR;
      }
    }
    this.updateIrq();
  }

  /** A break on the line: a NUL byte with LSR.BI (QEMU's serial_receive_break). */
  private receiveBreak(): void {
    this.rbr = 0;
    if (!this.recvFifo.push(0)) this.lsr |= UART_LSR_OE;
    this.lsr |= UART_LSR_BI | UART_LSR_DR;
    this.updateIrq();
  }

  private chardevEvent(event: CharEvent): void {
    if (event === 'break') this.receiveBreak();
  }

  private readReceiveBuffer(): number {
    let value: number;
    if (this.fcr & UART_FCR_FE) {
      value = this.recvFifo.pop() ?? 0;
      if (this.recvFifo.isEmpty) {
        this.lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        this.disarmFifoTimeout();
      } else {
        this.armFifoTimeout(this.time.now() + this.charTransmitTimeNs * 4);
      }
      this.timeoutIpending = false;
    } else {
      value = this.rbr;
      this.lsr &= ~(UART_LSR_DR | UART_LSR_BI);
    }
    this.updateIrq();
    this.inputRoomChanged();
    return value;
  }

  /** The FIFO has held data without a read for four character times. */
  private fifoTimeoutExpired(): void {
    this.fifoTimeoutNs = null;
    if (!this.recvFifo.isEmpty) {
      this.timeoutIpending = true;
      this.updateIrq();
    }
  }

  private armFifoTimeout(deadlineNs: number): void {
    this.fifoTimeoutNs = deadlineNs;
    this.fifoTimeoutTimer.mod(deadlineNs);
  }

  private disarmFifoTimeout(): void {
    this.fifoTimeoutNs = null;
    this.fifoTimeoutTimer.del();
  }

  /** The receiver may take more than before: let the chardev deliver what it holds. */
  private inputRoomChanged(): void {
    if (this.canReceive() > 0) this.chardev.acceptInput();
  }

  // --- Transmit side ------------------------------------------------------

  private writeTransmitHolding(byte: number): void {
    this.thr = byte;
    if (this.fcr & UART_FCR_FE) {
      // A transmit overrun overwrites: make room by dropping the oldest byte.
      if (this.xmitFifo.isFull) this.xmitFifo.pop();
      this.xmitFifo.push(byte);
    }
    this.thrIpending = false;
    this.lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    this.updateIrq();
    this.transmit();
  }

  /**
   * Move bytes from THR (or the transmit FIFO) through the shift register to
   * the line, at once (QEMU's serial_xmit). The holding register becomes empty
   * again, which latches the THRE interrupt.
   */
  private transmit(): void {
    do {
      if (this.fcr & UART_FCR_FE) {
        this.tsr = this.xmitFifo.pop() ?? this.thr;
        if (this.xmitFifo.isEmpty) this.lsr |= UART_LSR_THRE;
      } else {
        this.tsr = this.thr;
        this.lsr |= UART_LSR_THRE;
      }
      if (this.lsr & UART_LSR_THRE && !this.thrIpending) {
        this.thrIpending = true;
        this.updateIrq();
      }
      if (this.mcr & UART_MCR_LOOP) {
        this.receive(Uint8Array.of(this.tsr));
      } else {
        this.txByte[0] = this.tsr;
        this.chardev.write(this.txByte);
      }
    } while (!(this.lsr & UART_LSR_THRE));
    this.lsr |= UART_LSR_TEMT;
  }

  // --- Control registers --------------------------------------------------

  private writeInterruptEnable(byte: number): void {
    const value = byte & UART_IER_MASK;
    const changed = (this.ier ^ value) & UART_IER_MASK;
    this.ier = value;
    // Turning THRI on re-samples THRE: a guest that toggles IER gets a fresh
    // THRE interrupt even after reading IIR cleared the last one (Windows and
    // Linux's THRE test rely on it; QEMU and Bochs do the same).
    if (changed & UART_IER_THRI) {
      this.thrIpending = (this.ier & UART_IER_THRI) !== 0 && (this.lsr & UART_LSR_THRE) !== 0;
    }
    if (changed) this.updateIrq();
  }

  private writeFifoControl(byte: number): void {
    let value = byte;
    // Switching the FIFOs on or off empties them.
    if ((value ^ this.fcr) & UART_FCR_FE) value |= UART_FCR_XFR | UART_FCR_RFR;
    if (value & UART_FCR_RFR) {
      this.lsr &= ~(UART_LSR_DR | UART_LSR_BI);
      this.disarmFifoTimeout();
      this.timeoutIpending = false;
      this.recvFifo.clear();
    }
    if (value & UART_FCR_XFR) {
      this.lsr |= UART_LSR_THRE;
      this.thrIpending = true;
      this.xmitFifo.clear();
    }
    this.setFifoControl(value & UART_FCR_STICKY);
    this.updateIrq();
    this.inputRoomChanged();
  }

  /** Set FCR's lasting bits, the FIFO-enabled bits of IIR and the trigger level. */
  private setFifoControl(value: number): void {
    this.fcr = value;
    if (value & UART_FCR_FE) {
      this.iir |= UART_IIR_FIFO_ENABLED;
      this.recvFifoItl = UART_FIFO_TRIGGER_LEVELS[(value & UART_FCR_ITL_MASK) >> 6];
    } else {
      this.iir &= ~UART_IIR_FIFO_ENABLED;
    }
  }

  private writeModemControl(byte: number): void {
    const before = this.modemInputs();
    this.mcr = byte & UART_MCR_MASK;
    const after = this.modemInputs();
    if (before !== after) {
      // Delta bits record a change on CTS, DSR, DCD; TERI only RI going from on to off.
      let deltas = ((before ^ after) >> 4) & (UART_MSR_ANY_DELTA & ~UART_MSR_TERI);
      if (before & UART_MSR_RI && !(after & UART_MSR_RI)) deltas |= UART_MSR_TERI;
      this.msr = after | (this.msr & UART_MSR_ANY_DELTA) | deltas;
      this.updateIrq();
    }
    this.inputRoomChanged();
  }

  /**
   * The modem input lines: in loopback they are wired to the outputs
   * (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD); otherwise they are steady on.
   */
  private modemInputs(): number {
    if (!(this.mcr & UART_MCR_LOOP)) return LINE_INPUTS;
    let inputs = 0;
    if (this.mcr & UART_MCR_RTS) inputs |= UART_MSR_CTS;
    if (this.mcr & UART_MCR_DTR) inputs |= UART_MSR_DSR;
    if (this.mcr & UART_MCR_OUT1) inputs |= UART_MSR_RI;
    if (this.mcr & UART_MCR_OUT2) inputs |= UART_MSR_DCD;
    return inputs;
  }

  private setDivider(divider: number): void {
    this.divider = divider & 0xffff;
    this.updateParameters();
  }

  /** Recompute the time one character takes on the line (start + data + parity + stop bits). */
  private updateParameters(): void {
    // A zero divisor gives about 3500 baud on real parts (QEMU models the same).
    const speed = this.divider === 0 ? 3500 : this.baudbase / this.divider;
    const dataBits = (this.lcr & UART_LCR_WLEN_MASK) + 5;
    const stopBits = this.lcr & UART_LCR_STOP ? 2 : 1;
    const parityBits = this.lcr & UART_LCR_PARITY ? 1 : 0;
    const frameBits = 1 + dataBits + parityBits + stopBits;
    this.charTransmitTimeNs = (1e9 / speed) * frameBits;
  }

  // --- Status registers ---------------------------------------------------

  private readInterruptId(): number {
    const value = this.iir;
    // Reading IIR while it reports THRE acknowledges that interrupt.
    if ((value & UART_IIR_ID_MASK) === UART_IIR_THRI) {
      this.thrIpending = false;
      this.updateIrq();
    }
    return value;
  }

  private readLineStatus(): number {
    const value = this.lsr;
    // Error and break bits clear when read.
    if (this.lsr & UART_LSR_INT_ANY) {
      this.lsr &= ~UART_LSR_INT_ANY;
      this.updateIrq();
    }
    return value;
  }

  private readModemStatus(): number {
    const value = this.msr;
    if (this.msr & UART_MSR_ANY_DELTA) {
      this.msr &= ~UART_MSR_ANY_DELTA;
      this.updateIrq();
    }
    return value;
  }

  // --- Interrupt ----------------------------------------------------------

  /** Pick the highest-priority pending source for IIR and drive the line (QEMU's serial_update_irq). */
  private updateIrq(): void {
    let id = UART_IIR_NO_INT;
    if (this.ier & UART_IER_RLSI && this.lsr & UART_LSR_INT_ANY) {
      id = UART_IIR_RLSI;
    } else if (this.ier & UART_IER_RDI && this.timeoutIpending) {
      // IER.RDI masks the timeout too: not in the datasheet, but what real parts do.
      id = UART_IIR_CTI;
    } else if (
      this.ier & UART_IER_RDI &&
      this.lsr & UART_LSR_DR &&
      (!(this.fcr & UART_FCR_FE) || this.recvFifo.length >= this.recvFifoItl)
    ) {
      id = UART_IIR_RDI;
    } else if (this.ier & UART_IER_THRI && this.thrIpending) {
      id = UART_IIR_THRI;
    } else if (this.ier & UART_IER_MSI && this.msr & UART_MSR_ANY_DELTA) {
      id = UART_IIR_MSI;
    }
    this.iir = id | (this.iir & 0xf0);
    this.setIrq(id !== UART_IIR_NO_INT);
  }

  private setIrq(level: boolean): void {
    this.irqLevel = level;
    this.irq.set(level);
  }

  private guestError(message: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `serial: ${message}\n`);
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}

function checkState(state: SerialState): void {
  const bytes: (keyof SerialState)[] = [
    'rbr',
    'thr',
    'tsr',
    'ier',
    'iir',
    'lcr',
    'mcr',
    'lsr',
    'msr',
    'scr',
    'fcr',
  ];
  for (const key of bytes) {
    const value = state[key];
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xff) {
      throw new RangeError(`serial state: ${key} must be a byte, not ${String(value)}`);
    }
  }
  if (!Number.isInteger(state.divider) || state.divider < 0 || state.divider > 0xffff) {
    throw new RangeError(`serial state: divider must be 0-65535, not ${state.divider}`);
  }
  for (const key of ['recvFifo', 'xmitFifo'] as const) {
    const fifo = state[key];
    if (!Array.isArray(fifo) || fifo.length > UART_FIFO_LENGTH) {
      throw new RangeError(`serial state: ${key} must hold at most ${UART_FIFO_LENGTH} bytes`);
    }
    if (fifo.some((byte) => !Number.isInteger(byte) || byte < 0 || byte > 0xff)) {
      throw new RangeError(`serial state: ${key} must hold bytes`);
    }
  }
  if (state.fifoTimeoutNs !== null && !Number.isFinite(state.fifoTimeoutNs)) {
    throw new RangeError('serial state: fifoTimeoutNs must be a number or null');
  }
}
