import { describe, expect, it } from 'vitest';
import { ChardevError } from './errors.js';
import { parseChardevOptions, parseCompatChardev } from './spec.js';

describe('parseCompatChardev (-serial, -monitor, -debugcon)', () => {
  it('reads stdio with terminal signals on', () => {
    expect(parseCompatChardev('stdio', 'serial0')).toEqual({
      kind: 'new',
      monitor: false,
      options: { id: 'serial0', mux: false, backend: { type: 'stdio', signal: true } },
    });
  });

  it('reads null and none', () => {
    expect(parseCompatChardev('null', 'serial0')).toMatchObject({
      options: { backend: { type: 'null' } },
    });
    expect(parseCompatChardev('none', 'serial0')).toEqual({ kind: 'none' });
  });

  it('reads file:PATH', () => {
    expect(parseCompatChardev('file:/tmp/serial.log', 'serial0')).toMatchObject({
      options: { backend: { type: 'file', path: '/tmp/serial.log', append: false } },
    });
  });

  it('reads mon:stdio as a mux shared with the monitor, leaving Ctrl-C to the guest', () => {
    expect(parseCompatChardev('mon:stdio', 'compat_monitor0')).toEqual({
      kind: 'new',
      monitor: true,
      options: { id: 'compat_monitor0', mux: true, backend: { type: 'stdio', signal: false } },
    });
  });

  it('reads a TCP server that does not wait', () => {
    expect(parseCompatChardev('tcp:127.0.0.1:4444,server=on,wait=off', 'serial0')).toMatchObject({
      options: {
        backend: {
          type: 'socket',
          address: { kind: 'tcp', host: '127.0.0.1', port: 4444 },
          server: true,
          wait: false,
          nodelay: false,
        },
      },
    });
  });

  it('reads the old bare flags: tcp::4444,server,nowait listens on every interface', () => {
    expect(parseCompatChardev('tcp::4444,server,nowait', 'serial0')).toMatchObject({
      options: {
        backend: { address: { kind: 'tcp', host: '', port: 4444 }, server: true, wait: false },
      },
    });
  });

  it('makes a TCP client of tcp:HOST:PORT, with localhost for an empty host', () => {
    expect(parseCompatChardev('tcp::5555', 'serial0')).toMatchObject({
      options: {
        backend: { address: { kind: 'tcp', host: 'localhost', port: 5555 }, server: false },
      },
    });
  });

  it('reads an IPv6 address in brackets', () => {
    expect(parseCompatChardev('tcp:[::1]:4444,server=on', 'serial0')).toMatchObject({
      options: {
        backend: { address: { kind: 'tcp', host: '::1', port: 4444 }, server: true, wait: true },
      },
    });
  });

  it('reads unix:PATH,server as a Unix server that waits for its client', () => {
    expect(parseCompatChardev('unix:/tmp/tsemu.sock,server', 'serial0')).toMatchObject({
      options: {
        backend: { address: { kind: 'unix', path: '/tmp/tsemu.sock' }, server: true, wait: true },
      },
    });
  });

  it('reads chardev:ID as a reference to a -chardev', () => {
    expect(parseCompatChardev('chardev:con0', 'serial0')).toEqual({ kind: 'chardev', id: 'con0' });
  });

  it.each([
    ['bogus', "'bogus' is not a valid char driver name"],
    ['tcp:4444', 'expected tcp:[HOST]:PORT'],
    ['tcp:localhost:http', "'http' is not a valid port number"],
    ['tcp:localhost:99999', "'99999' is not a valid port number"],
    ['tcp:localhost:4444,wait=off', "'wait' only applies to a server socket"],
    ['tcp::4444,server=maybe', "'server' must be on or off, not 'maybe'"],
    ['tcp::4444,server,telnet', "'telnet' is not supported by tsemu"],
    ['file:', 'expected file:PATH'],
    ['pty', "'pty' is not supported by tsemu"],
    ['vc', 'there is no graphical console'],
    ['mon:none', "'mon:' needs a device"],
    ['/dev/ttyS0', 'host serial and parallel ports are not supported'],
  ])('rejects %s with one clear message', (spec, message) => {
    expect(() => parseCompatChardev(spec, 'serial0')).toThrow(ChardevError);
    expect(() => parseCompatChardev(spec, 'serial0')).toThrow(
      `invalid character device '${spec}': ${message}`,
    );
  });
});

describe('parseChardevOptions (-chardev)', () => {
  it('reads a socket server on a TCP port with mux', () => {
    expect(
      parseChardevOptions('socket,id=con0,host=127.0.0.1,port=4444,server=on,wait=off,mux=on'),
    ).toEqual({
      id: 'con0',
      mux: true,
      backend: {
        type: 'socket',
        address: { kind: 'tcp', host: '127.0.0.1', port: 4444 },
        server: true,
        wait: false,
        nodelay: false,
      },
    });
  });

  it('reads a Unix socket client', () => {
    expect(parseChardevOptions('socket,id=s,path=/run/tsemu.sock')).toMatchObject({
      backend: { address: { kind: 'unix', path: '/run/tsemu.sock' }, server: false, wait: false },
    });
  });

  it('reads a file with append and a path holding an escaped comma', () => {
    expect(parseChardevOptions('file,id=log,path=/tmp/a,,b.log,append=on')).toMatchObject({
      backend: { type: 'file', path: '/tmp/a,b.log', append: true },
    });
  });

  it('reads stdio with signal=off and the backend= form', () => {
    expect(parseChardevOptions('backend=stdio,id=term,signal=off')).toMatchObject({
      backend: { type: 'stdio', signal: false },
    });
  });

  it.each([
    ['socket,port=4444', "parameter 'id' is missing"],
    ['file,id=f', "parameter 'path' is missing"],
    ['socket,id=s', "socket needs 'port' (TCP) or 'path' (Unix)"],
    ['socket,id=s,path=/a,port=1', "'path' cannot be used with 'host' or 'port'"],
    ['null,id=n,path=/x', "invalid parameter 'path' for backend 'null'"],
    ['stdio,id=1bad', "'1bad' is not a valid id"],
    ['stdio,id=a,id=b', "'id' is given twice"],
    ['stdio,id=a,logfile=/tmp/x', "'logfile' is not supported by tsemu"],
    ['pty,id=p', "backend 'pty' is not supported by tsemu"],
    ['nonsense,id=x', "'nonsense' is not a valid char driver name"],
    ['id=x', 'no backend type given'],
  ])('rejects %s with one clear message', (arg, message) => {
    expect(() => parseChardevOptions(arg)).toThrow(`invalid -chardev '${arg}': ${message}`);
  });
});
