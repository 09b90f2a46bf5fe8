import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CharEvent } from './char-backend.js';
import type { Chardev } from './chardev.js';
import { ChardevError } from './errors.js';
import { SocketChardev } from './socket.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A frontend that records what it receives; `room` bounds each delivery. */
function attachFrontend(chardev: Chardev, room = Number.POSITIVE_INFINITY) {
  const state = { bytes: [] as number[], events: [] as CharEvent[], room };
  chardev.setHandlers({
    canReceive: () => state.room,
    receive: (data) => {
      state.bytes.push(...data);
      state.room -= data.length;
    },
    event: (event) => state.events.push(event),
  });
  return {
    state,
    text: () => Buffer.from(state.bytes).toString(),
  };
}

async function tcpServer(wait = false): Promise<SocketChardev> {
  const chardev = await SocketChardev.open('serial0', {
    address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    server: true,
    wait,
  });
  cleanups.push(() => chardev.close());
  return chardev;
}

function portOf(chardev: SocketChardev): number {
  const address = chardev.address;
  if (address.kind !== 'tcp') throw new Error('not TCP');
  return address.port;
}

async function client(port: number): Promise<Socket & { received: () => string }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString();
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  cleanups.push(() => {
    socket.destroy();
  });
  return Object.assign(socket, { received: () => text });
}

