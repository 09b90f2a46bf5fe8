import type { LogSink } from '../device-env.js';
import { SILENT_LOG } from '../device-env.js';
import { type ApicBus, DELIVERY_EXTINT, type EoiListener, TRIGGER_LEVEL } from './apic-bus.js';

// MMIO register offsets (the machine maps the window at 0xfec00000).

/** I/O register select: the index of the register IOWIN reaches. */
export const IOAPIC_IOREGSEL = 0x00;
/** I/O window: reads and writes the register IOREGSEL selects. */
export const IOAPIC_IOWIN = 0x10;
/** EOI register (version 0x20): writing a vector clears remote IRR like a local APIC EOI. */
export const IOAPIC_EOI = 0x40;
/** Size of the MMIO window. */
export const IOAPIC_MMIO_SIZE = 0x1000;

// Indirect registers (IOREGSEL values).

/** IOAPICID: bits 27-24 hold the APIC ID. */
export const IOAPIC_REG_ID = 0x00;
/** IOAPICVER: bits 7-0 version, bits 23-16 the highest redirection entry index. */
export const IOAPIC_REG_VER = 0x01;
/** IOAPICARB: bits 27-24 hold the bus arbitration ID. */
export const IOAPIC_REG_ARB = 0x02;
/** First redirection table register: entry n is at 0x10 + 2n (low) and 0x11 + 2n (high). */
export const IOAPIC_REG_REDTBL_BASE = 0x10;

/** The 82093AA's version as QEMU reports it (with the EOI register). */
export const IOAPIC_VERSION = 0x20;
/** Number of input pins (GSIs 0-23). */
export const IOAPIC_NUM_PINS = 24;
/** Shift of the ID field in IOAPICID and IOAPICARB. */
export const IOAPIC_ID_SHIFT = 24;
/** Width mask of the ID field. */
export const IOAPIC_ID_MASK = 0x0f;

// Redirection entry, low dword.

/** Interrupt vector. */
export const REDIR_VECTOR_MASK = 0xff;
/** Delivery mode field (bits 10-8): fixed, lowest priority, SMI, NMI, INIT, ExtINT. */
export const REDIR_DELIVERY_MODE_SHIFT = 8;
/** Destination mode: 0 physical, 1 logical. */
export const REDIR_DEST_MODE_LOGICAL = 1 << 11;
/** Delivery status (read-only): a message is waiting to be accepted. Always 0 here. */
export const REDIR_DELIVERY_STATUS = 1 << 12;
/** Input pin polarity: 1 active low. */
export const REDIR_POLARITY_LOW = 1 << 13;
/** Remote IRR (read-only, level mode): a local APIC accepted the interrupt and owes an EOI. */
export const REDIR_REMOTE_IRR = 1 << 14;
/** Trigger mode: 1 level, 0 edge. */
export const REDIR_TRIGGER_LEVEL = 1 << 15;
/** Interrupt mask: the pin sends nothing. */
export const REDIR_MASKED = 1 << 16;
/** Bits of the low dword the guest may write. */
export const REDIR_LOW_WRITABLE = 0x1afff;
/** Bits of the high dword the guest may write: the destination field. */
export const REDIR_HIGH_WRITABLE = 0xff000000;
/** Shift of the destination field in the high dword. */
export const REDIR_DEST_SHIFT = 24;

export interface IoApicState {
  id: number;
  ioregsel: number;
  /** One bit per pin: a request waits to be sent (edge) or the line is asserted (level). */
  irr: number;
  redirLow: number[];
  redirHigh: number[];
}

export interface IoApicOptions {
  /** The bus that carries its messages to the local APICs and its EOI broadcasts back. */
  bus: ApicBus;
  log?: LogSink;
}

/**
 * The Intel 82093AA I/O APIC (QEMU's `ioapic`, version 0x20, 24 pins).
 *
 * Input pins are driven with {@link setIrq}; each asserted, unmasked pin sends the message its
 * redirection entry describes over the {@link ApicBus}. A level-triggered pin then sets remote
 * IRR and sends nothing more until a local APIC broadcasts the EOI for its vector.
 *
 * Pin polarity is not applied: lines carry the asserted/deasserted level, as in QEMU.
 *
 * @example
 * const ioapic = new IoApic({ bus });
 * ioapic.write(IOAPIC_IOREGSEL, IOAPIC_REG_REDTBL_BASE + 2 * 4);
 * ioapic.write(IOAPIC_IOWIN, 0x31);   // pin 4: vector 0x31, fixed, edge, unmasked
 * ioapic.setIrq(4, true);             // message to APIC 0 (destination 0)
 */
