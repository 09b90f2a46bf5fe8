import { ChardevError } from './errors.js';
import type { SocketAddress } from './socket.js';

/** What a chardev is made of: the backend and its settings (QEMU's ChardevBackend). */
export type ChardevBackendOptions =
  | { type: 'null' }
  | { type: 'file'; path: string; append: boolean }
  | { type: 'stdio'; signal: boolean }
  | { type: 'socket'; address: SocketAddress; server: boolean; wait: boolean; nodelay: boolean }
  | { type: 'pipe'; path: string };

/** One chardev to create: `-chardev TYPE,id=ID,...` or the chardev a `-serial` spec implies. */
export interface ChardevOptions {
  id: string;
  backend: ChardevBackendOptions;
  /** Put a multiplexer in front, so a serial port and the monitor can share it (`mux=on`). */
  mux: boolean;
}

/** What a `-serial`/`-monitor`/`-debugcon` argument asks for (QEMU's compat syntax). */
export type CompatChardevSpec =
  /** `none`: no device on that port. */
  | { kind: 'none' }
  /** `chardev:ID`: the chardev a `-chardev ...,id=ID` created. */
  | { kind: 'chardev'; id: string }
  /** A new chardev; with `mon:`, the monitor shares it through a mux (`monitor: true`). */
  | { kind: 'new'; options: ChardevOptions; monitor: boolean };

const SUPPORTED_BACKENDS = ['null', 'file', 'stdio', 'socket', 'pipe'] as const;

/** QEMU backends tsemu does not provide: named so the error says "not supported" rather than "unknown". */
const UNSUPPORTED_BACKENDS = new Set([
  'pty',
  'vc',
  'udp',
  'serial',
  'tty',
  'parallel',
  'parport',
  'ringbuf',
  'memory',
  'msmouse',
  'wctablet',
  'braille',
  'testdev',
  'spicevmc',
  'spiceport',
  'qemu-vdagent',
  'dbus',
  'console',
]);

/** QEMU options tsemu does not provide. */
const UNSUPPORTED_KEYS = new Set([
  'logfile',
  'logappend',
  'telnet',
  'tn3270',
  'websocket',
  'reconnect',
  'reconnect-ms',
  'tls-creds',
  'tls-authz',
  'to',
  'ipv4',
  'ipv6',
  'abstract',
  'tight',
  'fd',
  'input-path',
  'keep-alive',
]);

const KEYS_BY_BACKEND: Record<(typeof SUPPORTED_BACKENDS)[number], readonly string[]> = {
  null: [],
  file: ['path', 'append'],
  stdio: ['signal'],
  socket: ['host', 'port', 'path', 'server', 'wait', 'nodelay'],
  pipe: ['path'],
};

const BOOLEAN_KEYS = new Set(['append', 'signal', 'server', 'wait', 'nodelay', 'mux']);

/**
 * Parse a `-chardev` argument: `TYPE,id=ID[,KEY=VALUE...]` with TYPE one of
 * `null`, `file` (path=, append=), `stdio` (signal=), `socket` (host= and
 * port=, or path=; server=, wait=, nodelay=) and `pipe` (path=); `mux=on` on
 * any. Booleans take on/off (or yes/no, true/false); a bare `server` means
 * `server=on` and `nowait` means `wait=off`, as QEMU still accepts; `,,` is a
 * literal comma inside a value.
 * @throws ChardevError naming what is wrong.
 */
export function parseChardevOptions(arg: string): ChardevOptions {
  const fail = (reason: string): never => {
    throw new ChardevError(`invalid -chardev '${arg}': ${reason}`);
  };
  const [first, ...rest] = splitOptions(arg);
  const settings = new Map<string, string>();
  let type = first ?? '';
  if (type.includes('=')) {
    rest.unshift(type);
    type = '';
  }
  for (const item of rest) readSetting(item, settings, fail);
  if (!type) type = settings.get('backend') ?? '';
  settings.delete('backend');
  if (!type) fail('no backend type given (null, file, stdio, socket, pipe)');
  const backendType = checkBackendType(type, fail);
  const id = settings.get('id');
  if (id === undefined || id === '') fail("parameter 'id' is missing");
  checkId(id as string, fail);
  for (const key of settings.keys()) {
    if (key === 'id' || key === 'mux') continue;
    if (UNSUPPORTED_KEYS.has(key)) fail(`'${key}' is not supported by tsemu`);
    if (!KEYS_BY_BACKEND[backendType].includes(key)) {
      fail(`invalid parameter '${key}' for backend '${backendType}'`);
    }
  }
  const flag = (key: string, fallback: boolean) => readBoolean(settings, key, fallback, fail);
  return {
    id: id as string,
    mux: flag('mux', false),
    backend: buildBackend(backendType, settings, flag, fail),
  };
}

