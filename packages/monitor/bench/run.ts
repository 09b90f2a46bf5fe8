/**
 * Monitor throughput: how fast typed command lines are read, echoed and answered, and how
 * fast `xp` turns memory into text. Run: pnpm --filter @tsemu/monitor bench
 */
import { MemoryChardev } from '@tsemu/chardev';
import { System } from '@tsemu/system';
import { Monitor, type MonitorMachine } from '../src/index.js';

const ram = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
const readPhysical = (address: number, length: number) =>
  address + length <= ram.length ? ram.subarray(address, address + length) : null;
const machine: MonitorMachine = {
  system: new System(),
  registersText: () => 'EAX=00000000\n',
  readPhysical,
  readVirtual: readPhysical,
};

async function newMonitor(): Promise<MemoryChardev> {
  const terminal = new MemoryChardev('bench');
  new Monitor(terminal, machine, { version: 'bench' });
  await new Promise((resolve) => setImmediate(resolve));
  terminal.takeOutput();
  return terminal;
}

function best(rounds: number, run: () => number): number {
  let top = 0;
  for (let i = 0; i < rounds; i++) top = Math.max(top, run());
  return top;
}

const terminal = await newMonitor();

const linesPerSecond = best(5, () => {
  const lines = 5000;
  const start = performance.now();
  for (let i = 0; i < lines; i++) {
    terminal.type('info status\r');
    terminal.takeOutput();
  }
  return lines / ((performance.now() - start) / 1000);
});

const dumpBytesPerSecond = (command: string, bytes: number) =>
  best(5, () => {
    const start = performance.now();
    terminal.type(`${command}\r`);
    const text = terminal.takeOutput().length;
    if (text < bytes) throw new Error(`short dump: ${text} bytes of text`);
    return bytes / ((performance.now() - start) / 1000);
  });

const rows: [string, string][] = [
  ['typed `info status` lines (read, echo, run, prompt)', `${Math.round(linesPerSecond)} lines/s`],
  [
    '`xp /65536xb 0` (8 bytes per line)',
    `${(dumpBytesPerSecond('xp /65536xb 0', 65536) / 1024).toFixed(0)} KiB of memory/s`,
  ],
  [
    '`xp /16384xw 0` (16 bytes per line)',
    `${(dumpBytesPerSecond('xp /16384xw 0', 65536) / 1024).toFixed(0)} KiB of memory/s`,
  ],
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`| ${'case'.padEnd(width)} | result |`);
console.log(`| ${'-'.repeat(width)} | ------ |`);
for (const [name, result] of rows) console.log(`| ${name.padEnd(width)} | ${result} |`);
