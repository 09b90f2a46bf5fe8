import { describe, expect, it } from 'vitest';
import type { LogSink } from '../device-env.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { CharRecorder } from './char-recorder.js';
import { Serial, type SerialEnv } from './serial.js';
import {
  UART_DLL,
  UART_DLM,
  UART_FCR,
  UART_IER,
  UART_IER_MSI,
  UART_IER_RDI,
  UART_IER_RLSI,
  UART_IER_THRI,
  UART_IIR,
  UART_LCR,
  UART_LCR_DLAB,
  UART_LSR,
  UART_LSR_BI,
  UART_LSR_DR,
  UART_LSR_OE,
  UART_LSR_TEMT,
  UART_LSR_THRE,
  UART_MCR,
  UART_MCR_LOOP,
  UART_MSR,
  UART_RBR,
  UART_SCR,
  UART_THR,
} from './serial-registers.js';

/** IIR values as a driver sees them with the FIFOs on (bits 6-7 set). */
const IIR_FIFO_NONE = 0xc1;
const IIR_FIFO_THRI = 0xc2;
const IIR_FIFO_RDI = 0xc4;
const IIR_FIFO_RLSI = 0xc6;
const IIR_FIFO_CTI = 0xcc;

function setup(env: Partial<SerialEnv> = {}) {
  const time = new ManualTime();
  const irq = new IrqRecorder();
  const chardev = new CharRecorder();
  const uart = new Serial({ time, irq, chardev, ...env });
  return { uart, time, irq, chardev };
}

/** 115200 8N1 with the FIFOs on at `triggerBits` (0x00, 0x40, 0x80, 0xc0), DTR/RTS/OUT2: how Linux's 8250 driver opens a port. */
function openPort(uart: Serial, triggerBits = 0xc0): void {
  uart.write(UART_LCR, UART_LCR_DLAB);
  uart.write(UART_DLL, 1);
  uart.write(UART_DLM, 0);
  uart.write(UART_LCR, 0x03);
  uart.write(UART_FCR, 0x07 | triggerBits);
  uart.write(UART_MCR, 0x0b);
}

/** Nanoseconds one 8N1 character takes at 115200 baud. */
const CHAR_NS = (1e9 / 115200) * 10;

describe('16550A UART registers', () => {
  it('comes out of reset at 9600 8N1 with the transmitter empty and no interrupt', () => {
    const { uart, irq } = setup();
    expect(uart.read(UART_LSR)).toBe(UART_LSR_THRE | UART_LSR_TEMT);
    expect(uart.read(UART_IIR)).toBe(0x01);
    expect(uart.read(UART_MCR)).toBe(0x08);
    expect(uart.read(UART_MSR)).toBe(0xb0);
    uart.write(UART_LCR, UART_LCR_DLAB);
    expect([uart.read(UART_DLL), uart.read(UART_DLM)]).toEqual([0x0c, 0x00]);
    expect(irq.level).toBe(false);
  });

  it('reaches the divisor latch only while DLAB is set', () => {
    const { uart } = setup();
    uart.write(UART_IER, 0x05);
    uart.write(UART_LCR, UART_LCR_DLAB | 0x03);
    uart.write(UART_DLL, 0x34);
    uart.write(UART_DLM, 0x12);
    expect([uart.read(UART_DLL), uart.read(UART_DLM)]).toEqual([0x34, 0x12]);
    uart.write(UART_LCR, 0x03);
    expect(uart.read(UART_IER)).toBe(0x05);
  });

  it('keeps only the implemented bits of IER and MCR', () => {
    const { uart } = setup();
    uart.write(UART_IER, 0xff);
    uart.write(UART_MCR, 0xff & ~UART_MCR_LOOP);
    expect(uart.read(UART_IER)).toBe(0x0f);
    expect(uart.read(UART_MCR)).toBe(0x0f);
  });

  it('passes the scratch register test', () => {
    const { uart } = setup();
    for (const value of [0xa5, 0x5a, 0x00]) {
      uart.write(UART_SCR, value);
      expect(uart.read(UART_SCR)).toBe(value);
    }
  });

  it('identifies as a 16550A with working FIFOs and no 64-byte FIFO (Linux autoconfig)', () => {
    const { uart } = setup();
    uart.write(UART_FCR, 0x01);
    expect(uart.read(UART_IIR) >> 6).toBe(3);
    // The 16750 probe sets FCR bit 5; a 16550A ignores it, so IIR bit 5 stays clear.
    uart.write(UART_FCR, 0x21);
    expect(uart.read(UART_IIR) >> 5).toBe(6);
  });

  it('ignores writes to the read-only LSR and logs them as guest errors', () => {
    const messages: string[] = [];
    const log: LogSink = {
      enabled: (item) => item === 'guest_errors',
      write: (_, text) => messages.push(text),
    };
    const { uart } = setup({ log });
    uart.write(UART_LSR, 0x00);
    expect(uart.read(UART_LSR)).toBe(UART_LSR_THRE | UART_LSR_TEMT);
    expect(messages).toEqual(['serial: write of 0x00 to read-only LSR ignored\n']);
  });
});

