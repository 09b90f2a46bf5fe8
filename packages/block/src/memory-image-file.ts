import type { ImageFile } from './image-file.js';

/** Memory is kept in chunks of this size, allocated on first write: holes cost nothing. */
const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;

/**
 * An image file held in memory: sparse (untouched ranges take no memory), growable, with
 * no host dependency. Tests use it, a `-snapshot` overlay can live in it, and it is the
 * browser's natural backend (fill it from an ArrayBuffer, read it back with `toBytes()`).
 *
 * ```ts
 * const file = new MemoryImageFile('disk.img', new Uint8Array(1024 * 1024));
 * const driver = new RawDriver(file);
 * ```
 */
export class MemoryImageFile implements ImageFile {
  private readonly chunks = new Map<number, Uint8Array>();
  private byteLength = 0;
  private closed = false;

  constructor(
    readonly name: string,
    initial?: Uint8Array,
    readonly readOnly = false,
  ) {
    if (initial) {
      this.copyIn(0, initial);
      this.byteLength = initial.length;
    }
  }

  length(): number {
    return this.byteLength;
  }

  async read(offset: number, dest: Uint8Array): Promise<number> {
    this.checkOpen();
    const count = Math.max(0, Math.min(dest.length, this.byteLength - offset));
    let done = 0;
    while (done < count) {
      const position = offset + done;
      const index = Math.floor(position / CHUNK_SIZE);
      const within = position - index * CHUNK_SIZE;
      const piece = Math.min(CHUNK_SIZE - within, count - done);
      const chunk = this.chunks.get(index);
      if (chunk) dest.set(chunk.subarray(within, within + piece), done);
      else dest.fill(0, done, done + piece);
      done += piece;
    }
    return count;
  }

  async write(offset: number, src: Uint8Array): Promise<void> {
    this.checkOpen();
    if (this.readOnly) throw new Error(`${this.name}: the file is read-only`);
    this.copyIn(offset, src);
    this.byteLength = Math.max(this.byteLength, offset + src.length);
  }

  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  closeSync(): void {
    this.closed = true;
  }

  /** Changes the length: shrinking drops the data past the new end. */
  truncate(length: number): void {
    for (const index of [...this.chunks.keys()]) {
      const start = index * CHUNK_SIZE;
      if (start >= length) this.chunks.delete(index);
      else if (start + CHUNK_SIZE > length) this.chunks.get(index)?.fill(0, length - start);
    }
    this.byteLength = length;
  }

  /** A copy of the whole file. */
  toBytes(): Uint8Array {
    const bytes = new Uint8Array(this.byteLength);
    for (const [index, chunk] of this.chunks) {
      const start = index * CHUNK_SIZE;
      bytes.set(chunk.subarray(0, Math.min(CHUNK_SIZE, this.byteLength - start)), start);
    }
    return bytes;
  }

  private copyIn(offset: number, src: Uint8Array): void {
    let done = 0;
    while (done < src.length) {
      const position = offset + done;
      const index = Math.floor(position / CHUNK_SIZE);
      const within = position - index * CHUNK_SIZE;
      const piece = Math.min(CHUNK_SIZE - within, src.length - done);
      let chunk = this.chunks.get(index);
      if (!chunk) {
        chunk = new Uint8Array(CHUNK_SIZE);
        this.chunks.set(index, chunk);
      }
      chunk.set(src.subarray(done, done + piece), within);
      done += piece;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`${this.name}: the file is closed`);
  }
}
