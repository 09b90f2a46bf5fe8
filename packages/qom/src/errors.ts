/**
 * Errors as values (QEMU's `Error **errp` idea).
 *
 * Operations that can fail because of user input (a `-device` option string, a
 * property value typed at the monitor, a state blob being loaded) return a
 * {@link Result}. Mistakes by a library user in host code (registering a type
 * twice, casting to the wrong type) throw a {@link QomError}.
 */

/** QMP's error classes; almost everything is a GenericError. */
export type ErrorClass = 'GenericError' | 'DeviceNotFound';

export interface QomErrorOptions {
  /** QMP error class, `GenericError` unless said otherwise. */
  readonly errorClass?: ErrorClass;
  /** Extra advice for a human, printed after the message (QEMU's error_append_hint). */
  readonly hint?: string;
  readonly cause?: unknown;
}

export class QomError extends Error {
  readonly errorClass: ErrorClass;
  readonly hint: string | undefined;

  constructor(message: string, options: QomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QomError';
    this.errorClass = options.errorClass ?? 'GenericError';
    this.hint = options.hint;
  }

  /** The message followed by the hint, as QEMU's error_report_err prints it. */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message}\n${this.hint}`;
  }
}

export type Result<T, E = QomError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok(): Result<void, never>;
export function ok<T>(value: T): Result<T, never>;
export function ok<T>(value?: T): Result<T | undefined, never> {
  return { ok: true, value };
}

/** A failed Result carrying a new QomError with this message. */
export function err(message: string, options?: QomErrorOptions): Result<never> {
  return { ok: false, error: new QomError(message, options) };
}

/** A failed Result carrying an existing error value. */
export function fail<E>(error: E): Result<never, E> {
  return { ok: false, error };
}

/** The value of a successful Result; throws the error of a failed one. */
export function unwrap<T>(result: Result<T, QomError>): T {
  if (!result.ok) {
    throw result.error;
  }
  return result.value;
}

/** Call `fn`, turning a thrown QomError into a failed Result (other errors propagate). */
export function catchQomError<T>(fn: () => T): Result<T> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof QomError) {
      return fail(e);
    }
    throw e;
  }
}
