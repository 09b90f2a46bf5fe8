import { closeSync, constants, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { Chardev } from './chardev.js';
import { ChardevError } from './errors.js';
import { describeSystemError } from './exit-hook.js';
import { OutputBatcher } from './output-batcher.js';

/**
 * `-chardev pipe,path=PATH` / `-serial pipe:PATH`: named pipes (FIFOs), as QEMU
 * opens them: `PATH.in` carries input to the guest and `PATH.out` its output
 * when both exist; otherwise `PATH` itself carries both ways. The FIFOs are
 * opened read-write and non-blocking, so opening never waits for a peer and a
 * peer closing its end is not an end of input.
 */
export class PipeChardev extends Chardev {
  private readonly inputSocket: Socket;
  private readonly outputSocket: Socket;
  private readonly batcher: OutputBatcher;

  /** @throws ChardevError if the FIFOs cannot be opened. */
  constructor(
    id: string,
    readonly path: string,
  ) {
    super(id);
    const [inputFd, outputFd] = openFifos(path);
    this.inputSocket = new Socket({ fd: inputFd, readable: true, writable: inputFd === outputFd });
    this.outputSocket =
      outputFd === inputFd
        ? this.inputSocket
        : new Socket({ fd: outputFd, readable: false, writable: true });
    this.inputSocket.on('error', () => {});
    this.outputSocket.on('error', () => {});
    this.inputSocket.on('data', (chunk: Buffer) => this.pushInput(chunk));
    this.batcher = new OutputBatcher((chunk) => {
      if (!this.outputSocket.destroyed) this.outputSocket.write(chunk);
    });
    this.sendEvent('opened');
  }

  get filename(): string {
    return `pipe:${this.path}`;
  }

  protected writeOut(data: Uint8Array): number {
    this.batcher.write(data);
    return data.length;
  }

  protected override pauseSource(): void {
    this.inputSocket.pause();
  }

  protected override resumeSource(): void {
    this.inputSocket.resume();
  }

  protected async closeBackend(): Promise<void> {
    this.batcher.flush();
    this.inputSocket.pause();
    if (this.inputSocket !== this.outputSocket) this.inputSocket.destroy();
    // Let queued output reach the pipe, then close it.
    this.outputSocket.destroySoon();
  }
}

function openFifos(path: string): [number, number] {
  const flags = constants.O_RDWR | constants.O_NONBLOCK;
  const split = isFifo(`${path}.in`) && isFifo(`${path}.out`);
  if (split) {
    const inputFd = openSync(`${path}.in`, flags);
    try {
      return [inputFd, openSync(`${path}.out`, flags)];
    } catch (error) {
      closeSync(inputFd);
      throw new ChardevError(`Could not open '${path}.out': ${describeSystemError(error)}`);
    }
  }
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new ChardevError(`Could not open '${path}': ${describeSystemError(error)}`);
  }
  if (!stats.isFIFO()) {
    throw new ChardevError(`Could not open '${path}': not a named pipe (create it with mkfifo)`);
  }
  const fd = openSync(path, flags);
  return [fd, fd];
}

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}
