/**
 * ObjectClass: the one object per type that holds what all its instances
 * share (QEMU's ObjectClass). A subtype's class starts as a copy of its
 * parent's class (QEMU memcpy's the parent class), then classInit adjusts it.
 *
 * Behaviour that QEMU keeps as function pointers in class structs (realize,
 * reset...) is, in TypeScript, overridable methods of the instance's JS class;
 * class objects keep per-type data (description, bus type, properties, state
 * description) and interface implementations.
 */
import { QomError, unwrap } from '../errors.js';
import {
  type HasPropValues,
  type ObjectProperty,
  PROP_VALUES,
  specProperty,
} from '../property/object-property.js';
import type { PropSpec } from '../property/spec.js';
import type { QomObject } from './object.js';
import type { TypeRegistry } from './registry.js';
import type { InstanceConstructor, TypeInfo } from './type-info.js';

/** What the registry hands to a new class object. */
export interface ClassSetup {
  readonly typeName: string;
  readonly parentClass: ObjectClass | undefined;
  readonly registry: TypeRegistry;
  readonly abstract: boolean;
  readonly info: TypeInfo;
  readonly instanceConstructor: InstanceConstructor;
}

/** Class-level bookkeeping lives in non-enumerable slots so subtype copies skip it. */
function defineHidden(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

/** Copy a parent class's fields into a subtype's class (QEMU's memcpy of the class). */
export function copyClassFields(target: ObjectClass, source: ObjectClass): void {
  const from = source as unknown as Record<string, unknown>;
  const to = target as unknown as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (Array.isArray(value)) {
      to[key] = [...value];
    } else if (value instanceof Map) {
      to[key] = new Map(value);
    } else if (value instanceof Set) {
      to[key] = new Set(value);
    } else {
      to[key] = value;
    }
  }
}

export class ObjectClass {
  declare readonly typeName: string;
  declare readonly parentClass: ObjectClass | undefined;
  declare readonly registry: TypeRegistry;
  declare readonly abstract: boolean;
  /** The TypeInfo this class was made from. */
  declare readonly info: TypeInfo;
  /** JS class the registry instantiates for this type. */
  declare readonly instanceConstructor: InstanceConstructor;
  /** Interfaces implemented, by interface type name (own and inherited). */
  declare readonly interfaces: ReadonlyMap<string, InterfaceClass>;
  declare private readonly ownProperties: Map<string, ObjectProperty>;
  declare private readonly ancestry: Set<string>;
  declare private propsViewDescriptors: PropertyDescriptorMap | undefined;

  constructor(setup: ClassSetup) {
    defineHidden(this, 'typeName', setup.typeName);
    defineHidden(this, 'parentClass', setup.parentClass);
    defineHidden(this, 'registry', setup.registry);
    defineHidden(this, 'abstract', setup.abstract);
    defineHidden(this, 'info', setup.info);
    defineHidden(this, 'instanceConstructor', setup.instanceConstructor);
    defineHidden(this, 'interfaces', new Map<string, InterfaceClass>());
    defineHidden(this, 'ownProperties', new Map<string, ObjectProperty>());
    const ancestry = new Set<string>(setup.parentClass?.ancestry ?? []);
    ancestry.add(setup.typeName);
    defineHidden(this, 'ancestry', ancestry);
    defineHidden(this, 'propsViewDescriptors', undefined);
  }

  /** Whether this class is `typeName`, a subtype of it, or implements it (an interface). */
  isA(typeName: string): boolean {
    return this.ancestry.has(typeName);
  }

  /** Classes from the root `object` down to this one. */
  lineage(): ObjectClass[] {
    const chain: ObjectClass[] = [];
    for (let klass: ObjectClass | undefined = this; klass; klass = klass.parentClass) {
      chain.push(klass);
    }
    return chain.reverse();
  }

  /**
   * This type's implementation of an interface (QEMU's cast of a class to an
   * interface class); classInit fills in its methods. Throws if not implemented.
   */
  getInterface<T extends InterfaceClass = InterfaceClass>(interfaceName: string): T {
    const exact = this.interfaces.get(interfaceName);
    if (exact !== undefined) {
      return exact as T;
    }
    for (const iface of this.interfaces.values()) {
      if (iface.isA(interfaceName)) {
        return iface as T;
      }
    }
    throw new QomError(`Type '${this.typeName}' does not implement interface '${interfaceName}'`);
  }