describe('16550A transmit', () => {
  it('sends a polled byte at once and is ready again', () => {
    const { uart, chardev } = setup();
    openPort(uart);
    uart.write(UART_THR, 0x41);
    expect(chardev.takeText()).toBe('A');
    expect(uart.read(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT)).toBe(
      UART_LSR_THRE | UART_LSR_TEMT,
    );
  });

  it('runs an interrupt-driven transmit: THRE interrupts until the driver turns THRI off', () => {
    const { uart, chardev, irq } = setup();
    openPort(uart);
    const message = [
      ...Buffer.from('Linux version 6.1.0-686 (debian-kernel@lists.debian.org)\r\n'),
    ];
    let interrupts = 0;
    uart.write(UART_IER, UART_IER_THRI);
    // The interrupt handler: while the line is up, read IIR and refill up to 16 bytes (the FIFO size).
    while (irq.level) {
      interrupts++;
      const iir = uart.read(UART_IIR);
      expect(iir).toBe(IIR_FIFO_THRI);
      for (let n = 0; n < 16 && message.length > 0; n++)
        uart.write(UART_THR, message.shift() as number);
      if (message.length === 0) uart.write(UART_IER, 0);
      expect(interrupts).toBeLessThan(10);
    }
    expect(chardev.takeText()).toBe('Linux version 6.1.0-686 (debian-kernel@lists.debian.org)\r\n');
    expect(interrupts).toBe(4);
  });

  it('re-raises THRE when THRI is switched off and on again (Linux THRE test)', () => {
    const { uart } = setup();
    openPort(uart);
    uart.write(UART_IER, UART_IER_THRI);
    const iir1 = uart.read(UART_IIR);
    uart.write(UART_IER, 0);
    uart.write(UART_IER, UART_IER_THRI);
    const iir2 = uart.read(UART_IIR);
    uart.write(UART_IER, 0);
    expect(iir1 & 0x0f).toBe(0x02);
    expect(iir2 & 0x0f).toBe(0x02);
  });

  it('acknowledges THRE by reading IIR: it does not come back on its own', () => {
    const { uart, irq } = setup();
    openPort(uart);
    uart.write(UART_IER, UART_IER_THRI);
    expect(irq.level).toBe(true);
    uart.read(UART_IIR);
    expect(irq.level).toBe(false);
    expect(uart.read(UART_IIR)).toBe(IIR_FIFO_NONE);
  });
});

