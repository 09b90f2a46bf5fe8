/**
 * QomObject: the base of every QOM instance (QEMU's Object).
 *
 * An object has a class (shared per type), typed properties, and at most one
 * parent in the composition tree: the object that holds it in a `child<T>`
 * property. Paths like `/machine/unattached/device[0]` name objects by the
 * child properties leading to them from the root.
 *
 * Create objects with `registry.objectNew(type)`, never with `new`.
 */
import { err, ok, QomError, type Result } from '../errors.js';
import {
  childProperty,
  type ObjectProperty,
  PROP_VALUES,
  specProperty,
} from '../property/object-property.js';
import type { PropSpec, PropSpecs, PropValues } from '../property/spec.js';
import { ObjectClass, PROPS_OWNER } from './object-class.js';
import type { TypeRegistry } from './registry.js';
import { type TypeInfo, type TypeRef, typeRefName } from './type-info.js';

/** Marks the root container of a tree; only createRoot uses it. */
export const MARK_ROOT: unique symbol = Symbol('qom.markRoot');

/** How messages name an object: its path, or its type when it is not in a tree. */
export function describeObject(obj: QomObject): string {
  return obj.canonicalPath ?? `<unattached ${obj.typeName}>`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value instanceof QomObject) {
    return `object '${describeObject(value)}' of type '${value.typeName}'`;
  }
  if (typeof value === 'bigint') {
    return `${value}n`;
  }
  if (value === null || typeof value !== 'object') {
    return String(value);
  }
  return Object.prototype.toString.call(value);
}

export class QomObject<P extends PropSpecs = {}> {
  declare readonly objectClass: ObjectClass;
  /** Typed view of the class's properties: reads are plain, writes are checked (and throw). */
  readonly props: PropValues<P>;
  declare readonly [PROP_VALUES]: Record<string, unknown>;
  #instanceProperties = new Map<string, ObjectProperty>();
  #children = new Map<string, QomObject>();
  #parent: QomObject | undefined;
  #name: string | undefined;
  #isRoot = false;
  #finalized = false;

  constructor(klass: ObjectClass) {
    if (!(klass instanceof ObjectClass) || klass.instanceConstructor !== new.target) {
      throw new QomError(
        `Create QOM objects with registry.objectNew(type), not with new ${new.target.name}()`,
      );
    }
    Object.defineProperty(this, 'objectClass', { value: klass, enumerable: false });
    Object.defineProperty(this, PROP_VALUES, { value: Object.create(null), enumerable: false });
    const view = Object.defineProperties({}, klass.propsDescriptors());
    Object.defineProperty(view, PROPS_OWNER, { value: this, enumerable: false });
    // A typo such as `dev.props.irqq = 3` throws instead of adding a key.
    this.props = Object.preventExtensions(view) as PropValues<P>;
    for (const property of klass.properties()) {
      property.init?.(this);
    }
  }

  get typeName(): string {
    return this.objectClass.typeName;
  }

  get registry(): TypeRegistry {
    return this.objectClass.registry;
  }

  // ---- casting -------------------------------------------------------------

  /** Whether the object's type is `type`, derives from it, or implements it. */
  // biome-ignore lint/suspicious/noExplicitAny: only the instance type matters here.
  isA<T extends QomObject>(type: TypeInfo<T, any>): this is T;
  isA(type: string): boolean;
  isA(type: TypeRef): boolean {
    return this.objectClass.isA(typeRefName(type));
  }

  /** The object as `type`, or undefined if it is not one (QEMU's object_dynamic_cast). */
  dynamicCast<T extends QomObject>(type: TypeRef<T>): T | undefined {
    return this.objectClass.isA(typeRefName(type)) ? (this as unknown as T) : undefined;
  }

  /** The object as `type`; throws a QomError naming both types if it is not one. */
  cast<T extends QomObject>(type: TypeRef<T>): T {
    const target = typeRefName(type);
    if (!this.objectClass.isA(target)) {
      throw new QomError(
        `Object '${describeObject(this)}' of type '${this.typeName}' is not an instance of type '${target}'`,
      );
    }
    return this as unknown as T;
  }