describe('SocketChardev as a TCP server', () => {
  it('with wait=off is ready before any client, and drops output while nobody listens', async () => {
    const chardev = await tcpServer(false);
    expect(chardev.connected).toBe(false);
    expect(chardev.filename).toBe(`disconnected:tcp:127.0.0.1:${portOf(chardev)},server=on`);
    expect(chardev.write(Buffer.from('lost'))).toBe(4);
  });

  it('carries bytes both ways once a client connects', async () => {
    const chardev = await tcpServer(false);
    const frontend = attachFrontend(chardev);
    const peer = await client(portOf(chardev));
    await vi.waitFor(() => expect(frontend.state.events).toContain('opened'));
    peer.write('root\n');
    chardev.write(Buffer.from('login: '));
    await vi.waitFor(() => expect(frontend.text()).toBe('root\n'));
    await vi.waitFor(() => expect(peer.received()).toBe('login: '));
  });

  it('with wait=on resolves open() only once the first client has connected', async () => {
    const notices: string[] = [];
    const opening = SocketChardev.open('serial0', {
      address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      server: true,
      wait: true,
      log: (message) => notices.push(message),
    });
    let opened = false;
    void opening.then(() => {
      opened = true;
    });
    await vi.waitFor(() => expect(notices).toHaveLength(1));
    expect(opened).toBe(false);
    const port = Number(/:(\d+),server=on$/.exec(notices[0])?.[1]);
    expect(notices[0]).toBe(
      `info: waiting for connection on: disconnected:tcp:127.0.0.1:${port},server=on`,
    );
    await client(port);
    const chardev = await opening;
    cleanups.push(() => chardev.close());
    expect(chardev.connected).toBe(true);
  });

  it('reports the client leaving and lets the next waiting client in', async () => {
    const chardev = await tcpServer(false);
    const frontend = attachFrontend(chardev);
    const first = await client(portOf(chardev));
    await vi.waitFor(() => expect(chardev.connected).toBe(true));
    const second = await client(portOf(chardev));
    second.write('from second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(frontend.text()).toBe('');
    first.destroy();
    await vi.waitFor(() => expect(frontend.text()).toBe('from second'));
    expect(frontend.state.events).toEqual(['opened', 'closed', 'opened']);
  });

  it('loses no byte of a 1 MiB burst when the frontend takes 16 bytes at a time', async () => {
    const chardev = await tcpServer(false);
    const frontend = attachFrontend(chardev, 16);
    let largestDelivery = 0;
    chardev.setHandlers({
      canReceive: () => frontend.state.room,
      receive: (data) => {
        largestDelivery = Math.max(largestDelivery, data.length);
        frontend.state.bytes.push(...data);
        frontend.state.room -= data.length;
      },
    });
    const peer = await client(portOf(chardev));
    const burst = Buffer.alloc(1 << 20);
    for (let i = 0; i < burst.length; i++) burst[i] = (i * 7 + (i >> 8)) & 0xff;
    peer.write(burst);
    // The "guest" empties its 16-byte FIFO whenever it runs, like a UART driver's interrupt handler.
    await vi.waitFor(
      () => {
        do {
          frontend.state.room = 16;
          chardev.acceptInput();
        } while (chardev.pendingInput > 0);
        expect(frontend.state.bytes.length).toBe(burst.length);
      },
      { timeout: 10_000, interval: 1 },
    );
    expect(largestDelivery).toBe(16);
    expect(Buffer.from(frontend.state.bytes).equals(burst)).toBe(true);
  }, 15_000);

  it('talks to a client in another process', async () => {
    const chardev = await tcpServer(false);
    const frontend = attachFrontend(chardev);
    const script = `
      const s = require('node:net').connect(${portOf(chardev)}, '127.0.0.1');
      s.on('connect', () => s.write('hello from the child\\n'));
      s.on('data', (d) => { process.stdout.write(d); if (d.includes(10)) s.end(); });
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let childOutput = '';
    child.stdout.on('data', (chunk) => {
      childOutput += chunk;
    });
    await vi.waitFor(() => expect(frontend.text()).toBe('hello from the child\n'));
    chardev.write(Buffer.from('hello from the emulator\n'));
    const status = await new Promise((resolve) => child.on('exit', resolve));
    expect(status).toBe(0);
    expect(childOutput).toBe('hello from the emulator\n');
  });

  it('fails with a clear message when the port is taken', async () => {
    const chardev = await tcpServer(false);
    await expect(
      SocketChardev.open('serial1', {
        address: { kind: 'tcp', host: '127.0.0.1', port: portOf(chardev) },
        server: true,
        wait: false,
      }),
    ).rejects.toThrow(
      `Failed to bind socket to tcp:127.0.0.1:${portOf(chardev)}: Address already in use`,
    );
  });
});

describe('SocketChardev as a TCP client', () => {
  it('connects to a listening server and exchanges bytes', async () => {
    const server: Server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const chardev = await SocketChardev.open('serial0', {
      address: { kind: 'tcp', host: '127.0.0.1', port },
      server: false,
    });
    cleanups.push(() => chardev.close());
    const frontend = attachFrontend(chardev);
    const peer = await accepted;
    cleanups.push(() => {
      peer.destroy();
    });
    peer.write('ping');
    await vi.waitFor(() => expect(frontend.text()).toBe('ping'));
    expect(frontend.state.events).toEqual(['opened']);
    peer.end();
    await vi.waitFor(() => expect(frontend.state.events).toEqual(['opened', 'closed']));
  });

  it('fails with "Connection refused" when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const opening = SocketChardev.open('serial0', {
      address: { kind: 'tcp', host: '127.0.0.1', port },
      server: false,
    });
    await expect(opening).rejects.toBeInstanceOf(ChardevError);
    await expect(opening).rejects.toThrow(
      `Failed to connect to 'tcp:127.0.0.1:${port}': Connection refused`,
    );
  });
});

describe('SocketChardev on a Unix socket', () => {
  it('serves a client on a socket file and removes the file on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-chardev-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'serial.sock');
    const chardev = await SocketChardev.open('serial0', {
      address: { kind: 'unix', path },
      server: true,
      wait: false,
    });
    const frontend = attachFrontend(chardev);
    const peer = connect(path);
    let received = '';
    peer.on('data', (chunk) => {
      received += chunk;
    });
    cleanups.push(() => {
      peer.destroy();
    });
    peer.write('over unix');
    await vi.waitFor(() => expect(frontend.text()).toBe('over unix'));
    chardev.write(Buffer.from('reply'));
    await vi.waitFor(() => expect(received).toBe('reply'));
    peer.destroy();
    await chardev.close();
    expect(existsSync(path)).toBe(false);
  });

  it('connects as a client to a Unix socket server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-chardev-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'monitor.sock');
    const server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const chardev = await SocketChardev.open('serial0', {
      address: { kind: 'unix', path },
      server: false,
    });
    cleanups.push(() => chardev.close());
    const frontend = attachFrontend(chardev);
    const peer = await accepted;
    cleanups.push(() => {
      peer.destroy();
    });
    let received = '';
    peer.on('data', (chunk) => {
      received += chunk;
    });
    peer.write('hello');
    chardev.write(Buffer.from('world'));
    await vi.waitFor(() => expect(frontend.text()).toBe('hello'));
    await vi.waitFor(() => expect(received).toBe('world'));
    expect(chardev.filename).toBe(`unix:${path}`);
  });

  it('replaces a stale socket file left by a previous run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-chardev-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'stale.sock');
    const stale = createServer();
    await new Promise<void>((resolve) => stale.listen(path, resolve));
    // Simulate a crash: the file stays, nobody listens.
    stale.close();
    const chardev = await SocketChardev.open('serial0', {
      address: { kind: 'unix', path },
      server: true,
      wait: false,
    });
    cleanups.push(() => chardev.close());
    expect(chardev.filename).toBe(`disconnected:unix:${path},server=on`);
  });
});
