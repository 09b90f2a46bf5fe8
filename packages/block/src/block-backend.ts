/**
 * What a device model holds (QEMU's BlockBackend): the door to one drive's medium.
 *
 * Every request is checked here before a driver sees it: against the medium size, against
 * read-only media, against an empty or closed drive. A request never throws and never
 * rejects: it resolves to a `BlockResult`, and the device completes the guest's command
 * (raising its interrupt, setting ERR or sense data) when it does. Only host-side mistakes
 * (a buffer that is not whole sectors, an offset that is not an integer) throw.
 *
 * ```ts
 * const sector = new Uint8Array(512);
 * const result = await backend.readSectors(lba, sector);
 * if (!result.ok) ataAbort(result.error.code);   // guest-visible error
 * ```
 */
import type { BlockDriver } from './block-driver.js';
import {
  BLOCK_OK,
  BlockIoFailure,
  type BlockResult,
  blockFailure,
  describeSystemError,
} from './errors.js';

/** QEMU's sector: the unit of the `*Sectors` helpers. */
export const SECTOR_SIZE = 512;

export type MediaType = 'disk' | 'cdrom';

export interface BlockBackendOptions {
  /** The drive's id, as QEMU names it (`ide0-hd0`, `ide1-cd0`, or the `-drive id=`). */
  name: string;
  /** The medium, or null for an empty drive (a CD-ROM drive with no disc). */
  driver: BlockDriver | null;
  media?: MediaType;
  /** Refuse writes even if the driver could take them (`readonly=on`, CD-ROMs). */
  readOnly?: boolean;
  /**
   * The write cache the guest sees (QEMU's cache.writeback, "WCE"). When it is off, every
   * write is flushed to stable storage before it completes. Default on.
   */
  writeCache?: boolean;
  /** `cache=unsafe` (QEMU's cache.no-flush): flushes complete without reaching the disk. */
  noFlush?: boolean;
}

export type MediumChangeListener = (backend: BlockBackend) => void;

export class BlockBackend {
  readonly name: string;
  readonly media: MediaType;
  /** The guest-visible write cache (IDE's SET FEATURES 02h/82h toggle it, as in QEMU). */
  writeCacheEnabled: boolean;
  private driver: BlockDriver | null;
  private readonly forcedReadOnly: boolean;
  private readonly noFlush: boolean;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly changeListeners = new Set<MediumChangeListener>();

  constructor(options: BlockBackendOptions) {
    this.name = options.name;
    this.media = options.media ?? 'disk';
    this.driver = options.driver;
    this.forcedReadOnly = (options.readOnly ?? false) || this.media === 'cdrom';
    this.writeCacheEnabled = options.writeCache ?? true;
    this.noFlush = options.noFlush ?? false;
  }

  /** The medium's size in bytes, a whole number of sectors (0 for an empty drive). */
  get size(): number {
    const driver = this.driver;
    return driver ? Math.ceil(driver.size / SECTOR_SIZE) * SECTOR_SIZE : 0;
  }

  /** The medium's size in 512-byte sectors. */
  get sectors(): number {
    return this.size / SECTOR_SIZE;
  }

  get readOnly(): boolean {
    return this.forcedReadOnly || (this.driver?.readOnly ?? false);
  }

