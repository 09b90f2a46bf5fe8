/**
 * UART, keyboard controller and debug-port benchmarks (hw-pc): ns per operation on the paths a
 * guest's console and keyboard use: a byte through THR to the chardev, a byte from the
 * chardev through the FIFO to RBR, a key press and release read through the i8042 with
 * translation, a mouse packet, a debugcon byte. Each case runs several rounds and keeps its best.
 * Run it alone with `node --conditions=@tsemu/source --import tsx bench/char-input.ts`.
 */
import { CharRecorder } from '../src/char/char-recorder.js';
import {
  Serial,
  UART_FCR,
  UART_IER,
  UART_IER_RDI,
  UART_IER_THRI,
  UART_IIR,
  UART_LSR,
  UART_LSR_DR,
  UART_RBR,
  UART_THR,
} from '../src/char/index.js';
import {
  I8042,
  I8042_CMD_AUX_SEND,
  I8042_COMMAND,
  I8042_DATA,
  I8042_STATUS,
} from '../src/input/index.js';
import { Debugcon } from '../src/misc/index.js';
import { ManualTime } from '../src/testing/manual-time.js';

const ROUNDS = 7;
const N = 200_000;

function best(ops: number, body: () => number): number {
  let bestNs = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    sink += body();
    const t1 = process.hrtime.bigint();
    bestNs = Math.min(bestNs, Number(t1 - t0) / ops);
  }
  if (sink === -1) console.log('unreachable');
  return bestNs;
}

/** A chardev that drops output and types a fixed byte whenever asked (an endless paste). */
function endlessChardev() {
  let handlers: { canReceive(): number; receive(d: Uint8Array): void } | null = null;
  const chunk = new Uint8Array(16).fill(0x61);
  return {
    setHandlers(h: typeof handlers) {
      handlers = h;
    },
    write() {},
    acceptInput() {
      if (!handlers) return;
      const room = handlers.canReceive();
      if (room > 0) handlers.receive(chunk.subarray(0, room));
    },
  };
}

const results: [string, string][] = [];

{
  const uart = new Serial({
    time: new ManualTime(),
    chardev: { setHandlers() {}, write() {}, acceptInput() {} },
  });
  uart.write(UART_FCR, 0xc7);
  uart.write(UART_IER, UART_IER_THRI);
  const ns = best(N, () => {
    for (let i = 0; i < N; i++) uart.write(UART_THR, i);
    return uart.read(UART_IIR);
  });
  results.push([
    'UART transmit: THR write to the chardev, THRE interrupt on (per byte)',
    `${ns.toFixed(1)} ns`,
  ]);
}

{
  const chardev = endlessChardev();
  const uart = new Serial({ time: new ManualTime(), chardev });
  uart.write(UART_FCR, 0xc7);
  uart.write(UART_IER, UART_IER_RDI);
  const ns = best(N, () => {
    let sum = 0;
    chardev.acceptInput();
    for (let i = 0; i < N; i++) {
      if (uart.read(UART_LSR) & UART_LSR_DR) sum += uart.read(UART_RBR);
    }
    return sum;
  });
  results.push([
    'UART receive: LSR poll + RBR read with the chardev refilling the FIFO (per byte)',
    `${ns.toFixed(1)} ns`,
  ]);
}

{
  const kbc = new I8042();
  kbc.write(I8042_COMMAND, 0x60);
  kbc.write(I8042_DATA, 0x41); // KBDINT | XLATE
  const keys = ['a', 'up', 'ret', 'shift'] as const;
  const ns = best(N / 4, () => {
    let sum = 0;
    for (let i = 0; i < N / 4; i++) {
      const key = keys[i & 3];
      kbc.keyboard.keyDown(key);
      kbc.keyboard.keyUp(key);
      while (kbc.read(I8042_STATUS) & 1) sum += kbc.read(I8042_DATA);
    }
    return sum;
  });
  results.push([
    'i8042: key press + release, translated, read by the guest (per key)',
    `${ns.toFixed(1)} ns`,
  ]);
}

{
  const kbc = new I8042();
  kbc.write(I8042_COMMAND, I8042_CMD_AUX_SEND);
  kbc.write(I8042_DATA, 0xf4);
  kbc.read(I8042_DATA);
  const ns = best(N / 4, () => {
    let sum = 0;
    for (let i = 0; i < N / 4; i++) {
      kbc.mouse.mouseEvent(3, -2, 0, i & 1);
      while (kbc.read(I8042_STATUS) & 1) sum += kbc.read(I8042_DATA);
    }
    return sum;
  });
  results.push([
    'PS/2 mouse: movement event, 3-byte packet read by the guest (per packet)',
    `${ns.toFixed(1)} ns`,
  ]);
}

{
  const chardev = new CharRecorder();
  const debugcon = new Debugcon({ chardev });
  const ns = best(N, () => {
    for (let i = 0; i < N; i++) debugcon.write(0, 0x41);
    const count = chardev.output.length;
    chardev.output.length = 0;
    return count;
  });
  results.push(['isa-debugcon: byte to a recording chardev (per byte)', `${ns.toFixed(1)} ns`]);
}

console.log(`hw-pc UART, i8042 and debug ports (node ${process.version}, best of ${ROUNDS})`);
console.log('| case | result |');
console.log('| --- | --- |');
for (const [name, value] of results) console.log(`| ${name} | ${value} |`);
