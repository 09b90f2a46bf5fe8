/**
 * Field kinds of a device state description (QEMU's VMStateField types).
 *
 * A field reads and writes one property of the state object by name. Saved
 * values are plain JSON: numbers, booleans, arrays and objects. Non-finite
 * float64 values are saved as the strings "NaN", "Infinity", "-Infinity".
 *
 * Loading is two-step: `validate` checks the data (and the shape of the
 * object receiving it) without changing anything, then `load` applies it.
 * Typed arrays, arrays and nested structs are loaded in place, so references
 * a device holds to them stay valid.
 */
import { QomError } from '../errors.js';

export type StateJson =
  | null
  | boolean
  | number
  | string
  | StateJson[]
  | { [key: string]: StateJson };

export interface FieldOptions {
  /** The state version that introduced the field; older data lacks it. */
  readonly since?: number;
}

export interface FieldSpec<T> {
  /** For messages: `uint32`, `uint8[16]`, `struct timer`. */
  readonly kind: string;
  readonly since: number | undefined;
  save(value: T): StateJson;
  /**
   * Why `data` cannot be loaded into `current`, as `where: reason`, or
   * undefined if it can. Throws a QomError if `current` itself has the wrong
   * shape (a mistake in the device, not in the data).
   */
  validate(data: unknown, current: unknown, where: string, version: number): string | undefined;
  /** Apply validated data of state `version`; returns the field's new value. */
  load(data: unknown, current: T, version: number): T;
  /**
   * Never called: ties the spec to its value type. A method, so that its
   * parameter is compared bivariantly (a `Uint8Array<ArrayBuffer>` field
   * accepts a `Uint8Array` spec).
   */
  valueType?(value: T): void;
}

export function describeData(data: unknown): string {
  if (typeof data === 'string') {
    return `'${data}'`;
  }
  if (Array.isArray(data)) {
    return `an array of length ${data.length}`;
  }
  if (data === null) {
    return 'null';
  }
  return typeof data === 'object' ? 'an object' : String(data);
}

interface ScalarKind<T> {
  readonly kind: string;
  /** Why the data is not a valid value, or undefined. */
  check(data: unknown): string | undefined;
  toJson(value: T): StateJson;
  fromJson(data: unknown): T;
}

function integerKind(kind: string, min: number, max: number): ScalarKind<number> {
  return {
    kind,
    check: (data) =>
      typeof data === 'number' && Number.isInteger(data) && data >= min && data <= max
        ? undefined
        : `expected ${kind} (${min} to ${max}), got ${describeData(data)}`,
    toJson: (value) => value,
    fromJson: (data) => data as number,
  };
}

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

const float64Kind: ScalarKind<number> = {
  kind: 'float64',
  check: (data) =>
    typeof data === 'number' || (typeof data === 'string' && Object.hasOwn(NON_FINITE, data))
      ? undefined
      : `expected float64, got ${describeData(data)}`,
  toJson: (value) => (Number.isFinite(value) ? value : String(value)),
  fromJson: (data) => (typeof data === 'string' ? (NON_FINITE[data] as number) : (data as number)),
};

