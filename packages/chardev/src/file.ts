import { closeSync, openSync, writeSync } from 'node:fs';
import { Chardev } from './chardev.js';
import { ChardevError } from './errors.js';
import { describeSystemError, onProcessExit } from './exit-hook.js';
import { OutputBatcher } from './output-batcher.js';

export interface FileChardevOptions {
  /** The file output goes to. */
  path: string;
  /** Append instead of truncating (`append=on`). */
  append?: boolean;
}

/**
 * `-chardev file,path=PATH[,append=on]` / `-serial file:PATH`: output goes to a
 * file, truncated unless `append` is on; there is no input (QEMU's file backend).
 * Output is batched and written synchronously, and flushed at process exit.
 */
export class FileChardev extends Chardev {
  private fd: number;
  private readonly output: OutputBatcher;
  private readonly removeExitHook: () => void;

  /** @throws ChardevError if the file cannot be opened. */
  constructor(
    id: string,
    readonly options: FileChardevOptions,
  ) {
    super(id);
    try {
      this.fd = openSync(options.path, options.append ? 'a' : 'w', 0o666);
    } catch (error) {
      throw new ChardevError(`Could not open '${options.path}': ${describeSystemError(error)}`);
    }
    this.output = new OutputBatcher((chunk) => this.writeAll(chunk));
    this.removeExitHook = onProcessExit(() => this.output.flush());
    this.sendEvent('opened');
  }

  get filename(): string {
    return `file:${this.options.path}`;
  }

  /** Write everything gathered so far to the file now. */
  flush(): void {
    this.output.flush();
  }

  protected writeOut(data: Uint8Array): number {
    this.output.write(data);
    return data.length;
  }

  protected async closeBackend(): Promise<void> {
    this.output.flush();
    this.removeExitHook();
    closeSync(this.fd);
    this.fd = -1;
  }

  private writeAll(chunk: Buffer): void {
    if (this.fd < 0) return;
    try {
      let offset = 0;
      while (offset < chunk.length) {
        offset += writeSync(this.fd, chunk, offset, chunk.length - offset);
      }
    } catch {
      // A full disk or a revoked file: the output is dropped, as QEMU drops output it cannot write.
    }
  }
}
