/**
 * TypeRegistry: the table of QOM types (QEMU's type_table), and the factory
 * of objects. Types may be registered in any order; a type's class is built on
 * first use, parents first, and a missing parent or interface is reported then
 * (or by `validate()`, which builds every class).
 *
 * Each registry is independent, so tests and side-by-side machines can own
 * theirs; `defaultTypeRegistry()` is the process-wide one.
 */
import { catchQomError, QomError, type Result } from '../errors.js';
import { registerCoreTypes } from './core-types.js';
import { QomObject } from './object.js';
import { type ClassSetup, copyClassFields, InterfaceClass, ObjectClass } from './object-class.js';
import {
  type ClassConstructor,
  type InstanceConstructor,
  type TypeInfo,
  type TypeRef,
  typeRefName,
} from './type-info.js';
import { TYPE_INTERFACE, TYPE_OBJECT } from './type-names.js';

interface TypeEntry {
  readonly info: TypeInfo;
  klass: ObjectClass | undefined;
  building: boolean;
}

export interface TypeRegistryOptions {
  /** Register qom's own types (object, interface, container, device, bus, machine, split-irq). Default true. */
  readonly coreTypes?: boolean;
}

export interface ListClassesOptions {
  /** Include abstract types (default false). */
  readonly includeAbstract?: boolean;
}

function extendsOrIs(
  child: abstract new (...args: never[]) => unknown,
  parent: abstract new (...args: never[]) => unknown,
): boolean {
  return child === parent || child.prototype instanceof parent;
}

export class TypeRegistry {
  readonly #types = new Map<string, TypeEntry>();

  constructor(options: TypeRegistryOptions = {}) {
    if (options.coreTypes !== false) {
      registerCoreTypes(this);
    }
  }

  /** Register a type. Throws if the name is taken or the description is malformed. */
  // biome-ignore lint/suspicious/noExplicitAny: any instance and class type may be registered.
  register(info: TypeInfo<any, any>): void {
    if (typeof info.name !== 'string' || info.name === '') {
      throw new QomError('A TypeInfo needs a non-empty name');
    }
    if (this.#types.has(info.name)) {
      throw new QomError(`Type '${info.name}' is already registered`);
    }
    if (info.parent === undefined && info.name !== TYPE_OBJECT && info.name !== TYPE_INTERFACE) {
      throw new QomError(
        `Type '${info.name}' has no parent type (only '${TYPE_OBJECT}' and '${TYPE_INTERFACE}' are roots)`,
      );
    }
    this.#types.set(info.name, { info, klass: undefined, building: false });
  }

  // biome-ignore lint/suspicious/noExplicitAny: see register.
  registerAll(infos: Iterable<TypeInfo<any, any>>): void {
    for (const info of infos) {
      this.register(info);
    }
  }

  has(name: string): boolean {
    return this.#types.has(name);
  }

  typeInfo(name: string): TypeInfo | undefined {
    return this.#types.get(name)?.info;
  }

  /** Names of all registered types, sorted. */
  typeNames(): string[] {
    return [...this.#types.keys()].sort();
  }

  /** The class of a registered type, built if needed. Throws for unknown or broken types. */
  getClass<C extends ObjectClass = ObjectClass>(type: TypeRef): C {
    const name = typeRefName(type);
    const entry = this.#types.get(name);
    if (entry === undefined) {
      throw new QomError(`Unknown type '${name}'`);
    }
    if (typeof type !== 'string' && entry.info !== type) {
      throw new QomError(`Type '${name}' is registered with a different TypeInfo object`);
    }
    return this.#buildClass(entry) as C;
  }

  /** The class of `name`, or undefined if no such type (QEMU's object_class_by_name). */
  findClass(name: string): ObjectClass | undefined {
    const entry = this.#types.get(name);
    return entry === undefined ? undefined : this.#buildClass(entry);
  }

  /** Whether type `name` is `ancestor`, derives from it or implements it. */
  isSubtype(name: string, ancestor: string): boolean {
    return this.findClass(name)?.isA(ancestor) ?? false;
  }

  /** Build every class; throws the first dangling parent or interface found. */
  validate(): void {
    for (const entry of this.#types.values()) {
      this.#buildClass(entry);
    }
  }

  /**
   * Classes of the types that are (or derive from, or implement) `ofType`,
   * sorted by name as `-device help` lists them (QEMU's object_class_get_list_sorted).
   */
  listClasses<C extends ObjectClass = ObjectClass>(
    ofType: string,
    options: ListClassesOptions = {},
  ): C[] {
    const found: C[] = [];
    for (const entry of this.#types.values()) {
      const klass = this.#buildClass(entry);
      if (klass.isA(ofType) && (options.includeAbstract || !klass.abstract)) {
        found.push(klass as C);
      }
    }
    return found.sort((a, b) => compareNamesIgnoringCase(a.typeName, b.typeName));
  }

  /** A new object of `type`. Throws for unknown or abstract types (a host-side mistake). */
  // biome-ignore lint/suspicious/noExplicitAny: only the instance type matters here.
  objectNew<I extends QomObject>(type: TypeInfo<I, any>): I;
  objectNew(type: string): QomObject;
  objectNew(type: TypeRef): QomObject {
    const klass = this.getClass(type);
    if (klass.abstract) {
      throw new QomError(`Type '${klass.typeName}' is abstract and cannot be instantiated`);
    }
    const Instance = klass.instanceConstructor as unknown as new (k: ObjectClass) => QomObject;
    const obj = new Instance(klass);
    const lineage = klass.lineage();
    for (const level of lineage) {
      level.info.instanceInit?.(obj);
    }
    for (const level of lineage) {
      level.info.instancePostInit?.(obj);
    }
    return obj;
  }

  /** objectNew for a type name that came from a user: failures are values. */
  tryObjectNew(name: string): Result<QomObject> {
    if (!this.#types.has(name)) {
      return { ok: false, error: new QomError(`Unknown type '${name}'`) };
    }
    return catchQomError(() => this.objectNew(name));
  }

  #buildClass(entry: TypeEntry): ObjectClass {
    if (entry.klass !== undefined) {
      return entry.klass;
    }
    const { info } = entry;
    if (entry.building) {
      throw new QomError(`Type '${info.name}' is its own ancestor`);
    }
    entry.building = true;
    try {
      entry.klass = this.#createClass(info);
      return entry.klass;
    } finally {
      entry.building = false;
    }
  }

