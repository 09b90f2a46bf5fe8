/**
 * A format driver opened on an image (QEMU's BlockDriverState with its BlockDriver): it
 * maps the guest-visible disk onto an `ImageFile`. `raw` maps it one to one; `qcow2` goes
 * through L1/L2 tables and may fall through to a backing driver.
 *
 * Drivers trust their caller (`BlockBackend`) to have range-checked the request against
 * `size` and refused writes to a read-only node. They report failures by throwing
 * `BlockIoFailure`; host I/O errors may also surface as plain errors, which the backend
 * turns into `io-error`.
 */
export interface BlockDriver {
  /** The format name, as `-drive format=` spells it. */
  readonly format: string;
  /** The image's name for messages (its path for a host file). */
  readonly filename: string;
  /** The virtual disk size in bytes. */
  readonly size: number;
  readonly readOnly: boolean;
  /** The backing image, for formats that have one. */
  readonly backing: BlockDriver | null;
  /** Fills `dest` with the bytes at `offset` (any alignment). */
  read(offset: number, dest: Uint8Array): Promise<void>;
  /** Writes `src` at `offset` (any alignment). */
  write(offset: number, src: Uint8Array): Promise<void>;
  /** Resolves when every completed write is on stable storage. */
  flush(): Promise<void>;
  /** Flushes and closes the image and its backing chain. */
  close(): Promise<void>;
  /** Closes at once from a synchronous exit path (see `ImageFile.closeSync`). */
  closeSync(): void;
}
