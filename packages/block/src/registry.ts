/**
 * The block backends of one machine (QEMU's list behind blk_all_next, with
 * bdrv_flush_all / bdrv_close_all). The machine owns one registry; nothing is global, so
 * two machines in one process keep their drives apart.
 *
 * ```ts
 * const drives = new BlockBackendRegistry();
 * drives.add(await openDrive(resolved, { warn }));
 * // A clean shutdown (poweroff, quit, a signal) awaits this before the process exits:
 * await drives.closeAll();
 * // The last resort, from system.notifiers.exit (Node's synchronous 'exit' event):
 * system.notifiers.exit.add(() => drives.closeAllSync());
 * ```
 */
import type { BlockBackend } from './block-backend.js';
import type { BlockResult } from './errors.js';

export class BlockBackendRegistry {
  private readonly backends = new Map<string, BlockBackend>();

  /** Registers `backend` under its name. Throws if the name is taken. */
  add(backend: BlockBackend): BlockBackend {
    if (this.backends.has(backend.name)) {
      throw new Error(`Duplicate ID '${backend.name}' for drive`);
    }
    this.backends.set(backend.name, backend);
    return backend;
  }

  get(name: string): BlockBackend | undefined {
    return this.backends.get(name);
  }

  /** Every registered backend, in the order they were added. */
  list(): BlockBackend[] {
    return [...this.backends.values()];
  }

  get size(): number {
    return this.backends.size;
  }

  /** Closes `name`'s backend and forgets it. */
  async remove(name: string): Promise<void> {
    const backend = this.backends.get(name);
    if (!backend) return;
    this.backends.delete(name);
    await backend.close();
  }

  /** Flushes every drive (QEMU's bdrv_flush_all, run before the VM stops). */
  async flushAll(): Promise<Array<{ name: string; result: BlockResult }>> {
    const open = this.list().filter((backend) => !backend.isClosed);
    const results = await Promise.all(open.map((backend) => backend.flush()));
    return open.map((backend, i) => ({ name: backend.name, result: results[i] }));
  }

  /** Waits for the requests in flight, flushes and closes every drive, and forgets them. */
  async closeAll(): Promise<void> {
    const all = this.list();
    this.backends.clear();
    const outcomes = await Promise.allSettled(all.map((backend) => backend.close()));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Flushes and closes every drive synchronously: for Node's `exit` event, where no Promise
   * can be awaited. Writes that had completed are in the files; writes still in flight (the
   * guest was never told they were done) may be lost. Never throws: an exit path must finish.
   */
  closeAllSync(): void {
    const all = this.list();
    this.backends.clear();
    for (const backend of all) {
      try {
        backend.closeSync();
      } catch {
        // Keep closing the others; the process is ending.
      }
    }
  }
}