/**
 * Parse a `-serial`, `-monitor`, `-parallel` or `-debugcon` argument in QEMU's
 * short syntax: `none`, `null`, `stdio`, `file:PATH`, `pipe:PATH`,
 * `tcp:[HOST]:PORT[,server=on][,wait=off][,nodelay=on]`, `unix:PATH[,server=on][,wait=off]`,
 * `chardev:ID`, or `mon:SPEC` (the monitor shares SPEC through a mux; `mon:stdio`
 * leaves Ctrl-C to the guest). `id` names the chardev created (QEMU uses
 * `serial0`, `compat_monitor0`, ...).
 * @throws ChardevError naming what is wrong.
 */
export function parseCompatChardev(arg: string, id: string): CompatChardevSpec {
  const fail = (reason: string): never => {
    throw new ChardevError(`invalid character device '${arg}': ${reason}`);
  };
  if (arg.startsWith('mon:')) {
    const inner = parseCompatChardev(arg.slice(4), id);
    if (inner.kind !== 'new') fail("'mon:' needs a device such as mon:stdio");
    const options = (inner as Extract<CompatChardevSpec, { kind: 'new' }>).options;
    // QEMU: with the monitor muxed on stdio, Ctrl-C goes to the guest.
    const backend: ChardevBackendOptions =
      options.backend.type === 'stdio' && arg === 'mon:stdio'
        ? { type: 'stdio', signal: false }
        : options.backend;
    return { kind: 'new', monitor: true, options: { ...options, backend, mux: true } };
  }
  const created = (backend: ChardevBackendOptions): CompatChardevSpec => ({
    kind: 'new',
    monitor: false,
    options: { id, backend, mux: false },
  });
  if (arg === 'none') return { kind: 'none' };
  if (arg === 'null') return created({ type: 'null' });
  if (arg === 'stdio') return created({ type: 'stdio', signal: true });
  const colon = arg.indexOf(':');
  const scheme = colon < 0 ? arg : arg.slice(0, colon);
  const rest = colon < 0 ? '' : arg.slice(colon + 1);
  switch (scheme) {
    case 'file':
      if (!rest) fail('expected file:PATH');
      return created({ type: 'file', path: rest, append: false });
    case 'pipe':
      if (!rest) fail('expected pipe:PATH');
      return created({ type: 'pipe', path: rest });
    case 'chardev':
      if (!rest) fail('expected chardev:ID');
      checkId(rest, fail);
      return { kind: 'chardev', id: rest };
    case 'tcp':
      return created(parseCompatSocket(rest, 'tcp', fail));
    case 'unix':
      return created(parseCompatSocket(rest, 'unix', fail));
    case 'telnet':
      return fail('telnet is not supported by tsemu (use tcp:HOST:PORT,server=on)');
    case 'vc':
      return fail('there is no graphical console (use stdio, or -nographic)');
    default:
      if (arg.startsWith('/dev/') || /^COM\d+$/i.test(arg)) {
        return fail('host serial and parallel ports are not supported by tsemu');
      }
      if (UNSUPPORTED_BACKENDS.has(scheme)) return fail(`'${scheme}' is not supported by tsemu`);
      return fail(`'${arg}' is not a valid char driver name`);
  }
}

/** Everything after `tcp:` or `unix:`: the address, then options. */
function parseCompatSocket(
  text: string,
  kind: 'tcp' | 'unix',
  fail: (reason: string) => never,
): ChardevBackendOptions {
  const [where, ...items] = splitOptions(text);
  const settings = new Map<string, string>();
  for (const item of items) readSetting(item, settings, fail);
  for (const key of settings.keys()) {
    if (UNSUPPORTED_KEYS.has(key)) fail(`'${key}' is not supported by tsemu`);
    if (!['server', 'wait', 'nodelay'].includes(key)) fail(`invalid option '${key}'`);
  }
  let address: SocketAddress;
  if (kind === 'unix') {
    if (!where) fail('expected unix:PATH');
    address = { kind: 'unix', path: where as string };
  } else {
    address = { kind: 'tcp', ...parseHostPort(where ?? '', fail) };
  }
  const flag = (key: string, fallback: boolean) => readBoolean(settings, key, fallback, fail);
  return socketBackend(address, flag, settings.has('wait'), fail);
}

