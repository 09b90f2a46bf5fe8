import { lstatSync, unlinkSync } from 'node:fs';
import {
  type AddressInfo,
  createServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net';
import { Chardev } from './chardev.js';
import { ChardevError } from './errors.js';
import { describeSystemError } from './exit-hook.js';
import { OutputBatcher } from './output-batcher.js';

/** Where a socket chardev listens or connects. */
export type SocketAddress =
  | {
      kind: 'tcp' /** empty for every interface (server) or localhost (client) */;
      host: string;
      port: number;
    }
  | { kind: 'unix'; path: string };

export interface SocketChardevOptions {
  address: SocketAddress;
  /** Listen for a client (`server=on`) instead of connecting to one. */
  server: boolean;
  /** As a server, wait for the first client before the emulator starts (`wait=on`). */
  wait?: boolean;
  /** Disable Nagle's algorithm on TCP (`nodelay=on`). */
  nodelay?: boolean;
  /** Where the "waiting for connection" notice goes (QEMU prints it on stderr). */
  log?: (message: string) => void;
}

/** `tcp:HOST:PORT` or `unix:PATH`, as QEMU writes socket addresses. */
export function describeSocketAddress(address: SocketAddress): string {
  return address.kind === 'tcp' ? `tcp:${address.host}:${address.port}` : `unix:${address.path}`;
}

/**
 * `-chardev socket` / `-serial tcp:...` / `-serial unix:...`: a TCP or Unix
 * stream socket, as a server (one client at a time; later clients wait their
 * turn, as in QEMU where the listener pauses while a client is connected) or a
 * client. While nothing is connected, output is dropped as QEMU drops it.
 * Create one with `SocketChardev.open()`, which resolves once the socket is
 * listening (and, with `wait`, once the first client has connected) or connected.
 */
export class SocketChardev extends Chardev {
  private server: Server | null = null;
  private socket: Socket | null = null;
  private readonly waitingClients: Socket[] = [];
  private readonly batcher: OutputBatcher;
  private firstClient: (() => void) | null = null;
  private boundAddress: SocketAddress;

  private constructor(
    id: string,
    readonly options: SocketChardevOptions,
  ) {
    super(id);
    this.boundAddress = options.address;
    this.batcher = new OutputBatcher((chunk) => {
      if (this.socket && !this.socket.destroyed) this.socket.write(chunk);
    });
  }

  /** Listen or connect as `options` say. @throws ChardevError when binding or connecting fails. */
  static async open(id: string, options: SocketChardevOptions): Promise<SocketChardev> {
    const chardev = new SocketChardev(id, options);
    if (options.server) await chardev.listen();
    else await chardev.connectToServer();
    return chardev;
  }

  get filename(): string {
    const where = describeSocketAddress(this.boundAddress);
    if (!this.options.server) return `${where}${this.socket ? '' : ' (disconnected)'}`;
    return `${this.socket ? '' : 'disconnected:'}${where},server=on`;
  }

  /** The address actually bound: for a TCP server on port 0, the port the OS chose. */
  get address(): SocketAddress {
    return this.boundAddress;
  }

  /** Whether a peer is connected. */
  get connected(): boolean {
    return this.socket !== null;
  }

  protected writeOut(data: Uint8Array): number {
    if (this.socket) this.batcher.write(data);
    return data.length;
  }

  protected override pauseSource(): void {
    this.socket?.pause();
  }

  protected override resumeSource(): void {
    this.socket?.resume();
  }

  protected async closeBackend(): Promise<void> {
    this.batcher.flush();
    for (const client of this.waitingClients.splice(0)) client.destroy();
    const socket = this.socket;
    this.socket = null;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => socket.end(() => resolve()));
      socket.destroy();
    }
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    // A closed Unix server's socket file goes too (net.Server unlinks it on close).
  }

  private async listen(): Promise<void> {
    const { address } = this.options;
    const server = createServer((client) => this.acceptClient(client));
    this.server = server;
    if (address.kind === 'unix') removeStaleUnixSocket(address.path);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new ChardevError(
            `Failed to bind socket to ${describeSocketAddress(address)}: ${describeSystemError(error)}`,
          ),
        ),
      );
      if (address.kind === 'unix') server.listen(address.path, resolve);
      else server.listen(address.port, address.host || undefined, resolve);
    });
    server.on('error', () => {});
    if (address.kind === 'tcp') {
      const bound = server.address() as AddressInfo;
      this.boundAddress = { kind: 'tcp', host: address.host, port: bound.port };
    }
    if (this.options.wait ?? true) {
      this.options.log?.(`info: waiting for connection on: ${this.filename}`);
      await new Promise<void>((resolve) => {
        this.firstClient = resolve;
      });
    }
  }

  private async connectToServer(): Promise<void> {
    const { address } = this.options;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const client =
        address.kind === 'unix'
          ? netConnect(address.path)
          : netConnect(address.port, address.host || 'localhost');
      client.once('connect', () => resolve(client));
      client.once('error', (error) =>
        reject(
          new ChardevError(
            `Failed to connect to '${describeSocketAddress(address)}': ${describeSystemError(error)}`,
          ),
        ),
      );
    });
    this.attachSocket(socket);
  }

  private acceptClient(client: Socket): void {
    if (this.isClosed) {
      client.destroy();
      return;
    }
    if (this.socket) {
      // Like QEMU's listener, which stops accepting while a client is connected.
      client.pause();
      client.on('error', () => {});
      this.waitingClients.push(client);
      return;
    }
    this.attachSocket(client);
  }

  private attachSocket(socket: Socket): void {
    this.socket = socket;
    if (this.options.address.kind === 'tcp') socket.setNoDelay(this.options.nodelay ?? false);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.pushInput(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.detachSocket(socket));
    if (this.isSourcePaused) socket.pause();
    else socket.resume();
    this.sendEvent('opened');
    const resolveWait = this.firstClient;
    this.firstClient = null;
    resolveWait?.();
  }

  private detachSocket(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.batcher.discard();
    this.sendEvent('closed');
    if (this.isClosed) return;
    let next = this.waitingClients.shift();
    while (next?.destroyed) next = this.waitingClients.shift();
    if (next) this.attachSocket(next);
  }
}

/** QEMU unlinks a leftover socket file before binding; anything else at that path is an error. */
function removeStaleUnixSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there: nothing to remove.
  }
}
