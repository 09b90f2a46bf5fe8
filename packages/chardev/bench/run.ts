/**
 * Chardev benchmarks: `pnpm --filter @tsemu/chardev bench`. Throughput of the paths a guest's
 * console uses: one-byte writes (a UART sends a byte per `out`) to a file and over TCP, input
 * from a TCP client into a frontend that takes 16 bytes at a time (a UART FIFO), and input
 * through the Ctrl-A mux. Each case runs several rounds and keeps the best.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharMux, FileChardev, MemoryChardev, SocketChardev } from '../src/index.js';

const ROUNDS = 5;
const MiB = 1 << 20;

async function best(bytes: number, body: () => Promise<void> | void): Promise<number> {
  let bestSeconds = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    await body();
    const t1 = process.hrtime.bigint();
    bestSeconds = Math.min(bestSeconds, Number(t1 - t0) / 1e9);
  }
  return bytes / MiB / bestSeconds;
}

const results: [string, string][] = [];
const dir = mkdtempSync(join(tmpdir(), 'tsemu-chardev-bench-'));

// 1. One-byte writes to a file chardev, flushed.
{
  const size = 4 * MiB;
  const one = new Uint8Array(1);
  const rate = await best(size, () => {
    const chardev = new FileChardev('bench', { path: join(dir, 'out.log') });
    for (let i = 0; i < size; i++) {
      one[0] = i;
      chardev.write(one);
    }
    return chardev.close();
  });
  results.push(['file: 1-byte writes (a UART transmitting), 4 MiB', `${rate.toFixed(1)} MiB/s`]);
}

// 2. One-byte writes to a TCP server chardev, until the client has them all.
{
  const size = 4 * MiB;
  const chardev = await SocketChardev.open('bench', {
    address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    server: true,
    wait: false,
  });
  const port = (chardev.address as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  let received = 0;
  let done: (() => void) | null = null;
  client.on('data', (chunk) => {
    received += chunk.length;
    if (received >= size) done?.();
  });
  await new Promise((resolve) => client.once('connect', resolve));
  while (!chardev.connected) await new Promise((resolve) => setImmediate(resolve));
  const one = new Uint8Array(1);
  const rate = await best(size, async () => {
    received = 0;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    // Write in slices, letting the event loop turn between them as a running guest would.
    for (let sent = 0; sent < size; ) {
      for (let i = 0; i < 65536 && sent < size; i++, sent++) chardev.write(one);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
  });
  results.push(['tcp out: 1-byte writes to a connected client, 4 MiB', `${rate.toFixed(1)} MiB/s`]);
  client.destroy();
  await chardev.close();
}

// 3. Input from a TCP client into a frontend that takes 16 bytes at a time.
{
  const size = 16 * MiB;
  const chardev = await SocketChardev.open('bench', {
    address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    server: true,
    wait: false,
  });
  let taken = 0;
  let room = 16;
  chardev.setHandlers({
    canReceive: () => room,
    receive: (data) => {
      taken += data.length;
      room -= data.length;
    },
  });
  const port = (chardev.address as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  const block = Buffer.alloc(MiB, 0x61);
  const rate = await best(size, async () => {
    taken = 0;
    for (let i = 0; i < size / MiB; i++) client.write(block);
    // The "guest" drains its 16-byte FIFO each time it runs.
    while (taken < size) {
      do {
        room = 16;
        chardev.acceptInput();
      } while (chardev.pendingInput > 0);
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  results.push(['tcp in: to a 16-byte frontend, 16 MiB', `${rate.toFixed(1)} MiB/s`]);
  client.destroy();
  await chardev.close();
}

// 4. Typed input through the mux's escape scanning to the focused frontend.
{
  const size = 16 * MiB;
  const block = Buffer.alloc(64 * 1024, 0x62);
  const rate = await best(size, () => {
    const terminal = new MemoryChardev('bench');
    const mux = new CharMux(terminal);
    const frontend = mux.addFrontend();
    frontend.setHandlers({ canReceive: () => 1 << 30, receive: () => {} });
    for (let i = 0; i < size / block.length; i++) terminal.type(block);
  });
  results.push([
    'mux in: escape scanning to the focused frontend, 16 MiB',
    `${rate.toFixed(1)} MiB/s`,
  ]);
}

rmSync(dir, { recursive: true, force: true });
console.log(`@tsemu/chardev (node ${process.version}, best of ${ROUNDS})`);
console.log('| case | result |');
console.log('| --- | --- |');
for (const [name, value] of results) console.log(`| ${name} | ${value} |`);
