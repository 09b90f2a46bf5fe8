import type { Chardev } from './chardev.js';
import { ChardevError } from './errors.js';
import { FileChardev } from './file.js';
import { CharMux, type CharMuxOptions } from './mux.js';
import { NullChardev } from './null.js';
import { PipeChardev } from './pipe.js';
import { SocketChardev } from './socket.js';
import type { ChardevOptions } from './spec.js';
import { StdioChardev, type StdioInput, type StdioOutput } from './stdio.js';

/** What chardevs need from the host process; tests pass stand-ins. */
export interface ChardevHost {
  /** The terminal for `stdio` (process.stdin / process.stdout by default). */
  stdin?: StdioInput;
  stdout?: StdioOutput;
  /** Notices such as "waiting for connection on ..." (QEMU prints them on stderr). */
  log?: (message: string) => void;
  /** Ctrl-A x on a mux. */
  onQuit?: () => void;
  /** Ctrl-A s on a mux. */
  onCommitDisks?: () => void;
  /** How a stdio chardev raises SIGINT/SIGQUIT for Ctrl-C/Ctrl-\ (signal=on). */
  raiseSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Create the backend `options` describe (without a mux; see `ChardevRegistry`
 * for `mux=on`). Resolves when it is ready: a server socket with `wait` once
 * its first client connected.
 * @throws ChardevError when the file, pipe or socket cannot be opened.
 */
export async function openChardev(
  options: ChardevOptions,
  host: ChardevHost = {},
): Promise<Chardev> {
  const { id, backend } = options;
  switch (backend.type) {
    case 'null':
      return new NullChardev(id);
    case 'file':
      return new FileChardev(id, { path: backend.path, append: backend.append });
    case 'stdio':
      return new StdioChardev(id, {
        signal: backend.signal,
        input: host.stdin,
        output: host.stdout,
        raiseSignal: host.raiseSignal,
      });
    case 'pipe':
      return new PipeChardev(id, backend.path);
    case 'socket':
      return SocketChardev.open(id, {
        address: backend.address,
        server: backend.server,
        wait: backend.wait,
        nodelay: backend.nodelay,
        log: host.log,
      });
  }
}

/**
 * The chardevs of one machine, by id (QEMU's `/chardevs` container). Frontends
 * get theirs with `attach(id)`: a plain chardev serves one frontend, a mux as
 * many as ask (QEMU's qemu_chr_fe_init).
 *
 * ```ts
 * const chardevs = new ChardevRegistry();
 * const spec = parseCompatChardev('mon:stdio', 'serial0');
 * if (spec.kind === 'new') await chardevs.open(spec.options);
 * const serialChardev = chardevs.attach('serial0');  // the UART's
 * const monitorChardev = chardevs.attach('serial0'); // the monitor's, through the mux
 * ```
 */
export class ChardevRegistry {
  private readonly entries = new Map<
    string,
    { chardev: Chardev; mux: CharMux | null; attached: boolean }
  >();

  constructor(private readonly host: ChardevHost = {}) {}

  /** Create a chardev (and its mux with `mux=on`) and register it under `options.id`. */
  async open(options: ChardevOptions): Promise<Chardev> {
    if (this.entries.has(options.id))
      throw new ChardevError(`duplicate chardev id '${options.id}'`);
    const chardev = await openChardev(options, this.host);
    const muxOptions: CharMuxOptions = {
      onQuit: this.host.onQuit,
      onCommitDisks: this.host.onCommitDisks,
    };
    const mux = options.mux ? new CharMux(chardev, muxOptions) : null;
    this.entries.set(options.id, { chardev, mux, attached: false });
    return chardev;
  }

  /** Register a chardev made elsewhere. */
  add(chardev: Chardev, mux: CharMux | null = null): void {
    if (this.entries.has(chardev.id))
      throw new ChardevError(`duplicate chardev id '${chardev.id}'`);
    if (mux && mux.backend !== chardev)
      throw new Error('the mux must sit in front of the chardev added');
    this.entries.set(chardev.id, { chardev, mux, attached: false });
  }

  /**
   * The chardev a frontend device uses for `id`: the chardev itself the first
   * time, or a new mux frontend when the chardev is muxed.
   * @throws ChardevError if there is no such chardev or it already serves a frontend.
   */
  attach(id: string): Chardev {
    const entry = this.entries.get(id);
    if (!entry) throw new ChardevError(`chardev '${id}' not found`);
    if (entry.mux) return entry.mux.addFrontend();
    if (entry.attached) {
      throw new ChardevError(`chardev '${id}' is already in use (add mux=on to share it)`);
    }
    entry.attached = true;
    return entry.chardev;
  }

  /** The backend chardev registered as `id`. */
  get(id: string): Chardev | undefined {
    return this.entries.get(id)?.chardev;
  }

  /** The mux in front of `id`, if it has one. */
  getMux(id: string): CharMux | undefined {
    return this.entries.get(id)?.mux ?? undefined;
  }

  /** Every chardev: id and description, as `info chardev` lists them. */
  list(): { id: string; filename: string }[] {
    return [...this.entries.values()].map(({ chardev }) => ({
      id: chardev.id,
      filename: chardev.filename,
    }));
  }

  /** Close every chardev (restoring the terminal, closing sockets and files). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(({ chardev }) => chardev.close()));
  }
}
