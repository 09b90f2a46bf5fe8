/**
 * The bytes an image lives in (QEMU's protocol layer, the `file` node under a format
 * driver): a random-access store that can read, write, grow, flush and close. Format
 * drivers (raw, qcow2) are written against this interface only, so the same drivers run on
 * a Node file (`NodeImageFile`), on memory (`MemoryImageFile`), or on whatever a browser
 * offers (an ArrayBuffer, a File, OPFS) once someone implements it.
 *
 * No Node types appear here: offsets and lengths are Numbers (exact up to 2^53 bytes).
 */
export interface ImageFile {
  /** What to call the file in messages (its path, for a host file). */
  readonly name: string;
  readonly readOnly: boolean;
  /** The current length in bytes (writes past the end grow it). */
  length(): number;
  /**
   * Reads up to `dest.length` bytes at `offset` into `dest` and returns how many were read:
   * fewer only when the end of the file is reached. Rejects on a host I/O error.
   */
  read(offset: number, dest: Uint8Array): Promise<number>;
  /** Writes all of `src` at `offset`, growing the file if needed (a hole reads as zeros). */
  write(offset: number, src: Uint8Array): Promise<void>;
  /** Resolves once everything written so far is on stable storage (fdatasync). */
  flush(): Promise<void>;
  /** Flushes and releases the file. Later calls are harmless. */
  close(): Promise<void>;
  /**
   * Releases the file at once, from a synchronous exit path (QEMU's exit notifiers; Node's
   * `process.on('exit')` cannot wait for a Promise). Flushes first where the host can.
   */
  closeSync(): void;
}

/** Reads `dest.length` bytes at `offset`; the part past the end of the file reads as zeros. */
export async function readOrZero(file: ImageFile, offset: number, dest: Uint8Array): Promise<void> {
  const got = await file.read(offset, dest);
  if (got < dest.length) dest.fill(0, got);
}
