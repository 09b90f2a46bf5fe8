import type { Result } from '../errors.js';
import type { QomObject } from '../object/object.js';

/**
 * A typed property description: what `prop.uint32(...)`, `prop.enum(...)` etc.
 * return (QEMU's qdev PropertyInfo plus the Property's default and description).
 *
 * Failures are reported as a short reason ("expected an integer from 0 to 255
 * (uint8)"); the object that owns the property adds its name and the value.
 */
export interface PropSpec<T> {
  /** Type name shown by `-device NAME,help` and qom-list: `uint32`, `bool`, `link<isa-bus>`. */
  readonly typeName: string;
  readonly description: string | undefined;
  /** Value of a fresh instance. */
  readonly defaultValue: T;
  /** Whether help output shows `(default: ...)`. */
  readonly hasDefault: boolean;
  /** Link properties resolve to an object and appear as `link<...>`. */
  readonly isLink: boolean;
  /** Read a value from its command-line text (`-device foo,prop=TEXT`). */
  parse(text: string, owner: QomObject): Result<T, string>;
  /** Validate a value given from code. */
  check(value: unknown, owner: QomObject): Result<T, string>;
  /** The value as text (qom-get in HMP, info qtree). */
  format(value: T): string;
  /** The value as JSON, for `(default: ...)` in help. */
  toJson(value: T): unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: a record of specs of any value type.
export type PropSpecs = Readonly<Record<string, PropSpec<any>>>;

/** The value type of a spec. */
export type PropValue<S> = S extends PropSpec<infer T> ? T : never;

/** Typed property values of an object: `dev.props.iobase` is a number. */
export type PropValues<P extends PropSpecs> = { -readonly [K in keyof P]: PropValue<P[K]> };

/** Options every property kind takes. */
export interface PropOptions<T> {
  readonly default?: T;
  readonly description?: string;
}
