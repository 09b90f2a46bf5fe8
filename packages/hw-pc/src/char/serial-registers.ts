/**
 * 16550A UART registers and bits (National Semiconductor PC16550D datasheet).
 * Offsets are from the UART's base (COM1 is at 0x3f8). Some offsets hold two
 * registers: which one depends on the direction of the access and on LCR.DLAB.
 */

/** Receiver Buffer Register (read, DLAB=0): the oldest received byte. */
export const UART_RBR = 0;
/** Transmitter Holding Register (write, DLAB=0): the next byte to send. */
export const UART_THR = 0;
/** Divisor Latch, low byte (DLAB=1): baud rate = 115200 / divisor. */
export const UART_DLL = 0;
/** Interrupt Enable Register (DLAB=0): which events raise the interrupt. */
export const UART_IER = 1;
/** Divisor Latch, high byte (DLAB=1). */
export const UART_DLM = 1;
/** Interrupt Identification Register (read): the highest-priority pending interrupt. */
export const UART_IIR = 2;
/** FIFO Control Register (write): enable, reset and trigger level of the FIFOs. */
export const UART_FCR = 2;
/** Line Control Register: word length, stop bits, parity, break, DLAB. */
export const UART_LCR = 3;
/** Modem Control Register: DTR, RTS, OUT1, OUT2 and loopback. */
export const UART_MCR = 4;
/** Line Status Register (read only): data ready, errors, transmitter empty. */
export const UART_LSR = 5;
/** Modem Status Register (read only): CTS, DSR, RI, DCD and their changes. */
export const UART_MSR = 6;
/** Scratch Register: a byte for software, unused by the UART. */
export const UART_SCR = 7;

/** Number of register offsets a UART decodes. */
export const UART_REGISTER_COUNT = 8;

/** IER: Received Data available interrupt (and the character timeout). */
export const UART_IER_RDI = 0x01;
/** IER: Transmitter Holding Register Empty interrupt: the UART can take more bytes. */
export const UART_IER_THRI = 0x02;
/** IER: Receiver Line Status interrupt: overrun, parity, framing error or break. */
export const UART_IER_RLSI = 0x04;
/** IER: Modem Status interrupt: a change on CTS, DSR, RI or DCD. */
export const UART_IER_MSI = 0x08;
/** IER bits a 16550A implements; the upper four read as zero. */
export const UART_IER_MASK = 0x0f;

/** IIR: no interrupt pending (bit 0 is active low). */
export const UART_IIR_NO_INT = 0x01;
/** IIR: the interrupt identification field (bits 1-3). */
export const UART_IIR_ID_MASK = 0x0e;
/** IIR id: modem status changed (lowest priority). */
export const UART_IIR_MSI = 0x00;
/** IIR id: transmitter holding register empty. */
export const UART_IIR_THRI = 0x02;
/** IIR id: received data reached the trigger level. */
export const UART_IIR_RDI = 0x04;
/** IIR id: receiver line status: an error or break (highest priority). */
export const UART_IIR_RLSI = 0x06;
/** IIR id: character timeout: data waits in the FIFO below the trigger level. */
export const UART_IIR_CTI = 0x0c;
/** IIR bits 6-7: both set while the FIFOs are enabled. */
export const UART_IIR_FIFO_ENABLED = 0xc0;

/** FCR: enable both FIFOs. */
export const UART_FCR_FE = 0x01;
/** FCR: clear the receive FIFO (self-clearing). */
export const UART_FCR_RFR = 0x02;
/** FCR: clear the transmit FIFO (self-clearing). */
export const UART_FCR_XFR = 0x04;
/** FCR: DMA mode select (no effect without DMA, but kept). */
export const UART_FCR_DMS = 0x08;
/** FCR: receive trigger level field (bits 6-7): 1, 4, 8 or 14 bytes. */
export const UART_FCR_ITL_MASK = 0xc0;
/** FCR bits that stay set (the reset bits clear themselves). */
export const UART_FCR_STICKY = UART_FCR_ITL_MASK | UART_FCR_DMS | UART_FCR_FE;

/** Receive trigger level in bytes for each value of FCR bits 6-7. */
export const UART_FIFO_TRIGGER_LEVELS = [1, 4, 8, 14] as const;
/** Depth of the 16550A receive and transmit FIFOs. */
export const UART_FIFO_LENGTH = 16;

/** LCR: word length field: 5 + value data bits. */
export const UART_LCR_WLEN_MASK = 0x03;
/** LCR: two stop bits (1.5 with 5-bit words). */
export const UART_LCR_STOP = 0x04;
/** LCR: parity enable. */
export const UART_LCR_PARITY = 0x08;
/** LCR: even parity. */
export const UART_LCR_EPAR = 0x10;
/** LCR: stick parity. */
export const UART_LCR_SPAR = 0x20;
/** LCR: set break: hold the transmit line low. */
export const UART_LCR_SBC = 0x40;
/** LCR: divisor latch access: offsets 0 and 1 reach DLL and DLM. */
export const UART_LCR_DLAB = 0x80;

/** MCR: Data Terminal Ready output. */
export const UART_MCR_DTR = 0x01;
/** MCR: Request To Send output. */
export const UART_MCR_RTS = 0x02;
/** MCR: OUT1 general-purpose output. */
export const UART_MCR_OUT1 = 0x04;
/** MCR: OUT2 output (on a PC it gates the interrupt line to the PIC). */
export const UART_MCR_OUT2 = 0x08;
/** MCR: loopback: the transmitter feeds the receiver and the modem outputs feed the inputs. */
export const UART_MCR_LOOP = 0x10;
/** MCR bits a 16550A implements. */
export const UART_MCR_MASK = 0x1f;

/** LSR: Data Ready: a received byte waits in RBR or the FIFO. */
export const UART_LSR_DR = 0x01;
/** LSR: Overrun Error: a byte arrived with no room for it and was lost. */
export const UART_LSR_OE = 0x02;
/** LSR: Parity Error. */
export const UART_LSR_PE = 0x04;
/** LSR: Framing Error: no valid stop bit. */
export const UART_LSR_FE = 0x08;
/** LSR: Break Interrupt: the line was held low for a whole character. */
export const UART_LSR_BI = 0x10;
/** LSR: Transmitter Holding Register Empty: the UART can take another byte. */
export const UART_LSR_THRE = 0x20;
/** LSR: Transmitter Empty: THR (or the FIFO) and the shift register are both empty. */
export const UART_LSR_TEMT = 0x40;
/** LSR bits that raise the receiver line status interrupt. */
export const UART_LSR_INT_ANY = UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI;

/** MSR: Delta CTS: CTS changed since MSR was last read. */
export const UART_MSR_DCTS = 0x01;
/** MSR: Delta DSR. */
export const UART_MSR_DDSR = 0x02;
/** MSR: Trailing Edge Ring Indicator: RI went from on to off. */
export const UART_MSR_TERI = 0x04;
/** MSR: Delta DCD. */
export const UART_MSR_DDCD = 0x08;
/** MSR: the four change bits. */
export const UART_MSR_ANY_DELTA = 0x0f;
/** MSR: Clear To Send input. */
export const UART_MSR_CTS = 0x10;
/** MSR: Data Set Ready input. */
export const UART_MSR_DSR = 0x20;
/** MSR: Ring Indicator input. */
export const UART_MSR_RI = 0x40;
/** MSR: Data Carrier Detect input. */
export const UART_MSR_DCD = 0x80;

/** The input clock divided by 16: the baud rate at divisor 1 (1.8432 MHz crystal). */
export const UART_DEFAULT_BAUDBASE = 115200;
