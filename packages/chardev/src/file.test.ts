import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChardevError } from './errors.js';
import { FileChardev } from './file.js';
import { NullChardev } from './null.js';
import { PipeChardev } from './pipe.js';
import { ChardevRegistry } from './registry.js';
import { parseChardevOptions, parseCompatChardev } from './spec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsemu-chardev-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('FileChardev', () => {
  it('truncates the file and writes the output to it', async () => {
    const path = join(dir, 'serial.log');
    writeFileSync(path, 'old contents');
    const chardev = new FileChardev('serial0', { path });
    chardev.write(Buffer.from('SeaBIOS (version 1.16)\n'));
    await chardev.close();
    expect(readFileSync(path, 'utf8')).toBe('SeaBIOS (version 1.16)\n');
  });

  it('appends with append=on', async () => {
    const path = join(dir, 'serial.log');
    writeFileSync(path, 'first run\n');
    const chardev = new FileChardev('serial0', { path, append: true });
    chardev.write(Buffer.from('second run\n'));
    await chardev.close();
    expect(readFileSync(path, 'utf8')).toBe('first run\nsecond run\n');
  });

  it('batches many one-byte writes and has them on disk after flush()', () => {
    const path = join(dir, 'bytes.log');
    const chardev = new FileChardev('serial0', { path });
    for (const byte of Buffer.from('one byte at a time')) chardev.write(Uint8Array.of(byte));
    chardev.flush();
    expect(readFileSync(path, 'utf8')).toBe('one byte at a time');
    return chardev.close();
  });

  it('fails with a clear message for a path it cannot open', () => {
    const path = join(dir, 'missing', 'serial.log');
    expect(() => new FileChardev('serial0', { path })).toThrow(ChardevError);
    expect(() => new FileChardev('serial0', { path })).toThrow(
      `Could not open '${path}': No such file or directory`,
    );
  });
});

describe('NullChardev', () => {
  it('takes every byte and gives none', () => {
    const chardev = new NullChardev();
    let received = 0;
    chardev.setHandlers({
      canReceive: () => 100,
      receive: (d) => {
        received += d.length;
      },
    });
    expect(chardev.write(Buffer.from('gone'))).toBe(4);
    expect(received).toBe(0);
  });
});

describe('PipeChardev', () => {
  it('reads PATH.in and writes PATH.out when both FIFOs exist', async () => {
    const base = join(dir, 'guest');
    execFileSync('mkfifo', [`${base}.in`, `${base}.out`]);
    const chardev = new PipeChardev('serial0', base);
    let received = '';
    chardev.setHandlers({
      canReceive: () => 64,
      receive: (d) => {
        received += Buffer.from(d);
      },
    });
    // The peer: write into .in, read from .out (read-write opens never block on a FIFO).
    writeFileSync(`${base}.in`, 'typed');
    await vi.waitFor(() => expect(received).toBe('typed'));
    const reader = connectFifo(`${base}.out`);
    chardev.write(Buffer.from('printed'));
    await vi.waitFor(() => expect(reader.text()).toBe('printed'));
    reader.close();
    await chardev.close();
  });

  it('refuses a path that is not a named pipe', () => {
    const path = join(dir, 'plain');
    writeFileSync(path, '');
    expect(() => new PipeChardev('serial0', path)).toThrow(
      `Could not open '${path}': not a named pipe (create it with mkfifo)`,
    );
  });
});

describe('ChardevRegistry', () => {
  it('opens -chardev and -serial specs and hands each frontend its chardev', async () => {
    const registry = new ChardevRegistry();
    const path = join(dir, 'out.log');
    await registry.open(parseChardevOptions(`file,id=log,path=${path}`));
    const spec = parseCompatChardev('null', 'serial0');
    if (spec.kind === 'new') await registry.open(spec.options);
    expect(registry.list()).toEqual([
      { id: 'log', filename: `file:${path}` },
      { id: 'serial0', filename: 'null' },
    ]);
    registry.attach('log').write(Buffer.from('via the registry'));
    await registry.closeAll();
    expect(readFileSync(path, 'utf8')).toBe('via the registry');
  });

  it('refuses a second frontend on a chardev without mux', async () => {
    const registry = new ChardevRegistry();
    await registry.open(parseChardevOptions('null,id=n'));
    registry.attach('n');
    expect(() => registry.attach('n')).toThrow(
      "chardev 'n' is already in use (add mux=on to share it)",
    );
    expect(() => registry.attach('other')).toThrow("chardev 'other' not found");
    await registry.closeAll();
  });

  it('shares a muxed chardev between several frontends', async () => {
    const registry = new ChardevRegistry();
    await registry.open(parseChardevOptions('null,id=n,mux=on'));
    const serial = registry.attach('n');
    const monitor = registry.attach('n');
    expect(serial).not.toBe(monitor);
    expect(registry.getMux('n')?.frontendCount).toBe(2);
    await registry.closeAll();
  });
});

/** Open a FIFO for reading without blocking, collecting what arrives. */
function connectFifo(path: string) {
  let text = '';
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on('data', (chunk) => {
    text += chunk;
  });
  return { text: () => text, close: () => socket.destroy() };
}
