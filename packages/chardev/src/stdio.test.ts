import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { StdioChardev, type StdioInput } from './stdio.js';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/stdio-echo.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const NODE_ARGS = ['--conditions=@tsemu/source', '--import', 'tsx', FIXTURE];

/** A terminal stand-in: a stream that says it is a TTY and records raw-mode switches. */
function fakeTty(): PassThrough & StdioInput & { rawModes: boolean[] } {
  const stream = new PassThrough() as PassThrough & StdioInput & { rawModes: boolean[] };
  Object.assign(stream, {
    isTTY: true,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      stream.rawModes.push(mode);
      return stream;
    },
  });
  return stream;
}

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk) => {
    text += chunk;
  });
  return () => text;
}

describe('StdioChardev in this process', () => {
  it('passes typed bytes to the frontend and batches output until the event loop turns', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const printed = collect(output);
    const chardev = new StdioChardev('serial0', { input, output });
    let typed = '';
    chardev.setHandlers({
      canReceive: () => 100,
      receive: (d) => {
        typed += Buffer.from(d);
      },
    });
    input.write('uname -a\r');
    await vi.waitFor(() => expect(typed).toBe('uname -a\r'));
    for (const byte of Buffer.from('Linux')) chardev.write(Uint8Array.of(byte));
    expect(printed()).toBe('');
    await vi.waitFor(() => expect(printed()).toBe('Linux'));
    await chardev.close();
  });

  it('pauses the terminal while the frontend is full, then resumes it', async () => {
    const input = new PassThrough();
    const chardev = new StdioChardev('serial0', { input, output: new PassThrough() });
    let room = 2;
    chardev.setHandlers({
      canReceive: () => room,
      receive: (d) => {
        room -= d.length;
      },
    });
    input.write('abcdef');
    await vi.waitFor(() => expect(input.isPaused()).toBe(true));
    expect(chardev.pendingInput).toBe(4);
    room = 10;
    chardev.acceptInput();
    expect(input.isPaused()).toBe(false);
    await chardev.close();
  });

  it('puts a TTY in raw mode and gives it back on close', async () => {
    const tty = fakeTty();
    const chardev = new StdioChardev('serial0', { input: tty, output: new PassThrough() });
    expect(chardev.isRawMode).toBe(true);
    await chardev.close();
    expect(tty.rawModes).toEqual([true, false]);
  });

  it('leaves a pipe alone: no raw mode on something that is not a terminal', async () => {
    const chardev = new StdioChardev('serial0', {
      input: new PassThrough(),
      output: new PassThrough(),
    });
    expect(chardev.isRawMode).toBe(false);
    await chardev.close();
  });

  it('turns Ctrl-C into SIGINT with signal=on and keeps the byte from the guest', async () => {
    const tty = fakeTty();
    const raised: string[] = [];
    const chardev = new StdioChardev('serial0', {
      input: tty,
      output: new PassThrough(),
      raiseSignal: (signal) => raised.push(signal),
    });
    let typed: number[] = [];
    chardev.setHandlers({
      canReceive: () => 100,
      receive: (d) => {
        typed = [...typed, ...d];
      },
    });
    tty.write(Buffer.from([0x61, 0x03, 0x1c, 0x62]));
    await vi.waitFor(() => expect(typed).toEqual([0x61, 0x62]));
    expect(raised).toEqual(['SIGINT', 'SIGQUIT']);
    await chardev.close();
  });

  it('passes Ctrl-C to the guest with signal=off', async () => {
    const tty = fakeTty();
    const raised: string[] = [];
    const chardev = new StdioChardev('serial0', {
      input: tty,
      output: new PassThrough(),
      signal: false,
      raiseSignal: (signal) => raised.push(signal),
    });
    let typed: number[] = [];
    chardev.setHandlers({
      canReceive: () => 100,
      receive: (d) => {
        typed = [...typed, ...d];
      },
    });
    tty.write(Buffer.from([0x03]));
    await vi.waitFor(() => expect(typed).toEqual([0x03]));
    expect(raised).toEqual([]);
    await chardev.close();
  });
});

/** Run the echo fixture (directly, or under `script` for a pseudo-terminal), type into it, return its output. */
async function runChild(
  command: string,
  args: string[],
  keys: Buffer,
): Promise<{ output: string; status: number | null }> {
  const child: ChildProcessWithoutNullStreams = spawn(command, args, { cwd: PACKAGE_DIR });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const status = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Type only once the child holds the terminal: before that, a cooked pty would interpret the keys.
  await vi.waitFor(() => expect(output).toContain('READY'), { timeout: 15_000, interval: 20 });
  child.stdin.write(keys);
  const code = await status;
  return { output, status: code };
}

function underPty(shellCommand: string): [string, string[]] {
  return ['script', ['-qefc', shellCommand, '/dev/null']];
}

const nodeCommand = (extra = '') => `${process.execPath} ${NODE_ARGS.join(' ')} ${extra}`;

describe('StdioChardev in a child process', () => {
  it('reads a pipe as plain bytes: Ctrl-C is data when stdin is not a terminal', async () => {
    const { output, status } = await runChild(process.execPath, NODE_ARGS, Buffer.from('ab\x03q'));
    expect(status).toBe(0);
    expect(output).toBe(
      'READY not-a-tty\r\nGOT 61\r\nGOT 62\r\nGOT 03\r\nGOT 71\r\nAFTER not-a-tty\r\n',
    );
  }, 20_000);

  it('on a pty, runs in raw mode and gives the terminal back cooked on close', async () => {
    const [command, args] = underPty(nodeCommand('signal=off'));
    const { output, status } = await runChild(command, args, Buffer.from('ab\x03q'));
    expect(status).toBe(0);
    // Raw mode: no echo of the typed keys, Ctrl-C arrives as a byte. (The pty adds a CR before each LF.)
    expect(output.replace(/\r+\n/g, '\n')).toBe(
      'READY raw\nGOT 61\nGOT 62\nGOT 03\nGOT 71\nAFTER cooked\n',
    );
  }, 20_000);

  it('on a pty with signal=on, Ctrl-C ends the emulator by SIGINT and the terminal is cooked again', async () => {
    const [command, args] = underPty(
      `${nodeCommand()}; echo "EXIT=$?"; stty -a | grep -o -- '-\\?icanon'`,
    );
    const { output } = await runChild(command, args, Buffer.from('\x03'));
    expect(output).toContain('READY raw');
    expect(output).toContain('EXIT=130');
    expect(output).not.toContain('GOT 03');
    expect(output).toMatch(/\n\s*icanon\r?\n/);
  }, 20_000);

  it('on a pty, process.exit() without close() still leaves the terminal cooked', async () => {
    const [command, args] = underPty(
      `${nodeCommand('quit=exit')}; echo "EXIT=$?"; stty -a | grep -o -- '-\\?icanon'`,
    );
    const { output } = await runChild(command, args, Buffer.from('q'));
    expect(output).toContain('GOT 71');
    expect(output).toContain('EXIT=3');
    expect(output).toMatch(/\n\s*icanon\r?\n/);
  }, 20_000);
});
