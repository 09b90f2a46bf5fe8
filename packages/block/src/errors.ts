/**
 * The two kinds of failure in the block layer.
 *
 * - At open time (a missing file, a bad `-drive` option, a truncated or corrupt image) the
 *   host made a mistake: `BlockOpenError` is thrown, with a one-line message the command
 *   prints as it is (no stack trace).
 * - During a request the guest is waiting for an answer: a request never throws, it resolves
 *   to a `BlockResult`, and a failed one carries a `BlockIoError` that the device turns into
 *   a guest-visible error (ATA ERR/ABRT, ATAPI sense data), as QEMU's devices turn -errno
 *   into guest errors.
 */

/** Why a request failed (QEMU's -errno values, named). */
export type BlockErrorCode =
  /** The request reaches past the end of the medium (QEMU: -EIO from blk_check_byte_request). */
  | 'out-of-range'
  /** A write to read-only medium (QEMU: -EACCES). */
  | 'read-only'
  /** The write was refused by policy: e.g. writing a format header to sector 0 of a raw
   *  image whose format was guessed (QEMU: -EPERM). */
  | 'permission-denied'
  /** The drive has no medium (an empty CD-ROM drive; QEMU: -ENOMEDIUM). */
  | 'no-medium'
  /** The backend was closed (QEMU: -ENOMEDIUM after blk_remove_bs). */
  | 'closed'
  /** The host file failed, or the image's metadata is corrupt (QEMU: -EIO). */
  | 'io-error';

export interface BlockIoError {
  readonly code: BlockErrorCode;
  /** One line for `-d guest_errors` or a log: what failed and where. */
  readonly message: string;
}

/** What every request resolves to. A request never rejects. */
export type BlockResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: BlockIoError };

/** The successful result (shared: it carries nothing). */
export const BLOCK_OK: BlockResult = Object.freeze({ ok: true });

/** A failed result. */
export function blockFailure(code: BlockErrorCode, message: string): BlockResult {
  return { ok: false, error: { code, message } };
}

/**
 * A drive or image that cannot be opened. The message is one line, ready to print after
 * the option it came from (`tsemu: -drive file=x.img: <message>`).
 */
export class BlockOpenError extends Error {
  override readonly name = 'BlockOpenError';
}

/**
 * Thrown inside drivers when a request fails; `BlockBackend` catches it and resolves the
 * request with its code. Not part of the device-facing interface.
 */
export class BlockIoFailure extends Error {
  override readonly name = 'BlockIoFailure';
  constructor(
    readonly code: BlockErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Describe a host system error briefly ("No such file or directory" rather than a stack). */
export function describeSystemError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const known: Record<string, string> = {
      ENOENT: 'No such file or directory',
      EACCES: 'Permission denied',
      EPERM: 'Operation not permitted',
      EISDIR: 'Is a directory',
      ENOTDIR: 'Not a directory',
      EROFS: 'Read-only file system',
      ENOSPC: 'No space left on device',
      EIO: 'Input/output error',
      EFBIG: 'File too large',
      EMFILE: 'Too many open files',
    };
    const text = known[String((error as { code: unknown }).code)];
    if (text) return text;
  }
  return error instanceof Error ? error.message : String(error);
}