export class IoApic implements EoiListener {
  private readonly bus: ApicBus;
  private readonly log: LogSink;
  private id = 0;
  private ioregsel = 0;
  private irr = 0;
  private readonly redirLow = new Uint32Array(IOAPIC_NUM_PINS);
  private readonly redirHigh = new Uint32Array(IOAPIC_NUM_PINS);

  constructor(options: IoApicOptions) {
    this.bus = options.bus;
    this.log = options.log ?? SILENT_LOG;
    this.bus.addEoiListener(this);
    this.reset();
  }

  reset(): void {
    this.id = 0;
    this.ioregsel = 0;
    this.irr = 0;
    this.redirLow.fill(REDIR_MASKED);
    this.redirHigh.fill(0);
  }

  /** Drive input pin `pin` (GSI 0-23) to `level`. */
  setIrq(pin: number, level: boolean): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= IOAPIC_NUM_PINS) {
      throw new Error(`ioapic: pin ${pin} does not exist (0-${IOAPIC_NUM_PINS - 1})`);
    }
    const mask = 1 << pin;
    const entry = this.redirLow[pin];
    if (entry & REDIR_TRIGGER_LEVEL) {
      if (level) {
        this.irr |= mask;
        if (!(entry & REDIR_REMOTE_IRR)) this.service();
      } else {
        this.irr &= ~mask;
      }
    } else if (level && !(entry & REDIR_MASKED)) {
      // The 82093AA ignores edges on a masked pin.
      this.irr |= mask;
      this.service();
    }
  }

  read(offset: number, size = 4): number {
    let value: number;
    switch (offset) {
      case IOAPIC_IOREGSEL:
        value = this.ioregsel;
        break;
      case IOAPIC_IOWIN:
        value = this.readIndirect(this.ioregsel);
        break;
      case IOAPIC_EOI:
        value = 0;
        break;
      default:
        this.guestError(`read of unknown offset 0x${offset.toString(16)}`);
        return 0;
    }
    return size >= 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1);
  }

  write(offset: number, value: number, _size = 4): void {
    value >>>= 0;
    switch (offset) {
      case IOAPIC_IOREGSEL:
        this.ioregsel = value & 0xff;
        return;
      case IOAPIC_IOWIN:
        this.writeIndirect(this.ioregsel, value);
        return;
      case IOAPIC_EOI:
        this.eoiBroadcast(value & 0xff);
        return;
      default:
        this.guestError(`write of unknown offset 0x${offset.toString(16)}`);
    }
  }

  /**
   * A local APIC finished a level-triggered `vector`: clear remote IRR on every level pin
   * that sends it, and send again for any such pin whose line is still asserted.
   */
  eoiBroadcast(vector: number): void {
    let again = false;
    for (let pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
      const entry = this.redirLow[pin];
      if ((entry & REDIR_VECTOR_MASK) !== vector) continue;
      if (!(entry & REDIR_TRIGGER_LEVEL) || !(entry & REDIR_REMOTE_IRR)) continue;
      this.redirLow[pin] = entry & ~REDIR_REMOTE_IRR;
      if (!(entry & REDIR_MASKED) && this.irr & (1 << pin)) again = true;
    }
    if (again) this.service();
  }

  /** The redirection entry of `pin` as [low, high] dwords (for `info ioapic` and tests). */
  redirectionEntry(pin: number): [number, number] {
    if (!Number.isInteger(pin) || pin < 0 || pin >= IOAPIC_NUM_PINS) {
      throw new Error(`ioapic: pin ${pin} does not exist`);
    }
    return [this.redirLow[pin], this.redirHigh[pin]];
  }

  /** QEMU-style `info ioapic` text: the ID, IRR and each redirection entry. */
  info(): string {
    const lines = [
      `ioapic0: ver=0x${IOAPIC_VERSION.toString(16)} id=0x${hex2(this.id)} sel=0x${hex2(this.ioregsel)}`,
    ];
    lines.push(`  pin  : 0x${this.irr.toString(16).padStart(6, '0')} irr`);
    for (let pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
      const low = this.redirLow[pin];
      const mode = ['fixed', 'lowest', 'SMI', 'reserved', 'NMI', 'INIT', 'reserved', 'extint'][
        (low >> REDIR_DELIVERY_MODE_SHIFT) & 7
      ];
      lines.push(
        `  pin ${String(pin).padStart(2, ' ')} 0x${this.redirHigh[pin].toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')} ` +
          `dest=${this.redirHigh[pin] >>> REDIR_DEST_SHIFT} vec=${low & 0xff} ` +
          `${low & REDIR_TRIGGER_LEVEL ? 'level' : 'edge '} ${low & REDIR_MASKED ? 'masked' : 'active'} ${mode}` +
          `${low & REDIR_DEST_MODE_LOGICAL ? ' logical' : ' physical'}${low & REDIR_REMOTE_IRR ? ' remote-irr' : ''}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  state(): IoApicState {
    return {
      id: this.id,
      ioregsel: this.ioregsel,
      irr: this.irr,
      redirLow: Array.from(this.redirLow),
      redirHigh: Array.from(this.redirHigh),
    };
  }

  /** Load a snapshot. An IOAPIC drives no line of its own: its messages live in the APICs' IRRs. */
  loadState(state: IoApicState): void {
    if (state.redirLow.length !== IOAPIC_NUM_PINS || state.redirHigh.length !== IOAPIC_NUM_PINS) {
      throw new Error(`ioapic state: need ${IOAPIC_NUM_PINS} redirection entries`);
    }
    this.id = state.id & IOAPIC_ID_MASK;
    this.ioregsel = state.ioregsel & 0xff;
    this.irr = state.irr & ((1 << IOAPIC_NUM_PINS) - 1);
    for (let pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
      this.redirLow[pin] = state.redirLow[pin] & (REDIR_LOW_WRITABLE | REDIR_REMOTE_IRR);
      this.redirHigh[pin] = state.redirHigh[pin] & REDIR_HIGH_WRITABLE;
    }
  }

  static fromState(state: IoApicState, options: IoApicOptions): IoApic {
    const ioapic = new IoApic(options);
    ioapic.loadState(state);
    return ioapic;
  }

  private readIndirect(index: number): number {
    switch (index) {
      case IOAPIC_REG_ID:
      case IOAPIC_REG_ARB:
        return (this.id << IOAPIC_ID_SHIFT) >>> 0;
      case IOAPIC_REG_VER:
        return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
      default: {
        const pin = (index - IOAPIC_REG_REDTBL_BASE) >> 1;
        if (index < IOAPIC_REG_REDTBL_BASE || pin >= IOAPIC_NUM_PINS) {
          this.guestError(`read of unknown register 0x${index.toString(16)}`);
          return 0;
        }
        return index & 1 ? this.redirHigh[pin] : this.redirLow[pin];
      }
    }
  }

  private writeIndirect(index: number, value: number): void {
    switch (index) {
      case IOAPIC_REG_ID:
        this.id = (value >>> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
        return;
      case IOAPIC_REG_VER:
      case IOAPIC_REG_ARB:
        this.guestError(`write to read-only register 0x${index.toString(16)}`);
        return;
      default: {
        const pin = (index - IOAPIC_REG_REDTBL_BASE) >> 1;
        if (index < IOAPIC_REG_REDTBL_BASE || pin >= IOAPIC_NUM_PINS) {
          this.guestError(`write of unknown register 0x${index.toString(16)}`);
          return;
        }
        if (index & 1) {
          this.redirHigh[pin] = value & REDIR_HIGH_WRITABLE;
        } else {
          let low = (value & REDIR_LOW_WRITABLE) | (this.redirLow[pin] & REDIR_REMOTE_IRR);
          // Remote IRR only has a meaning for level-triggered pins.
          if (!(low & REDIR_TRIGGER_LEVEL)) low &= ~REDIR_REMOTE_IRR;
          this.redirLow[pin] = low;
        }
        this.service();
      }
    }
  }

  /** Send a message for every pending, unmasked pin (QEMU's ioapic_service). */
  private service(): void {
    for (let pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
      const mask = 1 << pin;
      if (!(this.irr & mask)) continue;
      const entry = this.redirLow[pin];
      if (entry & REDIR_MASKED) continue;
      const level = (entry & REDIR_TRIGGER_LEVEL) !== 0;
      if (level) {
        if (entry & REDIR_REMOTE_IRR) continue;
        this.redirLow[pin] = entry | REDIR_REMOTE_IRR;
      } else {
        this.irr &= ~mask;
      }
      const deliveryMode = (entry >> REDIR_DELIVERY_MODE_SHIFT) & 7;
      this.bus.deliver({
        destination: this.redirHigh[pin] >>> REDIR_DEST_SHIFT,
        destinationMode: entry & REDIR_DEST_MODE_LOGICAL ? 1 : 0,
        deliveryMode,
        vector: entry & REDIR_VECTOR_MASK,
        // ExtINT, NMI, INIT and SMI are edge messages whatever the pin's trigger mode says.
        triggerMode: level && deliveryMode <= 1 ? TRIGGER_LEVEL : 0,
      });
      if (deliveryMode === DELIVERY_EXTINT && level) {
        // Nothing will EOI an ExtINT vector through the APIC: do not wait for one.
        this.redirLow[pin] &= ~REDIR_REMOTE_IRR;
      }
    }
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `ioapic: ${text}\n`);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