  #createClass(info: TypeInfo): ObjectClass {
    let parentClass: ObjectClass | undefined;
    if (info.parent !== undefined) {
      const parentEntry = this.#types.get(info.parent);
      if (parentEntry === undefined) {
        throw new QomError(`Type '${info.name}' has unknown parent type '${info.parent}'`);
      }
      parentClass = this.#buildClass(parentEntry);
    }
    // Interface-ness comes from the parent chain only: implementing an
    // interface makes a type is-a that interface, not an interface type.
    const isInterface =
      info.name === TYPE_INTERFACE ||
      (parentClass?.lineage().some((ancestor) => ancestor.typeName === TYPE_INTERFACE) ?? false);
    const ClassType = this.#classType(info, parentClass, isInterface);
    const setup: ClassSetup = {
      typeName: info.name,
      parentClass,
      registry: this,
      abstract: isInterface || (info.abstract ?? false),
      info,
      instanceConstructor: this.#instanceType(info, parentClass),
    };
    // Class objects all take a ClassSetup (ObjectClass's constructor).
    const klass = new (ClassType as new (setup: ClassSetup) => ObjectClass)(setup);
    if (parentClass !== undefined) {
      copyClassFields(klass, parentClass);
      for (const [name, iface] of parentClass.interfaces) {
        klass.setInterface(name, InterfaceClass.implementation(iface, klass));
      }
    }
    for (const ifaceName of info.interfaces ?? []) {
      if (!klass.interfaces.has(ifaceName)) {
        klass.setInterface(
          ifaceName,
          InterfaceClass.implementation(this.#interfaceClass(info, ifaceName), klass),
        );
      }
    }
    for (const [name, spec] of Object.entries(info.props ?? {})) {
      klass.addProperty(name, spec);
    }
    for (let ancestor = parentClass; ancestor; ancestor = ancestor.parentClass) {
      ancestor.info.classBaseInit?.(klass, info.classData);
    }
    info.classInit?.(klass, info.classData);
    return klass;
  }

  #classType(
    info: TypeInfo,
    parentClass: ObjectClass | undefined,
    isInterface: boolean,
  ): ClassConstructor {
    const inherited =
      (parentClass?.constructor as ClassConstructor | undefined) ??
      (isInterface ? InterfaceClass : ObjectClass);
    const chosen = info.classType ?? inherited;
    if (!extendsOrIs(chosen, inherited)) {
      throw new QomError(
        `Type '${info.name}': its classType ${chosen.name} must extend ${inherited.name}, the class type of its parent`,
      );
    }
    return chosen;
  }

  #instanceType(info: TypeInfo, parentClass: ObjectClass | undefined): InstanceConstructor {
    const inherited = parentClass?.instanceConstructor ?? QomObject;
    const chosen = info.instance ?? inherited;
    if (!extendsOrIs(chosen, inherited)) {
      throw new QomError(
        `Type '${info.name}': its instance class ${chosen.name} must extend ${inherited.name}, the instance class of its parent`,
      );
    }
    return chosen;
  }

  #interfaceClass(info: TypeInfo, ifaceName: string): InterfaceClass {
    const entry = this.#types.get(ifaceName);
    if (entry === undefined) {
      throw new QomError(`Type '${info.name}' implements unknown interface '${ifaceName}'`);
    }
    const klass = this.#buildClass(entry);
    if (
      !(klass instanceof InterfaceClass) ||
      !klass.lineage().some((c) => c.typeName === TYPE_INTERFACE)
    ) {
      throw new QomError(
        `Type '${info.name}' lists '${ifaceName}' as an interface, but it is not an interface type`,
      );
    }
    return klass;
  }
}

function compareNamesIgnoringCase(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

let processRegistry: TypeRegistry | undefined;

/**
 * The process-wide registry (QEMU's single type table), created on first use
 * with the core types. The one piece of module-level state in qom: device
 * packages register their types here so the CLI can list and create them.
 */
export function defaultTypeRegistry(): TypeRegistry {
  processRegistry ??= new TypeRegistry();
  return processRegistry;
}