  /** Whether the drive has a medium (QEMU's blk_is_inserted). */
  get isInserted(): boolean {
    return this.driver !== null && !this.closed;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The driver of the medium (its format, filename and backing chain), if any. */
  get medium(): BlockDriver | null {
    return this.driver;
  }

  /** Reads `dest.length` bytes at byte `offset`. */
  read(offset: number, dest: Uint8Array): Promise<BlockResult> {
    checkInteger('offset', offset);
    const refusal = this.check(offset, dest.length, false);
    if (refusal) return Promise.resolve(refusal);
    const driver = this.driver!;
    return this.track(() => driver.read(offset, dest));
  }

  /** Writes `src` at byte `offset`. */
  write(offset: number, src: Uint8Array): Promise<BlockResult> {
    checkInteger('offset', offset);
    const refusal = this.check(offset, src.length, true);
    if (refusal) return Promise.resolve(refusal);
    const driver = this.driver!;
    return this.track(async () => {
      await driver.write(offset, src);
      if (!this.writeCacheEnabled && !this.noFlush) await driver.flush();
    });
  }

  /** Reads whole sectors from `sector` on; `dest.length` must be a multiple of 512. */
  readSectors(sector: number, dest: Uint8Array): Promise<BlockResult> {
    checkSectorRequest(sector, dest);
    return this.read(sector * SECTOR_SIZE, dest);
  }

  /** Writes whole sectors from `sector` on; `src.length` must be a multiple of 512. */
  writeSectors(sector: number, src: Uint8Array): Promise<BlockResult> {
    checkSectorRequest(sector, src);
    return this.write(sector * SECTOR_SIZE, src);
  }

  /**
   * Resolves once every write that completed before the call is on stable storage (the
   * guest's FLUSH CACHE). Waits for writes still in flight first.
   */
  flush(): Promise<BlockResult> {
    if (this.closed) return Promise.resolve(blockFailure('closed', `${this.name}: drive closed`));
    const driver = this.driver;
    if (!driver || this.noFlush) return Promise.resolve(BLOCK_OK);
    const pending = [...this.inFlight];
    return this.track(async () => {
      await Promise.allSettled(pending);
      await driver.flush();
    });
  }

  /** Puts a medium into an empty drive (QEMU's blk_insert_bs; a CD changed by the monitor). */
  insert(driver: BlockDriver): void {
    if (this.closed) throw new Error(`${this.name}: the drive is closed`);
    if (this.driver)
      throw new Error(`${this.name}: the drive already has a medium (eject it first)`);
    this.driver = driver;
    for (const listener of this.changeListeners) listener(this);
  }

  /** Takes the medium out (waiting for its requests) and closes it. */
  async eject(): Promise<void> {
    const driver = this.driver;
    if (!driver) return;
    await Promise.allSettled([...this.inFlight]);
    this.driver = null;
    await driver.close();
    for (const listener of this.changeListeners) listener(this);
  }

  /** Tells `listener` when a medium is inserted or ejected. Returns a remover. */
  onMediumChange(listener: MediumChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Waits for the requests in flight, then flushes and closes the medium. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const driver = this.driver;
    if (driver) await driver.close();
  }

  /** Flushes and closes at once, from a synchronous exit path (requests in flight are lost). */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.driver?.closeSync();
  }

  private check(offset: number, length: number, isWrite: boolean): BlockResult | null {
    if (this.closed) return blockFailure('closed', `${this.name}: drive closed`);
    if (!this.driver) return blockFailure('no-medium', `${this.name}: no medium`);
    if (offset < 0 || length < 0 || offset + length > this.size) {
      return blockFailure(
        'out-of-range',
        `${this.name}: request of ${length} bytes at ${offset} is outside the medium (${this.size} bytes)`,
      );
    }
    if (isWrite && this.readOnly) {
      return blockFailure('read-only', `${this.name}: the medium is read-only`);
    }
    return null;
  }

  /** Runs a request, turning any failure into a result, and tracks it until it settles. */
  private track(run: () => Promise<void>): Promise<BlockResult> {
    const request = run().then(
      () => BLOCK_OK,
      (error: unknown) =>
        error instanceof BlockIoFailure
          ? blockFailure(error.code, error.message)
          : blockFailure('io-error', `${this.name}: ${describeSystemError(error)}`),
    );
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
    return request;
  }
}

function checkInteger(what: string, value: number): void {
  if (!Number.isSafeInteger(value))
    throw new Error(`block request ${what} must be an integer, got ${value}`);
}

function checkSectorRequest(sector: number, buffer: Uint8Array): void {
  checkInteger('sector', sector);
  if (buffer.length % SECTOR_SIZE !== 0) {
    throw new Error(
      `sector requests need whole sectors: ${buffer.length} bytes is not a multiple of 512`,
    );
  }
}
