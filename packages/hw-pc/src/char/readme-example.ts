import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import {
  CharRecorder,
  Serial,
  UART_DLL,
  UART_DLM,
  UART_FCR,
  UART_IER,
  UART_IER_RDI,
  UART_IIR,
  UART_LCR,
  UART_LCR_DLAB,
  UART_LSR,
  UART_LSR_DR,
  UART_MCR,
  UART_RBR,
  UART_THR,
} from './index.js';

export function main(print: (line: string) => void): void {
  const time = new ManualTime();
  const irq4 = new IrqRecorder();
  const terminal = new CharRecorder(); // a machine passes a Chardev from @tsemu/chardev
  const com1 = new Serial({ time, irq: irq4, chardev: terminal });

  // The guest's driver: 115200 8N1, FIFOs on with a 4-byte trigger, DTR/RTS/OUT2, RX interrupt.
  com1.write(UART_LCR, UART_LCR_DLAB);
  com1.write(UART_DLL, 1);
  com1.write(UART_DLM, 0);
  com1.write(UART_LCR, 0x03);
  com1.write(UART_FCR, 0x47);
  com1.write(UART_MCR, 0x0b);
  com1.write(UART_IER, UART_IER_RDI);

  for (const byte of Buffer.from('login: ')) com1.write(UART_THR, byte);
  print(`terminal shows: ${JSON.stringify(terminal.takeText())}`);

  // Five bytes: the FIFO reaches its trigger level and interrupts; the guest drains it.
  terminal.type('root\r');
  print(`IRQ4 after typing root: ${irq4.level}, IIR 0x${com1.read(UART_IIR).toString(16)}`);
  print(`guest reads ${JSON.stringify(readAll(com1))}; IRQ4 now ${irq4.level}`);

  // Three bytes stay below the trigger level: the character timeout interrupts instead.
  terminal.type('ls\r');
  print(`IRQ4 after typing ls: ${irq4.level}`);
  time.advance(4 * 86_806); // four characters at 115200 baud
  print(
    `after four character times: IIR 0x${com1.read(UART_IIR).toString(16)} (character timeout)`,
  );
  print(`guest reads ${JSON.stringify(readAll(com1))}`);
}

function readAll(uart: Serial): string {
  const bytes: number[] = [];
  while (uart.read(UART_LSR) & UART_LSR_DR) bytes.push(uart.read(UART_RBR));
  return Buffer.from(bytes).toString('latin1');
}