  // ---- properties ----------------------------------------------------------

  /** A property of the class (looked up first) or of this instance. */
  findProperty(name: string): ObjectProperty | undefined {
    return this.objectClass.findProperty(name) ?? this.#instanceProperties.get(name);
  }

  /** Class properties (root type first), then instance properties in insertion order. */
  listProperties(): ObjectProperty[] {
    return [...this.objectClass.properties(), ...this.#instanceProperties.values()];
  }

  #lookup(name: string): Result<ObjectProperty> {
    const property = this.findProperty(name);
    if (property === undefined) {
      return err(`Property '${this.typeName}.${name}' not found`);
    }
    return ok(property);
  }

  getProperty(name: string): Result<unknown> {
    const found = this.#lookup(name);
    if (!found.ok) {
      return found;
    }
    const { get } = found.value;
    if (get === undefined) {
      return err(`Property '${this.typeName}.${name}' cannot be read`);
    }
    return ok(get(this));
  }

  /** The value as text (QEMU's object_property_print). */
  getPropertyAsString(name: string): Result<string> {
    const value = this.getProperty(name);
    if (!value.ok) {
      return value;
    }
    const property = this.findProperty(name) as ObjectProperty;
    return ok(property.format ? property.format(this, value.value) : String(value.value));
  }

  /** Set a typed value; the property's checks apply (range, enum, link type, frozen). */
  setProperty(name: string, value: unknown): Result<void> {
    const found = this.#writable(name);
    if (!found.ok) {
      return found;
    }
    const property = found.value;
    const set = property.set as NonNullable<ObjectProperty['set']>;
    const stored = set(this, value);
    if (!stored.ok) {
      return err(
        `Property '${this.typeName}.${name}' does not accept value ${describeValue(value)}: ${stored.error}`,
      );
    }
    return ok();
  }

  /** Set from command-line text, as `-device foo,prop=TEXT` does (QEMU's object_property_parse). */
  setPropertyFromString(name: string, text: string): Result<void> {
    const found = this.#writable(name);
    if (!found.ok) {
      return found;
    }
    const property = found.value;
    if (property.parse === undefined) {
      return err(`Property '${this.typeName}.${name}' cannot be set from text`);
    }
    const parsed = property.parse(this, text);
    const stored = parsed.ok
      ? (property.set as NonNullable<ObjectProperty['set']>)(this, parsed.value)
      : parsed;
    if (!stored.ok) {
      return err(
        `Property '${this.typeName}.${name}' does not accept value '${text}': ${stored.error}`,
      );
    }
    return ok();
  }

