/**
 * ObjectProperty: one named property of an object or class (QEMU's
 * ObjectProperty). Kinds of properties:
 * - value properties built from a {@link PropSpec} (stored on the object),
 * - `child<T>` properties, which own another object (the composition tree),
 * - `link<T>` properties, which point at another object,
 * - accessor properties with hand-written get/set (e.g. `realized`).
 */
import { ok, type Result } from '../errors.js';
import type { QomObject } from '../object/object.js';
import type { PropSpec } from './spec.js';

export type PropertyRole = 'value' | 'child' | 'link';

export interface ObjectProperty {
  readonly name: string;
  /** `uint32`, `str`, `child<isa-serial>`, `link<isa-bus>`... */
  readonly type: string;
  readonly description: string | undefined;
  readonly role: PropertyRole;
  /** The spec of a stored, typed value property; these appear in `obj.props`. */
  readonly spec: PropSpec<unknown> | undefined;
  /** Hidden from `-device NAME,help` (QEMU hides `type`, `realized`, ...). */
  readonly internal: boolean;
  /** A qdev property: a device refuses to change it once realized. */
  readonly frozenAfterRealize: boolean;
  get?(obj: QomObject): unknown;
  /** Store an already typed value; failures are a short reason. */
  set?(obj: QomObject, value: unknown): Result<void, string>;
  /** Convert command-line text into a value for `set`. */
  parse?(obj: QomObject, text: string): Result<unknown, string>;
  format?(obj: QomObject, value: unknown): string;
  /** For child and link properties: the object the path component leads to. */
  resolve?(obj: QomObject): QomObject | undefined;
  /** Put the initial value on a new instance. */
  init?(obj: QomObject): void;
}

/** Where typed property values live on an object. */
export const PROP_VALUES: unique symbol = Symbol('qom.propValues');

export interface HasPropValues {
  readonly [PROP_VALUES]: Record<string, unknown>;
}

function valuesOf(obj: QomObject): Record<string, unknown> {
  return (obj as unknown as HasPropValues)[PROP_VALUES];
}

export interface SpecPropertyOptions {
  readonly frozenAfterRealize?: boolean;
  readonly internal?: boolean;
}

/** A stored value property described by a spec (`prop.uint32(...)`). */
export function specProperty(
  name: string,
  spec: PropSpec<unknown>,
  options: SpecPropertyOptions = {},
): ObjectProperty {
  return {
    name,
    type: spec.typeName,
    description: spec.description,
    role: spec.isLink ? 'link' : 'value',
    spec,
    internal: options.internal ?? false,
    frozenAfterRealize: options.frozenAfterRealize ?? false,
    get: (obj) => valuesOf(obj)[name],
    set(obj, value) {
      const checked = spec.check(value, obj);
      if (!checked.ok) {
        return checked;
      }
      valuesOf(obj)[name] = checked.value;
      return ok();
    },
    parse: (obj, text) => spec.parse(text, obj),
    format: (_obj, value) => spec.format(value),
    resolve: spec.isLink ? (obj) => valuesOf(obj)[name] as QomObject | undefined : undefined,
    init(obj) {
      valuesOf(obj)[name] = spec.defaultValue;
    },
  };
}

/** The `child<T>` property through which a parent owns `child`. */
export function childProperty(name: string, child: QomObject): ObjectProperty {
  return {
    name,
    type: `child<${child.typeName}>`,
    description: undefined,
    role: 'child',
    spec: undefined,
    internal: false,
    frozenAfterRealize: false,
    get: () => child,
    format: () => child.canonicalPath ?? '',
    resolve: () => child,
  };
}

export interface AccessorPropertyOptions<T> {
  readonly type: string;
  readonly description?: string;
  readonly internal?: boolean;
  get(obj: QomObject): T;
  set?(obj: QomObject, value: T): Result<void, string>;
  /** Text form for set-from-string; without it the property cannot be set from text. */
  parse?(obj: QomObject, text: string): Result<T, string>;
  format?(value: T): string;
}

/** A property computed by functions (QEMU's object_property_add with get/set). */
export function accessorProperty<T>(
  name: string,
  options: AccessorPropertyOptions<T>,
): ObjectProperty {
  const { set, parse, format } = options;
  return {
    name,
    type: options.type,
    description: options.description,
    role: 'value',
    spec: undefined,
    internal: options.internal ?? false,
    frozenAfterRealize: false,
    get: (obj) => options.get(obj),
    set: set === undefined ? undefined : (obj, value) => set(obj, value as T),
    parse: parse === undefined ? undefined : (obj, text) => parse(obj, text),
    format: (_obj, value) => (format === undefined ? String(value) : format(value as T)),
  };
}

export interface FixedLinkOptions {
  readonly type: string;
  readonly description?: string;
  readonly internal?: boolean;
  get(obj: QomObject): QomObject | undefined;
}

/** A read-only `link<T>` computed by a function (a bus's `child[N]`, a device's `parent_bus`). */
export function readOnlyLinkProperty(name: string, options: FixedLinkOptions): ObjectProperty {
  return {
    name,
    type: options.type,
    description: options.description,
    role: 'link',
    spec: undefined,
    internal: options.internal ?? false,
    frozenAfterRealize: false,
    get: (obj) => options.get(obj),
    format: (_obj, value) => (value as QomObject | undefined)?.canonicalPath ?? '',
    resolve: (obj) => options.get(obj),
  };
}
