import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { CharMux, MemoryChardev, SocketChardev, StdioChardev } from '@tsemu/chardev';
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor } from '../src/index.js';
import { fakeMachine, settle } from './fake-machine.js';

const BANNER = "tsemu 0.1.0 monitor - type 'help' for more information\r\n";

describe('the monitor behind the Ctrl-A mux (-nographic)', () => {
  it('starts on the serial console and switches with Ctrl-A c, as QEMU does', async () => {
    const machine = fakeMachine();
    machine.system.vmStart();
    const terminal = new MemoryChardev('stdio');
    const mux = new CharMux(terminal);
    // QEMU creates the monitor before the serial port, which then takes the focus.
    const monitorChardev = mux.addFrontend();
    const serialChardev = mux.addFrontend();
    new Monitor(monitorChardev, machine, { version: '0.1.0' });
    let serialInput = '';
    serialChardev.setHandlers({
      canReceive: () => 16,
      receive: (data) => {
        serialInput += Buffer.from(data).toString();
      },
    });
    await settle();
    serialChardev.write(Buffer.from('Linux version 6.1\r\n'));
    expect(terminal.takeText()).toBe('Linux version 6.1\r\n');

    terminal.type('\x01c');
    expect(terminal.takeText()).toBe(`${BANNER}(qemu) `);
    terminal.type('info status\r');
    expect(terminal.takeText()).toBe('info status\r\nVM status: running\r\n(qemu) ');
    terminal.type('sto');
    terminal.type('\x01c'); // back to the guest: the half-typed line is dropped
    expect(terminal.takeText()).toBe('sto\r\n');
    terminal.type('uname -a\r');
    expect(serialInput).toBe('uname -a\r');
    terminal.type('\x01c');
    expect(terminal.takeText()).toBe('(qemu) ');
    terminal.type('stop\r');
    expect(terminal.takeText()).toBe('stop\r\n(qemu) ');
    expect(machine.system.runstate.get()).toBe('paused');
  });

  it('greets at once when it is the only frontend', async () => {
    const terminal = new MemoryChardev('stdio');
    const mux = new CharMux(terminal);
    new Monitor(mux.addFrontend(), fakeMachine(), { version: '0.1.0' });
    await settle();
    expect(terminal.takeText()).toBe(`${BANNER}(qemu) `);
  });
});

describe('-monitor stdio', () => {
  it('reads the terminal and writes the banner, prompts and answers to it', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString('latin1');
    });
    const chardev = new StdioChardev('compat_monitor0', { input, output, signal: false });
    const monitor = new Monitor(chardev, fakeMachine(), { version: '0.1.0' });
    input.write('info status\r');
    await waitFor(() => shown.endsWith('paused (prelaunch)\r\n(qemu) '));
    expect(shown).toBe(`${BANNER}(qemu) info status\r\nVM status: paused (prelaunch)\r\n(qemu) `);
    monitor.close();
    await chardev.close();
  });
});

describe('a monitor on a TCP socket (-monitor tcp::PORT,server=on,wait=off)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen() {
    const chardev = await SocketChardev.open('monitor0', {
      address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      server: true,
      wait: false,
    });
    cleanups.push(() => chardev.close());
    const { address } = chardev;
    if (address.kind !== 'tcp') throw new Error('not TCP');
    return { chardev, port: address.port };
  }

  function client(port: number) {
    const socket: Socket = connect(port, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
    });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    return {
      socket,
      /** Everything received so far, once it ends with `ending`. */
      read: async (ending: string) => {
        await waitFor(() => received.endsWith(ending));
        const text = received;
        received = '';
        return text;
      },
    };
  }

  it('greets each client, runs the lines it sends, and quits the emulator', async () => {
    const machine = fakeMachine();
    const { chardev, port } = await listen();
    new Monitor(chardev, machine, { version: '0.1.0' });
    machine.system.vmStart();
    const run = machine.system.mainLoop.run();

    const first = client(port);
    expect(await first.read('(qemu) ')).toBe(`${BANNER}(qemu) `);
    // nc sends LF, telnet-like clients CR LF: each line runs once.
    first.socket.write('info status\n');
    expect(await first.read('(qemu) ')).toBe('info status\r\nVM status: running\r\n(qemu) ');
    first.socket.write('xp /2xb 0x1000\r\n');
    expect(await first.read('(qemu) ')).toBe(
      'xp /2xb 0x1000\r\n0000000000001000: 0x01 0x02\r\n(qemu) ',
    );
    first.socket.end();
    await waitFor(() => !chardev.connected);

    const second = client(port);
    expect(await second.read('(qemu) ')).toBe(`${BANNER}(qemu) `);
    second.socket.write('quit\n');
    await expect(run).resolves.toBe(0);
    expect(await second.read('quit\r\n')).toBe('quit\r\n');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
