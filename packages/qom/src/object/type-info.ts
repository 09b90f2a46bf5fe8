import type { PropSpecs } from '../property/spec.js';
import type { QomObject } from './object.js';
import type { ObjectClass } from './object-class.js';

/** The JS class whose instances a type creates. `abstract` so abstract TS classes fit. */
// `never[]` parameters accept any constructor signature.
export type InstanceConstructor<I extends QomObject = QomObject> = abstract new (
  ...args: never[]
) => I;

/** The JS class of a type's class object (QEMU's class_size, as a class). */
export type ClassConstructor<C extends ObjectClass = ObjectClass> = new (...args: never[]) => C;

/**
 * A type description, QEMU's TypeInfo.
 *
 * Hooks are written as methods so that a `TypeInfo<Uart>` is still a
 * `TypeInfo` (method parameters are checked bivariantly).
 *
 * Order guarantees (as in QEMU):
 * - `classBaseInit` of every ancestor (nearest first), then `classInit`; a
 *   parent's class is fully initialized before its children's.
 * - Instance creation: the JS constructors run (field initializers), then
 *   `instanceInit` of every type from the root `object` down to this type, then
 *   `instancePostInit` in the same parent-first order.
 * - Finalization: `instanceFinalize` from this type up to the root (child first),
 *   after the object's children were finalized.
 */
export interface TypeInfo<I extends QomObject = QomObject, C extends ObjectClass = ObjectClass> {
  /** Unique type name, e.g. `isa-serial`. */
  readonly name: string;
  /** Parent type name; only the roots `object` and `interface` have none. */
  readonly parent?: string;
  /** Abstract types are only for inheriting: objectNew refuses them. */
  readonly abstract?: boolean;
  /** JS class of instances; inherits the parent's when omitted. Must extend the parent's. */
  readonly instance?: InstanceConstructor<I>;
  /** JS class of the class object; inherits the parent's when omitted. Must extend the parent's. */
  readonly classType?: ClassConstructor<C>;
  /** Typed class properties (QEMU's qdev Property array), added before classInit. */
  readonly props?: PropSpecs;
  /** Names of interface types this type implements. */
  readonly interfaces?: readonly string[];
  /** Opaque value handed to classInit and the ancestors' classBaseInit. */
  readonly classData?: unknown;
  classInit?(klass: C, classData: unknown): void;
  /** Runs on the class of every descendant type, before that type's classInit. */
  classBaseInit?(klass: ObjectClass, classData: unknown): void;
  instanceInit?(obj: I): void;
  instancePostInit?(obj: I): void;
  instanceFinalize?(obj: I): void;
}

/** Types can be named by string or by their TypeInfo (which also carries the TS type). */
// biome-ignore lint/suspicious/noExplicitAny: the class type parameter is irrelevant for naming.
export type TypeRef<I extends QomObject = QomObject> = string | TypeInfo<I, any>;

export function typeRefName(type: TypeRef): string {
  return typeof type === 'string' ? type : type.name;
}