describe('16550A receive', () => {
  it.each([
    [0x00, 1],
    [0x40, 4],
    [0x80, 8],
    [0xc0, 14],
  ])('interrupts with FCR trigger bits 0x%s once %i bytes wait', (triggerBits, level) => {
    const { uart, chardev, irq } = setup();
    openPort(uart, triggerBits);
    uart.write(UART_IER, UART_IER_RDI);
    chardev.type('x'.repeat(level - 1));
    expect(irq.level).toBe(false);
    chardev.type('x');
    expect(irq.level).toBe(true);
    expect(uart.read(UART_IIR)).toBe(IIR_FIFO_RDI);
  });

  it('raises a character timeout for bytes below the trigger level after four character times', () => {
    const { uart, chardev, irq, time } = setup();
    openPort(uart, 0xc0);
    uart.write(UART_IER, UART_IER_RDI);
    chardev.type('ls\r');
    time.advance(CHAR_NS * 4 - 1);
    expect(irq.level).toBe(false);
    time.advance(1);
    expect(irq.level).toBe(true);
    expect(uart.read(UART_IIR)).toBe(IIR_FIFO_CTI);
    const read: number[] = [];
    while (uart.read(UART_LSR) & UART_LSR_DR) read.push(uart.read(UART_RBR));
    expect(Buffer.from(read).toString()).toBe('ls\r');
    expect(irq.level).toBe(false);
  });

  it('takes host input only as fast as the FIFO empties, and loses no byte', () => {
    const { uart, chardev, irq, time } = setup();
    openPort(uart, 0xc0);
    uart.write(UART_IER, UART_IER_RDI | UART_IER_RLSI);
    const typed = Buffer.alloc(5000);
    for (let i = 0; i < typed.length; i++) typed[i] = (i * 31) & 0xff;
    chardev.type([...typed]);
    const received: number[] = [];
    // The guest's interrupt handler, run whenever the line is up; time passes between interrupts.
    for (let rounds = 0; received.length < typed.length && rounds < 10_000; rounds++) {
      if (!irq.level) time.advance(CHAR_NS * 4);
      if (!irq.level) continue;
      expect([IIR_FIFO_RDI, IIR_FIFO_CTI]).toContain(uart.read(UART_IIR));
      while (uart.read(UART_LSR) & UART_LSR_DR) received.push(uart.read(UART_RBR));
    }
    expect(Buffer.from(received).equals(typed)).toBe(true);
    expect(chardev.largestDelivery).toBeLessThanOrEqual(14);
    expect(uart.read(UART_LSR) & UART_LSR_OE).toBe(0);
  });

  it('holds one byte at a time without FIFOs and keeps the rest in the chardev', () => {
    const { uart, chardev } = setup();
    chardev.type('ok');
    expect(uart.read(UART_LSR) & UART_LSR_DR).toBe(UART_LSR_DR);
    expect(chardev.pendingInput).toBe(1);
    expect(uart.read(UART_RBR)).toBe(0x6f);
    expect(uart.read(UART_RBR)).toBe(0x6b);
    expect(uart.read(UART_LSR) & (UART_LSR_DR | UART_LSR_OE)).toBe(0);
  });

  it('empties the receive FIFO on FCR receive reset', () => {
    const { uart, chardev } = setup();
    openPort(uart, 0xc0);
    chardev.type('junk');
    uart.write(UART_FCR, 0xc3);
    expect(uart.read(UART_LSR) & UART_LSR_DR).toBe(0);
  });

  it('shows a break from the chardev as LSR.BI with a NUL byte and a line status interrupt', () => {
    const { uart, chardev, irq } = setup();
    openPort(uart);
    uart.write(UART_IER, UART_IER_RLSI | UART_IER_RDI);
    chardev.signal('break');
    expect(irq.level).toBe(true);
    expect(uart.read(UART_IIR)).toBe(IIR_FIFO_RLSI);
    expect(uart.read(UART_LSR) & (UART_LSR_BI | UART_LSR_DR)).toBe(UART_LSR_BI | UART_LSR_DR);
    expect(uart.read(UART_RBR)).toBe(0);
  });
});

