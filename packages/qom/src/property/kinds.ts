/**
 * The property kinds of QEMU's qdev: bool, signed and unsigned integers with
 * ranges, size, string, enum (and link, in link.ts).
 *
 * 64-bit integers are JS numbers, checked to stay within 2^53 (DESIGN.md: 64-bit
 * values are numbers under 2^53 outside the JIT). A value beyond that is
 * refused with a clear reason rather than silently rounded.
 */
import { fail, ok, QomError, type Result } from '../errors.js';
import { parseCInteger, parseSize } from './int-parse.js';
import { linkProp } from './link.js';
import type { PropOptions, PropSpec } from './spec.js';

const BOOL_TRUE = new Set(['on', 'yes', 'true', 'y']);
const BOOL_FALSE = new Set(['off', 'no', 'false', 'n']);

function boolProp(options: PropOptions<boolean> = {}): PropSpec<boolean> {
  const reason = "expected 'on' or 'off' (bool)";
  return {
    typeName: 'bool',
    description: options.description,
    defaultValue: options.default ?? false,
    hasDefault: options.default !== undefined,
    isLink: false,
    parse(text) {
      if (BOOL_TRUE.has(text)) {
        return ok(true);
      }
      if (BOOL_FALSE.has(text)) {
        return ok(false);
      }
      return fail(reason);
    },
    check(value) {
      return typeof value === 'boolean' ? ok(value) : fail(reason);
    },
    format: (value) => (value ? 'true' : 'false'),
    toJson: (value) => value,
  };
}

/** Options of integer kinds: an optional narrower range within the C type's. */
export interface IntOptions extends PropOptions<number> {
  readonly min?: number;
  readonly max?: number;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function integerProp(
  typeName: string,
  typeMin: bigint,
  typeMax: bigint,
  options: IntOptions,
  parseText: (text: string) => bigint | undefined,
  describe: (min: bigint, max: bigint) => string,
): PropSpec<number> {
  const min = options.min === undefined ? typeMin : BigInt(options.min);
  const max = options.max === undefined ? typeMax : BigInt(options.max);
  if (min > max || min < typeMin || max > typeMax) {
    throw new QomError(
      `${typeName} property range ${min}..${max} is not within ${typeMin}..${typeMax}`,
    );
  }
  const reason = describe(min, max);
  const inRange = (n: bigint): Result<number, string> =>
    n >= min && n <= max ? ok(Number(n)) : fail(reason);
  const checkValue = (value: unknown): Result<number, string> =>
    typeof value === 'number' && Number.isInteger(value) ? inRange(BigInt(value)) : fail(reason);
  if (options.default !== undefined && !checkValue(options.default).ok) {
    throw new QomError(`default ${options.default} of a ${typeName} property: ${reason}`);
  }
  return {
    typeName,
    description: options.description,
    defaultValue: options.default ?? Number(min > 0n ? min : max < 0n ? max : 0n),
    hasDefault: options.default !== undefined,
    isLink: false,
    parse(text) {
      const n = parseText(text);
      return n === undefined ? fail(reason) : inRange(n);
    },
    check: checkValue,
    format: (value) => String(value),
    toJson: (value) => value,
  };
}

function integerKind(typeName: string, typeMin: bigint, typeMax: bigint) {
  return (options: IntOptions = {}): PropSpec<number> =>
    integerProp(
      typeName,
      typeMin,
      typeMax,
      options,
      parseCInteger,
      (min, max) => `expected an integer from ${min} to ${max} (${typeName})`,
    );
}

function sizeProp(options: IntOptions = {}): PropSpec<number> {
  return integerProp(
    'size',
    0n,
    MAX_SAFE,
    options,
    parseSize,
    (min, max) =>
      `expected a size in bytes from ${min} to ${max}, such as 4096, 0x1000 or 64M (size)`,
  );
}

function stringProp(options: PropOptions<string> = {}): PropSpec<string> {
  return {
    typeName: 'str',
    description: options.description,
    defaultValue: options.default ?? '',
    hasDefault: options.default !== undefined,
    isLink: false,
    parse: (text) => ok(text),
    check: (value) => (typeof value === 'string' ? ok(value) : fail('expected a string (str)')),
    format: (value) => value,
    toJson: (value) => value,
  };
}

export interface EnumOptions<V extends string> extends PropOptions<V> {
  /** The QAPI enum's name shown in help, e.g. `OnOffAuto`; `enum` when omitted. */
  readonly typeName?: string;
}

function enumProp<const V extends readonly [string, ...string[]]>(
  values: V,
  options: EnumOptions<V[number]> = {},
): PropSpec<V[number]> {
  const typeName = options.typeName ?? 'enum';
  const allowed = new Set<string>(values);
  const reason = `expected one of ${values.map((v) => `'${v}'`).join(', ')} (${typeName})`;
  const accept = (value: unknown): Result<V[number], string> =>
    typeof value === 'string' && allowed.has(value) ? ok(value as V[number]) : fail(reason);
  if (options.default !== undefined && !allowed.has(options.default)) {
    throw new QomError(`default '${options.default}' of ${typeName}: ${reason}`);
  }
  return {
    typeName,
    description: options.description,
    defaultValue: options.default ?? values[0],
    hasDefault: options.default !== undefined,
    isLink: false,
    parse: accept,
    check: accept,
    format: (value) => value,
    toJson: (value) => value,
  };
}

/**
 * Property kinds. Each call returns a {@link PropSpec} for a `props` record:
 *
 * ```ts
 * const props = {
 *   iobase: prop.uint16({ default: 0x3f8, description: 'I/O base port' }),
 *   irq: prop.uint32({ default: 4, max: 15 }),
 *   wakeup: prop.bool(),
 *   policy: prop.enum(['discard', 'delay', 'slew'], { default: 'delay', typeName: 'LostTickPolicy' }),
 *   bus: prop.link('isa-bus'),
 * };
 * ```
 */
export const prop = {
  bool: boolProp,
  int8: integerKind('int8', -(1n << 7n), (1n << 7n) - 1n),
  int16: integerKind('int16', -(1n << 15n), (1n << 15n) - 1n),
  int32: integerKind('int32', -(1n << 31n), (1n << 31n) - 1n),
  /** Checked to stay within ±(2^53 - 1). */
  int64: integerKind('int64', -MAX_SAFE, MAX_SAFE),
  uint8: integerKind('uint8', 0n, (1n << 8n) - 1n),
  uint16: integerKind('uint16', 0n, (1n << 16n) - 1n),
  uint32: integerKind('uint32', 0n, (1n << 32n) - 1n),
  /** Checked to stay within 0..2^53 - 1. */
  uint64: integerKind('uint64', 0n, MAX_SAFE),
  /** A byte count; text may use K/M/G/T/P/E suffixes (powers of 1024). */
  size: sizeProp,
  string: stringProp,
  enum: enumProp,
  link: linkProp,
} as const;