  /**
   * Add a typed class property (QEMU's object_class_property_add / qdev
   * props). Call it from classInit. On devices such a property is frozen once
   * the device is realized, unless `frozenAfterRealize: false`.
   */
  addProperty<T>(
    name: string,
    spec: PropSpec<T>,
    options: { frozenAfterRealize?: boolean } = {},
  ): void {
    const frozenAfterRealize = options.frozenAfterRealize ?? true;
    this.addObjectProperty(specProperty(name, spec as PropSpec<unknown>, { frozenAfterRealize }));
  }

  /** Add a property of any kind to every instance of this type. */
  addObjectProperty(property: ObjectProperty): void {
    if (this.findProperty(property.name) !== undefined) {
      throw new QomError(
        `Attempt to add duplicate property '${property.name}' to class '${this.typeName}'`,
      );
    }
    this.ownProperties.set(property.name, property);
    this.propsViewDescriptors = undefined;
  }

  /** A class property of this type or an ancestor. */
  findProperty(name: string): ObjectProperty | undefined {
    for (let klass: ObjectClass | undefined = this; klass; klass = klass.parentClass) {
      const found = klass.ownProperties.get(name);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  }

  /** All class properties, the root type's first. */
  properties(): ObjectProperty[] {
    return this.lineage().flatMap((klass) => [...klass.ownProperties.values()]);
  }

  /**
   * Accessors of `obj.props` views: one per typed class property. They are
   * defined on each view (not its prototype) so that spreading or printing
   * `obj.props` shows the values.
   * @internal
   */
  propsDescriptors(): PropertyDescriptorMap {
    if (this.propsViewDescriptors === undefined) {
      const descriptors: PropertyDescriptorMap = {};
      for (const property of this.properties()) {
        if (property.spec !== undefined) {
          descriptors[property.name] = propsAccessor(property.name);
        }
      }
      this.propsViewDescriptors = descriptors;
    }
    return this.propsViewDescriptors;
  }

  /** @internal Used by the registry while building the class. */
  setInterface(name: string, iface: InterfaceClass): void {
    (this.interfaces as Map<string, InterfaceClass>).set(name, iface);
    for (const ancestor of iface.ancestry) {
      this.ancestry.add(ancestor);
    }
  }
}

/** Key under which a props view keeps its owner object. */
export const PROPS_OWNER: unique symbol = Symbol('qom.propsOwner');

interface PropsView {
  readonly [PROPS_OWNER]: QomObject;
}

/** `obj.props.name`: reads the stored value; writes go through setProperty's checks. */
function propsAccessor(name: string): PropertyDescriptor {
  return {
    enumerable: true,
    get(this: PropsView) {
      return (this[PROPS_OWNER] as unknown as HasPropValues)[PROP_VALUES][name];
    },
    set(this: PropsView, value: unknown) {
      unwrap(this[PROPS_OWNER].setProperty(name, value));
    },
  };
}

/**
 * The class of an interface type, and of each type's implementation of an
 * interface (QEMU's InterfaceClass). Interface types declare their methods as
 * fields of a subclass of InterfaceClass; implementing types fill them in.
 */
export class InterfaceClass extends ObjectClass {
  /** For an implementation: the class of the implementing type. */
  declare readonly concreteClass: ObjectClass | undefined;

  /** @internal */
  static implementation(interfaceClass: InterfaceClass, concrete: ObjectClass): InterfaceClass {
    const Ctor = interfaceClass.constructor as new (setup: ClassSetup) => InterfaceClass;
    const impl = new Ctor({
      typeName: interfaceClass.typeName,
      parentClass: interfaceClass.parentClass,
      registry: interfaceClass.registry,
      abstract: true,
      info: interfaceClass.info,
      instanceConstructor: interfaceClass.instanceConstructor,
    });
    copyClassFields(impl, interfaceClass);
    defineHidden(impl, 'concreteClass', concrete);
    return impl;
  }
}
