/**
 * Where log text goes: standard error by default, a file with `-D FILE`.
 *
 * Writes are synchronous and unbuffered on purpose: the log is what you read after a JIT
 * crash, so nothing may be left in a buffer when the process dies.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** A destination for log text. */
export interface LogOutput {
  write(text: string): void;
  /** Releases the destination (closes a file). Writes after close are dropped. */
  close(): void;
}

/** Writes to the process's standard error (QEMU's default without `-D`). */
export function stderrLogOutput(): LogOutput {
  return {
    write(text) {
      process.stderr.write(text);
    },
    close() {},
  };
}

/**
 * Opens `path` for the log, truncating it, as `-D FILE` does. A `%d` in the name is replaced
 * by the process id (QEMU's convention, which lets several runs log side by side). Throws an
 * Error naming the file if it cannot be opened.
 */
export function fileLogOutput(path: string): LogOutput {
  const name = path.replace('%d', String(process.pid));
  let fd: number | undefined;
  try {
    fd = openSync(name, 'w');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open log file '${name}': ${reason}`);
  }
  return {
    write(text) {
      if (fd !== undefined) writeSync(fd, text);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Collects the log in memory; for tests and for embedding (e.g. a browser console view). */
export class MemoryLogOutput implements LogOutput {
  text = '';
  write(text: string): void {
    this.text += text;
  }
  close(): void {}
}