  #writable(name: string): Result<ObjectProperty> {
    if (this.#finalized) {
      return err(`Object of type '${this.typeName}' has been finalized`);
    }
    const found = this.#lookup(name);
    if (!found.ok) {
      return found;
    }
    if (found.value.set === undefined) {
      return err(`Property '${this.typeName}.${name}' cannot be set`);
    }
    const refusal = this.checkPropertyWritable(found.value);
    return refusal === undefined ? found : err(refusal);
  }

  /**
   * Why a property may not be written now, or undefined if it may.
   * Devices refuse qdev properties once realized.
   */
  protected checkPropertyWritable(_property: ObjectProperty): string | undefined {
    return undefined;
  }

  /** Add a typed property to this instance only (QEMU's object_property_add). */
  addProperty<T>(name: string, spec: PropSpec<T>): void {
    const property = specProperty(name, spec as PropSpec<unknown>);
    this.addObjectProperty(property);
    property.init?.(this);
  }

  /** Add a property of any kind to this instance. */
  addObjectProperty(property: ObjectProperty): void {
    if (this.findProperty(property.name) !== undefined) {
      throw new QomError(
        `Attempt to add duplicate property '${property.name}' to object of type '${this.typeName}'`,
      );
    }
    this.#instanceProperties.set(property.name, property);
  }

  /** Remove an instance property; removing a child property destroys the child. */
  removeProperty(name: string): void {
    const property = this.#instanceProperties.get(name);
    if (property === undefined) {
      throw new QomError(`Property '${this.typeName}.${name}' not found among instance properties`);
    }
    const child = this.#children.get(name);
    if (child !== undefined) {
      child.unparent();
      return;
    }
    this.#instanceProperties.delete(name);
  }

  // ---- composition tree ----------------------------------------------------

  get parent(): QomObject | undefined {
    return this.#parent;
  }

  /** The name of the child property holding this object in its parent. */
  get canonicalPathComponent(): string | undefined {
    return this.#name;
  }

  /** `/machine/i440fx`; `/` for a root; undefined if the object is not in a rooted tree. */
  get canonicalPath(): string | undefined {
    const names: string[] = [];
    let node: QomObject = this;
    while (node.#parent !== undefined) {
      names.push(node.#name as string);
      node = node.#parent;
    }
    if (!node.#isRoot) {
      return undefined;
    }
    return `/${names.reverse().join('/')}`;
  }

  get isRoot(): boolean {
    return this.#isRoot;
  }

  get finalized(): boolean {
    return this.#finalized;
  }

  /** @internal */
  [MARK_ROOT](): void {
    this.#isRoot = true;
  }

  /**
   * Make `child` a child of this object under `name` (QEMU's
   * object_property_add_child). A name ending in `[*]` takes the first free
   * index: `device[*]` becomes `device[0]`, `device[1]`... Returns the name used.
   */
  addChild(name: string, child: QomObject): string {
    if (name.includes('/')) {
      throw new QomError(`Child name '${name}' must not contain '/'`);
    }
    if (child.#parent !== undefined) {
      throw new QomError(
        `Object '${describeObject(child)}' of type '${child.typeName}' already has a parent`,
      );
    }
    if (child.#finalized || this.#finalized) {
      throw new QomError(`Cannot add child '${name}': an object involved has been finalized`);
    }
    for (let node: QomObject | undefined = this; node; node = node.#parent) {
      if (node === child) {
        throw new QomError(`Cannot make '${describeObject(child)}' a child of its own descendant`);
      }
    }
    const finalName = name.endsWith('[*]') ? this.#firstFreeName(name.slice(0, -3)) : name;
    this.addObjectProperty(childProperty(finalName, child));
    this.#children.set(finalName, child);
    child.#parent = this;
    child.#name = finalName;
    return finalName;
  }

  #firstFreeName(base: string): string {
    for (let index = 0; ; index++) {
      const candidate = `${base}[${index}]`;
      if (this.findProperty(candidate) === undefined) {
        return candidate;
      }
    }
  }

  /** Create an object of `type` as a child of this one (QEMU's object_initialize_child). */
  newChild<T extends QomObject>(name: string, type: TypeRef<T>): T {
    const child = this.registry.objectNew(type as TypeInfo<T>);
    this.addChild(name, child);
    return child;
  }

  /** The child object under `name`, if any. */
  getChild(name: string): QomObject | undefined {
    return this.#children.get(name);
  }

  /** Children in the order they were added. */
  childObjects(): QomObject[] {
    return [...this.#children.values()];
  }

  /** Where path component `name` leads from here: a child or a link target. */
  resolvePathComponent(name: string): QomObject | undefined {
    return this.findProperty(name)?.resolve?.(this);
  }

  /**
   * Take the object out of the tree and finalize it (QEMU's object_unparent):
   * its children are unparented first (last added first), then the
   * instanceFinalize hooks run from its own type up to `object`.
   */
  unparent(): void {
    if (this.#finalized) {
      return;
    }
    this.beforeUnparent();
    const parent = this.#parent;
    if (parent !== undefined) {
      const name = this.#name as string;
      parent.#children.delete(name);
      parent.#instanceProperties.delete(name);
      this.#parent = undefined;
    }
    for (const child of [...this.#children.values()].reverse()) {
      child.unparent();
    }
    this.#instanceProperties.clear();
    this.#finalized = true;
    for (const klass of this.objectClass.lineage().reverse()) {
      klass.info.instanceFinalize?.(this);
    }
  }

  /** Runs first in unparent (QEMU's ObjectClass.unparent): devices unrealize here. */
  protected beforeUnparent(): void {}
}