const boolKind: ScalarKind<boolean> = {
  kind: 'bool',
  check: (data) =>
    typeof data === 'boolean' ? undefined : `expected bool, got ${describeData(data)}`,
  toJson: (value) => value,
  fromJson: (data) => data as boolean,
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const SCALARS = {
  bool: boolKind,
  uint8: integerKind('uint8', 0, 0xff),
  uint16: integerKind('uint16', 0, 0xffff),
  uint32: integerKind('uint32', 0, 0xffff_ffff),
  uint64: integerKind('uint64', 0, MAX_SAFE),
  int8: integerKind('int8', -0x80, 0x7f),
  int16: integerKind('int16', -0x8000, 0x7fff),
  int32: integerKind('int32', -0x8000_0000, 0x7fff_ffff),
  int64: integerKind('int64', -MAX_SAFE, MAX_SAFE),
  float64: float64Kind,
} as const;

function scalarField<T>(scalar: ScalarKind<T>, options: FieldOptions): FieldSpec<T> {
  return {
    kind: scalar.kind,
    since: options.since,
    save: (value) => scalar.toJson(value),
    validate(data, current, where) {
      const expected = scalar.kind === 'bool' ? 'boolean' : 'number';
      if (typeof current !== expected) {
        throw new QomError(
          `State field ${where} should hold a ${expected} for ${scalar.kind}, but holds ${describeData(current)}`,
        );
      }
      const problem = scalar.check(data);
      return problem === undefined ? undefined : `${where}: ${problem}`;
    },
    load: (data) => scalar.fromJson(data),
  };
}

type TypedArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array;

type TypedArrayConstructor<A extends TypedArray> = { readonly name: string } & (new (
  length: number,
) => A);

function typedArrayField<A extends TypedArray>(
  Ctor: TypedArrayConstructor<A>,
  element: ScalarKind<number>,
  length: number,
  options: FieldOptions,
): FieldSpec<A> {
  const kind = `${element.kind}[${length}]`;
  return {
    kind,
    since: options.since,
    save: (value) => Array.from(value, (item) => element.toJson(item)),
    validate(data, current, where) {
      if (!(current instanceof Ctor) || current.length !== length) {
        throw new QomError(
          `State field ${where} should hold a ${Ctor.name} of length ${length}, but holds ${describeData(current)}`,
        );
      }
      if (!Array.isArray(data) || data.length !== length) {
        return `${where}: expected ${kind}, got ${describeData(data)}`;
      }
      for (let i = 0; i < length; i++) {
        const problem = element.check(data[i]);
        if (problem !== undefined) {
          return `${where}[${i}]: ${problem}`;
        }
      }
      return undefined;
    },
    load(data, current) {
      const items = data as unknown[];
      for (let i = 0; i < length; i++) {
        current[i] = element.fromJson(items[i]);
      }
      return current;
    },
  };
}

/** A plain JS array of `length` elements, each described by `element`. */
function arrayField<E>(
  element: FieldSpec<E>,
  length: number,
  options: FieldOptions = {},
): FieldSpec<E[]> {
  const kind = `${element.kind}[${length}]`;
  return {
    kind,
    since: options.since,
    save: (value) => value.map((item) => element.save(item)),
    validate(data, current, where, version) {
      if (!Array.isArray(current) || current.length !== length) {
        throw new QomError(
          `State field ${where} should hold an array of length ${length}, but holds ${describeData(current)}`,
        );
      }
      if (!Array.isArray(data) || data.length !== length) {
        return `${where}: expected ${kind}, got ${describeData(data)}`;
      }
      for (let i = 0; i < length; i++) {
        const problem = element.validate(data[i], current[i], `${where}[${i}]`, version);
        if (problem !== undefined) {
          return problem;
        }
      }
      return undefined;
    },
    load(data, current, version) {
      const items = data as unknown[];
      for (let i = 0; i < length; i++) {
        current[i] = element.load(items[i], current[i] as E, version);
      }
      return current;
    },
  };
}

const scalar =
  <K extends keyof typeof SCALARS>(kind: K) =>
  (options: FieldOptions = {}) =>
    scalarField(SCALARS[kind] as ScalarKind<ReturnType<(typeof SCALARS)[K]['fromJson']>>, options);

const typed =
  <A extends TypedArray>(Ctor: TypedArrayConstructor<A>, element: ScalarKind<number>) =>
  (length: number, options: FieldOptions = {}) =>
    typedArrayField(Ctor, element, length, options);

/** Scalar and array field kinds; `vmstate.struct` is in state.ts. */
export const fieldKinds = {
  bool: scalar('bool'),
  uint8: scalar('uint8'),
  uint16: scalar('uint16'),
  uint32: scalar('uint32'),
  /** Checked to stay below 2^53. */
  uint64: scalar('uint64'),
  int8: scalar('int8'),
  int16: scalar('int16'),
  int32: scalar('int32'),
  /** Checked to stay within ±(2^53 - 1). */
  int64: scalar('int64'),
  float64: scalar('float64'),
  uint8Array: typed(Uint8Array, SCALARS.uint8),
  uint16Array: typed(Uint16Array, SCALARS.uint16),
  uint32Array: typed(Uint32Array, SCALARS.uint32),
  int8Array: typed(Int8Array, SCALARS.int8),
  int16Array: typed(Int16Array, SCALARS.int16),
  int32Array: typed(Int32Array, SCALARS.int32),
  float64Array: typed(Float64Array, float64Kind),
  /** A plain array of fixed length; elements may be scalars or structs. */
  array: arrayField,
} as const;
