/**
 * An image file on the host, through a Node file descriptor (QEMU's file-posix protocol
 * driver). Reads and writes go straight to the kernel with pread/pwrite at the requested
 * offset: nothing is cached here, the whole file is never loaded, and holes in a sparse
 * file stay holes. Files of any size work (offsets are exact Numbers up to 2^53).
 *
 * The descriptor is a plain fd rather than a FileHandle so that `closeSync` can flush and
 * close it from a synchronous exit path.
 */
import * as fs from 'node:fs';
import type { ImageFile } from './image-file.js';

export interface NodeImageFileOptions {
  readOnly?: boolean;
  /** Create the file (it must not exist yet). */
  create?: boolean;
  /**
   * Remove the name at once: the file lives as long as it is open (`-snapshot` overlays).
   * Flushes are then skipped: no one can read the file after us.
   */
  unlinkAfterOpen?: boolean;
}

export class NodeImageFile implements ImageFile {
  private byteLength: number;
  private fd: number | null;

  private constructor(
    readonly name: string,
    fd: number,
    length: number,
    readonly readOnly: boolean,
    /** The file has no name left: nothing can read it after us, so flushing is pointless. */
    private readonly anonymous: boolean,
  ) {
    this.fd = fd;
    this.byteLength = length;
  }

  /** Opens `path`; rejects with Node's error (ENOENT, EACCES, EISDIR...) if it cannot. */
  static async open(path: string, options: NodeImageFileOptions = {}): Promise<NodeImageFile> {
    const readOnly = options.readOnly ?? false;
    const flags = options.create ? 'wx+' : readOnly ? 'r' : 'r+';
    const fd = await new Promise<number>((resolve, reject) =>
      fs.open(path, flags, 0o644, (error, fd) => (error ? reject(error) : resolve(fd))),
    );
    try {
      const stats = await new Promise<fs.Stats>((resolve, reject) =>
        fs.fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))),
      );
      if (stats.isDirectory()) {
        throw Object.assign(new Error(`'${path}' is a directory`), { code: 'EISDIR' });
      }
      if (options.unlinkAfterOpen) await fs.promises.unlink(path);
      return new NodeImageFile(path, fd, stats.size, readOnly, options.unlinkAfterOpen ?? false);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  length(): number {
    return this.byteLength;
  }

  async read(offset: number, dest: Uint8Array): Promise<number> {
    const fd = this.openFd();
    let done = 0;
    while (done < dest.length) {
      const count = await new Promise<number>((resolve, reject) =>
        fs.read(fd, dest, done, dest.length - done, offset + done, (error, bytesRead) =>
          error ? reject(error) : resolve(bytesRead),
        ),
      );
      if (count === 0) break; // end of file
      done += count;
    }
    return done;
  }

  async write(offset: number, src: Uint8Array): Promise<void> {
    const fd = this.openFd();
    if (this.readOnly) throw new Error(`${this.name}: the file is open read-only`);
    let done = 0;
    while (done < src.length) {
      done += await new Promise<number>((resolve, reject) =>
        fs.write(fd, src, done, src.length - done, offset + done, (error, written) =>
          error ? reject(error) : resolve(written),
        ),
      );
    }
    this.byteLength = Math.max(this.byteLength, offset + src.length);
  }

  async flush(): Promise<void> {
    const fd = this.openFd();
    if (this.readOnly || this.anonymous) return;
    await new Promise<void>((resolve, reject) =>
      fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())),
    );
  }

  async close(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    if (!this.readOnly) await this.flush();
    this.fd = null;
    await new Promise<void>((resolve, reject) =>
      fs.close(fd, (error) => (error ? reject(error) : resolve())),
    );
  }

  closeSync(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      if (!this.readOnly && !this.anonymous) fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`${this.name}: the file is closed`);
    return this.fd;
  }
}