/** `HOST:PORT`, `:PORT` or `[IPV6]:PORT`. */
function parseHostPort(
  text: string,
  fail: (reason: string) => never,
): { host: string; port: number } {
  const match = /^(\[[^\]]*\]|[^:]*):([^:]+)$/.exec(text);
  if (!match) return fail('expected tcp:[HOST]:PORT');
  const host = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  return { host, port: parsePort(match[2], fail) };
}

function parsePort(text: string, fail: (reason: string) => never): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) fail(`'${text}' is not a valid port number`);
  return Number(text);
}

function buildBackend(
  type: (typeof SUPPORTED_BACKENDS)[number],
  settings: Map<string, string>,
  flag: (key: string, fallback: boolean) => boolean,
  fail: (reason: string) => never,
): ChardevBackendOptions {
  switch (type) {
    case 'null':
      return { type: 'null' };
    case 'stdio':
      return { type: 'stdio', signal: flag('signal', true) };
    case 'file': {
      const path = settings.get('path');
      if (!path) return fail("parameter 'path' is missing");
      return { type: 'file', path, append: flag('append', false) };
    }
    case 'pipe': {
      const path = settings.get('path');
      if (!path) return fail("parameter 'path' is missing");
      return { type: 'pipe', path };
    }
    case 'socket': {
      const path = settings.get('path');
      const host = settings.get('host');
      const port = settings.get('port');
      let address: SocketAddress;
      if (path !== undefined) {
        if (host !== undefined || port !== undefined)
          fail("'path' cannot be used with 'host' or 'port'");
        if (!path) fail("parameter 'path' is empty");
        address = { kind: 'unix', path };
      } else {
        if (port === undefined) return fail("socket needs 'port' (TCP) or 'path' (Unix)");
        address = { kind: 'tcp', host: host ?? '', port: parsePort(port, fail) };
      }
      return socketBackend(address, flag, settings.has('wait'), fail);
    }
  }
}

function socketBackend(
  address: SocketAddress,
  flag: (key: string, fallback: boolean) => boolean,
  waitGiven: boolean,
  fail: (reason: string) => never,
): ChardevBackendOptions {
  const server = flag('server', false);
  if (!server && waitGiven) fail("'wait' only applies to a server socket (server=on)");
  if (address.kind === 'tcp' && !server && !address.host)
    address = { ...address, host: 'localhost' };
  return {
    type: 'socket',
    address,
    server,
    wait: server && flag('wait', true),
    nodelay: flag('nodelay', false),
  };
}

function checkBackendType(
  type: string,
  fail: (reason: string) => never,
): (typeof SUPPORTED_BACKENDS)[number] {
  if ((SUPPORTED_BACKENDS as readonly string[]).includes(type)) {
    return type as (typeof SUPPORTED_BACKENDS)[number];
  }
  if (UNSUPPORTED_BACKENDS.has(type)) {
    return fail(
      `backend '${type}' is not supported by tsemu (supported: ${SUPPORTED_BACKENDS.join(', ')})`,
    );
  }
  return fail(`'${type}' is not a valid char driver name`);
}

/** QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
function checkId(id: string, fail: (reason: string) => never): void {
  if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(id)) {
    fail(`'${id}' is not a valid id (a letter, then letters, digits, '-', '.', '_')`);
  }
}

/** One `KEY=VALUE`, bare `KEY` (on) or `noKEY` (off) item. */
function readSetting(
  item: string,
  settings: Map<string, string>,
  fail: (reason: string) => never,
): void {
  if (item === '') fail('empty option (a stray comma?)');
  const eq = item.indexOf('=');
  let key: string;
  let value: string;
  if (eq >= 0) {
    key = item.slice(0, eq);
    value = item.slice(eq + 1);
  } else if (item.startsWith('no') && BOOLEAN_KEYS.has(item.slice(2))) {
    key = item.slice(2);
    value = 'off';
  } else {
    key = item;
    value = 'on';
  }
  if (!key) fail(`option '${item}' has no name`);
  if (settings.has(key)) fail(`'${key}' is given twice`);
  settings.set(key, value);
}

function readBoolean(
  settings: Map<string, string>,
  key: string,
  fallback: boolean,
  fail: (reason: string) => never,
): boolean {
  const value = settings.get(key);
  if (value === undefined) return fallback;
  if (['on', 'yes', 'true', 'y'].includes(value)) return true;
  if (['off', 'no', 'false', 'n'].includes(value)) return false;
  return fail(`'${key}' must be on or off, not '${value}'`);
}

/** Split on commas; `,,` stands for a literal comma (QEMU's QemuOpts rule). */
function splitOptions(text: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ',') {
      if (text[i + 1] === ',') {
        current += ',';
        i++;
        continue;
      }
      items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  items.push(current);
  return items;
}