describe('16550A interrupt priorities and loopback', () => {
  it('reports line status, then received data, then THRE, then modem status', () => {
    const { uart, irq } = setup();
    uart.write(UART_FCR, 0x00);
    uart.write(UART_MCR, UART_MCR_LOOP);
    // Loopback: two bytes without a read overrun the receiver; leaving loopback changes the modem lines.
    uart.write(UART_THR, 0x31);
    uart.write(UART_THR, 0x32);
    uart.write(UART_MCR, 0x0b);
    uart.write(UART_IER, UART_IER_RLSI | UART_IER_RDI | UART_IER_THRI | UART_IER_MSI);
    expect(uart.read(UART_IIR)).toBe(0x06);
    expect(uart.read(UART_LSR) & UART_LSR_OE).toBe(UART_LSR_OE);
    expect(uart.read(UART_IIR)).toBe(0x04);
    expect(uart.read(UART_RBR)).toBe(0x32);
    expect(uart.read(UART_IIR)).toBe(0x02);
    expect(uart.read(UART_IIR)).toBe(0x00);
    expect(uart.read(UART_MSR) & 0x0f).not.toBe(0);
    expect(uart.read(UART_IIR)).toBe(0x01);
    expect(irq.level).toBe(false);
  });

  it('loops transmitted bytes back to the receiver instead of the chardev', () => {
    const { uart, chardev } = setup();
    openPort(uart);
    uart.write(UART_MCR, UART_MCR_LOOP | 0x0b);
    uart.write(UART_THR, 0x55);
    expect(chardev.takeText()).toBe('');
    expect(uart.read(UART_RBR)).toBe(0x55);
  });

  it('wires the modem outputs to the inputs in loopback (Linux probe: MCR 0x1a reads MSR 0x9x)', () => {
    const { uart } = setup();
    uart.write(UART_MCR, UART_MCR_LOOP | 0x0a);
    expect(uart.read(UART_MSR) & 0xf0).toBe(0x90);
    uart.write(UART_MCR, UART_MCR_LOOP | 0x05);
    expect(uart.read(UART_MSR) & 0xf0).toBe(0x60);
  });

  it('keeps host input out of the receiver during loopback and delivers it afterwards', () => {
    const { uart, chardev } = setup();
    openPort(uart);
    uart.write(UART_MCR, UART_MCR_LOOP | 0x0b);
    chardev.type('held');
    expect(uart.read(UART_LSR) & UART_LSR_DR).toBe(0);
    uart.write(UART_MCR, 0x0b);
    const read: number[] = [];
    while (uart.read(UART_LSR) & UART_LSR_DR) read.push(uart.read(UART_RBR));
    expect(Buffer.from(read).toString()).toBe('held');
  });

  it('clears overrun on an LSR read', () => {
    const { uart } = setup();
    uart.write(UART_MCR, UART_MCR_LOOP);
    uart.write(UART_THR, 1);
    uart.write(UART_THR, 2);
    expect(uart.read(UART_LSR) & UART_LSR_OE).toBe(UART_LSR_OE);
    expect(uart.read(UART_LSR) & UART_LSR_OE).toBe(0);
  });
});

describe('16550A snapshots', () => {
  it('restores registers, FIFO contents and the interrupt the state implies', () => {
    const first = setup();
    openPort(first.uart, 0x40);
    first.uart.write(UART_IER, UART_IER_RDI);
    first.chardev.type('abcd');
    expect(first.irq.level).toBe(true);
    const saved = first.uart.state();

    const time = new ManualTime();
    const irq = new IrqRecorder();
    const restored = Serial.fromState(saved, { time, irq, chardev: new CharRecorder() });
    expect(irq.level).toBe(true);
    expect(restored.state()).toEqual(saved);
    expect(restored.read(UART_IIR)).toBe(IIR_FIFO_RDI);
    expect([0, 1, 2, 3].map(() => restored.read(UART_RBR))).toEqual([0x61, 0x62, 0x63, 0x64]);
  });

  it('re-arms a pending character timeout', () => {
    const first = setup();
    openPort(first.uart, 0xc0);
    first.uart.write(UART_IER, UART_IER_RDI);
    first.chardev.type('a');
    const saved = first.uart.state();
    const time = new ManualTime();
    const irq = new IrqRecorder();
    Serial.fromState(saved, { time, irq });
    time.advanceTo(saved.fifoTimeoutNs as number);
    expect(irq.level).toBe(true);
  });

  it('refuses a state no UART could be in', () => {
    const { uart } = setup();
    const bad = { ...uart.state(), recvFifo: new Array(17).fill(0) };
    expect(() => Serial.fromState(bad, { time: new ManualTime() })).toThrow(
      'serial state: recvFifo must hold at most 16 bytes',
    );
  });
});
